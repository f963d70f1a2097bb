"""The fields of an experience sheet, declared once.

Web form, JSON API, OpenAPI document, import/export, revisions and diffs all read this
table, so a field added here appears everywhere with the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from forum.core import vocab
from forum.core.errors import Invalid

MARKDOWN_MAX = 20_000


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # text | markdown | year | choice | multi
    label: Any
    help: Any = ""
    required: bool = False
    max_len: int = 0
    vocab: Mapping[str, Any] | None = None
    group: str = "identity"
    default: Any = None

    def codes(self) -> list[str]:
        if self.name == "country":
            return list(vocab.COUNTRY_CODES)
        return list(self.vocab or {})


def _md(name: str, label: Any, help_: Any, group: str = "story") -> FieldSpec:
    return FieldSpec(name, "markdown", label, help_, max_len=MARKDOWN_MAX, group=group)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", "text", _l("Title"), required=True, max_len=200),
    FieldSpec("summary", "text", _l("Summary in one or two sentences"), max_len=500),
    FieldSpec("country", "choice", _l("Country"), required=True, max_len=2),
    FieldSpec("region", "text", _l("Department or region"), max_len=120),
    FieldSpec("municipality", "text", _l("Municipality"), max_len=120),
    FieldSpec("communities", "text", _l("Communities"), max_len=500),
    FieldSpec("start_year", "year", _l("Start year")),
    FieldSpec("end_year", "year", _l("End year"), _l("Leave empty if it is ongoing.")),
    FieldSpec(
        "status", "choice", _l("Status"), required=True, vocab=vocab.STATUSES, default="in_progress"
    ),
    FieldSpec(
        "themes",
        "multi",
        _l("Themes"),
        required=True,
        vocab=vocab.THEMES,
        group="classification",
        default=(),
    ),
    FieldSpec(
        "actors",
        "multi",
        _l("Actors and alliances"),
        vocab=vocab.ACTORS,
        group="classification",
        default=(),
    ),
    FieldSpec(
        "modality",
        "choice",
        _l("Cooperation modality"),
        vocab=vocab.MODALITIES,
        group="classification",
        default="none",
    ),
    FieldSpec(
        "areas",
        "multi",
        _l("Areas of analysis"),
        vocab=vocab.AREAS,
        group="classification",
        default=(),
    ),
    FieldSpec(
        "dimensions",
        "multi",
        _l("Political-institutional dimensions"),
        vocab=vocab.DIMENSIONS,
        group="classification",
        default=(),
    ),
    _md("problem", _l("Starting problem"), _l("What situation made you act?")),
    _md("objectives", _l("Objectives"), _l("What did you set out to change?")),
    _md("strategy", _l("Strategy and actions"), _l("What was done, by whom, in what order?")),
    _md("results", _l("Results"), _l("What was achieved? Give figures where you can.")),
    _md(
        "benefits",
        _l("Benefits"),
        _l("Who benefited, and how? Families, producers, the municipality..."),
    ),
    _md(
        "keys",
        _l("Keys that solved the problems"),
        _l("Which decisions or agreements let you overcome the obstacles?"),
    ),
    _md(
        "lessons",
        _l("Lessons learned"),
        _l("What would you tell another territory starting the same work?"),
    ),
    _md("sustainability", _l("Sustainability"), _l("What keeps it going after the project?")),
    _md(
        "contacts",
        _l("Contacts"),
        _l("Who can others ask? An office, an organisation."),
        group="contacts",
    ),
)

BY_NAME = {f.name: f for f in FIELDS}
MARKDOWN_FIELDS = tuple(f.name for f in FIELDS if f.kind == "markdown")
MULTI_FIELDS = tuple(f.name for f in FIELDS if f.kind == "multi")
SCALAR_FIELDS = tuple(f.name for f in FIELDS if f.kind not in ("multi",))


def _clean_one(spec: FieldSpec, raw: Any) -> tuple[Any, Any]:
    """(value, error); error is a readable reason or None."""
    if spec.kind == "multi":
        if raw is None or raw == "":
            raw = []
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list | tuple) or not all(isinstance(c, str) for c in raw):
            return None, _l("Expected a list of codes.")
        unknown = [c for c in raw if c not in spec.codes()]
        if unknown:
            return None, _l("Unknown code: %(codes)s.", codes=", ".join(unknown[:3]))
        value = sorted(set(raw), key=spec.codes().index)
        if spec.required and not value:
            return None, _l("Choose at least one.")
        return value, None
    if spec.kind == "year":
        if raw in (None, ""):
            return None, None
        try:
            year = int(str(raw).strip())
        except ValueError:
            return None, _l("Write a year such as 2019.")
        if not 1950 <= year <= date.today().year + 5:
            return None, _l("Write a year between 1950 and %(y)d.", y=date.today().year + 5)
        return year, None
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        return None, _l("Expected text.")
    value = raw.replace("\r\n", "\n").replace("\x00", "")
    value = value.strip() if spec.kind != "markdown" else value.strip("\n ")
    if spec.kind == "choice":
        value = value or (spec.default or "")
        if value and value not in spec.codes():
            return None, _l("Choose an option from the list.")
    if spec.required and not value:
        return None, _l("This field is required.")
    if spec.max_len and len(value) > spec.max_len:
        return None, _l("At most %(n)d characters (you wrote %(m)d).", n=spec.max_len, m=len(value))
    return value, None


def clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a whole sheet (API/JSON shape); raise Invalid listing every bad field."""
    values: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for spec in FIELDS:
        value, error = _clean_one(spec, data.get(spec.name, spec.default))
        if error is not None:
            errors[spec.name] = error
        else:
            values[spec.name] = value
    if not errors:
        start, end = values.get("start_year"), values.get("end_year")
        if start and end and end < start:
            errors["end_year"] = _l("The end year cannot be before the start year.")
        if values.get("status") == "finished" and not end:
            errors["end_year"] = _l("A finished experience needs its end year.")
    unknown = sorted(set(data) - set(BY_NAME) - READ_ONLY_KEYS)
    if unknown:
        errors["_unknown"] = _l("Unknown fields: %(names)s.", names=", ".join(unknown[:5]))
    if errors:
        raise Invalid(errors)
    return values


# Keys the API returns that a client may send back unchanged.
READ_ONLY_KEYS = frozenset(
    {
        "id",
        "version",
        "owner",
        "editors",
        "created_at",
        "updated_at",
        "url",
        "completeness",
        "attachments",
        "revision_count",
    }
)


def blank() -> dict[str, Any]:
    """The values of a new, empty sheet (what the create form starts from)."""
    return {
        f.name: (list(f.default) if f.kind == "multi" else (f.default or ""))
        for f in FIELDS
        if f.kind != "year"
    } | {"start_year": None, "end_year": None}
