"""How results and filters are shown: links, labels and facet groups (page and API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from forum.core import vocab
from forum.core.slugs import Ref
from forum.search.documents import KINDS, PART_LABELS, Document
from forum.search.service import SearchPage
from forum.spaces.kinds import KINDS as SPACE_KINDS
from forum.spaces.kinds import SpaceKind

GROUPS = (
    ("kind", _l("Kind of content")),
    ("space_kind", _l("Kind of space")),
    ("country", _l("Country")),
    ("theme", _l("Theme")),
    ("actor", _l("Actors")),
    ("status", _l("Status of the experience")),
    ("modality", _l("Cooperation")),
    ("year", _l("Year")),
    ("author", _l("Author")),
)

# How the page names an argument it could not use (the API answers with the key itself).
ARGUMENT_LABELS = {**dict(GROUPS), "since": _l("From"), "until": _l("To"),
                   "sort": _l("Sort by"), "page": _l("Page"), "per_page": _l("Results per page")}


@dataclass(frozen=True)
class FacetItem:
    label: str
    count: int
    url: str
    selected: bool


@dataclass(frozen=True)
class FacetGroup:
    name: str
    label: Any
    items: list[FacetItem]
    clear_url: str | None  # set when a value of this group is chosen


def doc_url(doc: Document, **kwargs: Any) -> str:
    if doc.kind == "ficha":
        return url_for("fichas.show", ficha_id=Ref.of(doc.ref_id, doc.title), **kwargs)
    if doc.kind == "space":
        return url_for("spaces.show", space_id=Ref.of(doc.ref_id, doc.title), **kwargs)
    if doc.kind == "guide":
        return url_for("library.show", item_id=doc.ref_id, **kwargs)
    return url_for("spaces.thread", space_id=doc.space_id, root_id=doc.root_id or doc.ref_id,
                   _anchor=f"post-{doc.ref_id}", **kwargs)


def doc_label(doc: Document) -> str:
    """A title for documents that have none (questions, positions, comments)."""
    if doc.title:
        return doc.title
    if doc.space_title:
        return str(_l("%(kind)s in “%(space)s”", kind=kind_label(doc.kind, singular=True),
                      space=doc.space_title))
    return str(kind_label(doc.kind, singular=True))


SINGULAR = {
    "ficha": _l("Experience sheet"), "space": _l("Space"), "question": _l("Question"),
    "answer": _l("Answer to a question"),  # "Answer" alone is the button (Responder)
    "position": _l("Position"), "contribution": _l("Contribution"),
    "innovation": _l("Innovation"), "dilemma": _l("Dilemma"), "comment": _l("Comment"),
    "guide": _l("Guide or document"),
}


def kind_label(kind: str, singular: bool = False) -> Any:
    return (SINGULAR if singular else KINDS).get(kind, kind)


def part_label(part: str) -> Any:
    return PART_LABELS.get(part, "")


def value_label(group: str, value: str, names: dict[int, str]) -> str:
    if group == "kind":
        return str(kind_label(value))
    if group == "space_kind":
        return str(SPACE_KINDS[SpaceKind(value)].label) if value in SpaceKind._value2member_map_ \
            else value
    if group == "country":
        return vocab.country_name(value)
    if group == "author":
        return names.get(int(value), value) if value.isdigit() else value
    table = {"theme": vocab.THEMES, "actor": vocab.ACTORS, "status": vocab.STATUSES,
             "modality": vocab.MODALITIES}.get(group)
    return vocab.label(table, value) if table else value


def _year_args(year: str) -> dict[str, str]:
    return {"since": f"{year}-01-01", "until": f"{year}-12-31"}


def _chosen(page: SearchPage, group: str, value: str) -> bool:
    filters = page.params.filters
    if group == "year":
        return (filters.since, filters.until) == (date(int(value), 1, 1), date(int(value), 12, 31))
    current = getattr(filters, group)
    return current is not None and str(current) == value


def facet_groups(page: SearchPage, endpoint: str = "search.page") -> list[FacetGroup]:
    """Every filter with its values and true counts; a chosen value links to removing it."""
    groups = []
    for name, label in GROUPS:
        items = []
        clear: dict[str, Any] = {"since": None, "until": None} if name == "year" else {name: None}
        chosen_any = False
        for value, count in page.facets.get(name, []):
            chosen = _chosen(page, name, value)
            chosen_any = chosen_any or chosen
            change = _year_args(value) if name == "year" else {name: value}
            args = page.params.as_args(**(clear if chosen else change), page=1)
            items.append(FacetItem(value_label(name, value, page.author_names), count,
                                   url_for(endpoint, **args), chosen))
        if items:
            clear_url = url_for(endpoint, **page.params.as_args(**clear, page=1)) \
                if chosen_any else None
            groups.append(FacetGroup(name, label, items, clear_url))
    return groups
