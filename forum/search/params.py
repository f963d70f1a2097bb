"""Search parameters from a query string: the page keeps what it understood and says what
it ignored; the API refuses unknown filter values (422). The text typed is never refused."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from forum.core import vocab
from forum.core.errors import Invalid
from forum.search.documents import KINDS
from forum.search.query import MAX_CHARS
from forum.search.service import SORTS, Filters, SearchParams
from forum.spaces.kinds import SpaceKind

MAX_PER_PAGE = 50
MAX_PAGE = 10_000




def _day(args: Mapping[str, Any], key: str, errors: dict) -> date | None:
    raw = str(args.get(key) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = _l("Write a date such as 2024-03-15.")
        return None


def read_params(args: Mapping[str, Any], default_per_page: int = 20
                ) -> tuple[SearchParams, dict[str, Any]]:
    """Parameters and, per ignored argument, why (shown on the page, 422 in the API)."""
    errors: dict[str, Any] = {}
    filters = Filters(
        kind=vocab.read_code(args, "kind", KINDS, errors),
        space_kind=vocab.read_code(args, "space_kind", [k.value for k in SpaceKind], errors),
        country=vocab.read_code(args, "country", vocab.COUNTRY_CODES, errors),
        theme=vocab.read_code(args, "theme", vocab.THEMES, errors),
        actor=vocab.read_code(args, "actor", vocab.ACTORS, errors),
        status=vocab.read_code(args, "status", vocab.STATUSES, errors),
        modality=vocab.read_code(args, "modality", vocab.MODALITIES, errors),
        author=vocab.read_number(args, "author", None, 1, 2**31 - 1, errors, clamp_high=True),
        since=_day(args, "since", errors),
        until=_day(args, "until", errors),
    )
    if filters.since and filters.until and filters.until < filters.since:
        errors["until"] = _l("The end date comes before the start date.")
        filters = Filters(**{**filters.__dict__, "until": None})
    params = SearchParams(
        q=str(args.get("q") or "")[: MAX_CHARS * 10],
        filters=filters,
        sort=vocab.read_code(args, "sort", SORTS, errors) or "relevance",
        page=vocab.read_number(args, "page", 1, 1, MAX_PAGE, errors, clamp_high=True) or 1,
        per_page=vocab.read_number(args, "per_page", default_per_page, 1, MAX_PER_PAGE, errors,
                                   clamp_high=True) or default_per_page,
    )
    return params, errors


def parse_params(args: Mapping[str, Any], default_per_page: int = 20) -> SearchParams:
    """The API's form: any argument it cannot use is an Invalid error."""
    params, errors = read_params(args, default_per_page)
    if errors:
        raise Invalid(errors)
    return params
