"""The fields of a library item and how form or JSON input becomes clean values.

One place for the pages and the API: every reason is a translatable message keyed by the
field it belongs to, so a form shows it beside that field. No Flask or HTTP here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from forum.core import vocab
from forum.core.content import is_safe_href
from forum.core.errors import Invalid
from forum.fichas import schema as ficha_schema

LANGUAGES = {
    "es": _l("Spanish"),
    "pt": _l("Portuguese"),
    "en": _l("English"),
    "fr": _l("French"),
    "qu": _l("Quechua"),
    "ay": _l("Aymara"),
}
SOURCES = {"file": _l("File"), "link": _l("Link")}
# The Markdown parts of a sheet an item may help to write (the completeness guide's fields).
PARTS = {name: ficha_schema.BY_NAME[name].label for name in ficha_schema.MARKDOWN_FIELDS}
TITLE_MAX, AUTHORS_MAX, URL_MAX, SUMMARY_MAX, NOTE_MAX = 200, 300, 500, 20_000, 200
YEAR_MIN = 1900
# Uploads: the sheet attachments' content check, narrowed to documents (no images).
DOCUMENT_KINDS = frozenset({"pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls",
                            "ppt"})


def year_max() -> int:
    """Next year: a guide announced for next year may be listed already."""
    return datetime.now(UTC).year + 1


def blank() -> dict[str, Any]:
    return {"title": "", "authors": "", "year": "", "language": "es", "summary": "",
            "source": "file", "url": "", "themes": [], "helps_with": []}


def _text(data: Mapping[str, Any], name: str, limit: int, errors: dict,
          required: bool = False) -> str:
    raw = data.get(name)
    value = raw.strip() if isinstance(raw, str) else "" if raw is None else None
    if value is None:
        errors[name] = _l("Expected text.")
        return ""
    if required and not value:
        errors[name] = _l("This field is required.")
    elif len(value) > limit:
        errors[name] = _l("At most %(n)d characters.", n=limit)
    return value


def _year(raw: Any, errors: dict) -> int | None:
    if raw in (None, ""):
        return None
    try:
        year = int(str(raw).strip()) if not isinstance(raw, bool) else None
    except ValueError:
        year = None
    if year is None:
        errors["year"] = _l("Write the year with four digits, such as 2015.")
        return None
    if not YEAR_MIN <= year <= year_max():
        errors["year"] = _l("The year must be between %(low)d and %(high)d.", low=YEAR_MIN,
                            high=year_max())
        return None
    return year


def _codes(data: Mapping[str, Any], name: str, allowed: Mapping[str, Any],
           errors: dict) -> list[str]:
    raw = data.get(name) or []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple) or not all(isinstance(c, str) for c in raw):
        errors[name] = _l("Expected a list of codes.")
        return []
    unknown = [c for c in raw if c not in allowed]
    if unknown:
        errors[name] = _l("Unknown value “%(v)s”.", v=unknown[0][:40])
        return []
    return sorted(set(raw))


def check_url(url: str) -> Any:
    """The reason an external link is refused, or None: only http(s) addresses of a host."""
    if len(url) > URL_MAX:
        return _l("At most %(n)d characters.", n=URL_MAX)
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if (parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname
            or not is_safe_href(url) or any(c.isspace() or ord(c) < 32 for c in url)):
        return _l("Write a web address that starts with http:// or https://.")
    return None


def clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Clean values of an item, or Invalid with a reason per field (nothing is half-kept)."""
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {
        "title": _text(data, "title", TITLE_MAX, errors, required=True),
        "authors": _text(data, "authors", AUTHORS_MAX, errors),
        "year": _year(data.get("year"), errors),
        "language": vocab.read_code(data, "language", LANGUAGES, errors),
        "summary": _text(data, "summary", SUMMARY_MAX, errors),
        "source": vocab.read_code(data, "source", SOURCES, errors) or "file",
        "url": _text(data, "url", URL_MAX, errors),
        "themes": _codes(data, "themes", vocab.THEMES, errors),
        "helps_with": _codes(data, "helps_with", PARTS, errors),
    }
    if not values["language"] and "language" not in errors:
        errors["language"] = _l("Choose the language of the document.")
    if values["source"] == "link":
        if not values["url"]:
            errors.setdefault("url", _l("Write the address of the document."))
        elif "url" not in errors and (reason := check_url(values["url"])):
            errors["url"] = reason
    else:
        values["url"] = ""  # a file item has no link: exactly one source
    if errors:
        raise Invalid(errors)
    return values


def clean_note(raw: Any) -> str:
    errors: dict[str, Any] = {}
    note = _text({"note": raw}, "note", NOTE_MAX, errors)
    if errors:
        raise Invalid(errors)
    return note
