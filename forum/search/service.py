"""The search use case and the one interface both backends implement.

`search()` is what the page and the API call: parse what was typed, ask the backend with
the reader's permissions as part of the query, add snippets and "did you mean". Backends
only store and match documents; everything people see is decided here, the same for both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Protocol

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.search import snippets, suggest
from forum.search.access import Access, access_for
from forum.search.documents import Document
from forum.search.query import ParsedQuery, parse

SORTS = ("relevance", "date")
# Relevance is computed over at most this many matches (the strongest ones): a frequent
# word matches half the index, and nobody reads page 400 of results in relevance order.
RELEVANCE_CAP = 500


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    space_kind: str = ""
    country: str = ""
    theme: str = ""
    actor: str = ""
    status: str = ""
    modality: str = ""
    author: int | None = None
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return any(v not in ("", None) for v in asdict(self).values())


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    def as_args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments that rebuild this search (links, facets, pagination)."""
        data: dict[str, Any] = {"q": self.q, **asdict(self.filters), "sort": self.sort,
                                "page": self.page}
        data.update(changes)
        defaults = {"sort": "relevance", "page": 1}
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()
                if v not in ("", None) and defaults.get(k) != v}


@dataclass(frozen=True)
class Hit:
    doc: Document
    score: float = 0.0


@dataclass
class Hits:
    total: int = 0
    items: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    capped: bool = False  # relevance order over the RELEVANCE_CAP strongest matches only


class SearchBackend(Protocol):
    """What the search needs of an index. Both implementations pass the same tests."""

    name: str

    def write(self, docs: Sequence[Document], delete_keys: Sequence[str]) -> None:
        """Add or replace `docs` and remove `delete_keys`, all or nothing."""

    def rebuild(self, docs: Iterable[Document | None],
                progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole index (readers keep the old one until it is complete)."""

    def search(self, query: ParsedQuery, filters: Filters, access: Access, *, sort: str,
               offset: int, limit: int, facets: bool = True) -> Hits: ...

    def term_count(self, term: str, access: Access) -> int:
        """Documents this reader may see that contain `term` (for suggestions)."""

    def similar(self, key: str, limit: int) -> list[Hit]:
        """The sheets closest to the document `key` by content (sheets are public)."""

    def stamps(self) -> dict[str, str]:
        """key -> stamp of every indexed document (for `flask search check`)."""

    def generation(self) -> Hashable:
        """Changes whenever the index changes: caches of derived results key on it."""

    def warm(self) -> None:
        """Prepare caches in the background (the indexer thread calls it)."""


@dataclass(frozen=True)
class Result:
    doc: Document
    title: Markup
    snippet: Markup
    part: str  # the text the snippet comes from ("lessons", "body"...)


@dataclass
class SearchPage:
    params: SearchParams
    parsed: ParsedQuery
    total: int = 0
    results: list[Result] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    notices: list[Any] = field(default_factory=list)
    suggestion: suggest.Suggestion | None = None
    capped: bool = False
    searched: bool = False  # False: nothing to search yet (the page shows how to search)
    author_names: dict[int, str] = field(default_factory=dict)

    @property
    def page(self) -> int:
        return self.params.page

    @property
    def pages(self) -> int:
        reachable = min(self.total, RELEVANCE_CAP) if self.capped else self.total
        return max(1, math.ceil(reachable / self.params.per_page))


def current_backend() -> SearchBackend:
    return current_app.extensions["forum.search"].backend


def search(session: Session, person: User | None, params: SearchParams,
           backend: SearchBackend | None = None) -> SearchPage:
    """One page of results this person may read, with true counts per filter value."""
    backend = backend or current_backend()
    parsed = parse(params.q)
    page = SearchPage(params, parsed, notices=list(parsed.notices))
    if parsed.empty:
        if parsed.excluded:
            page.notices.append(_l("Add at least one word to look for: “-word” only leaves "
                                   "things out."))
        elif parsed.only_stop_words:
            page.notices.append(_l("Your search only has very common words (like “de” or "
                                   "“la”), which the search leaves out. Add a more specific "
                                   "word."))
        if not params.filters.active or parsed.excluded or parsed.only_stop_words:
            return page
    access = access_for(session, person)
    offset = (params.page - 1) * params.per_page
    hits = backend.search(parsed, params.filters, access, sort=params.sort, offset=offset,
                          limit=params.per_page)
    page.searched, page.total, page.facets, page.capped = True, hits.total, hits.facets, \
        hits.capped
    terms, prefixes = parsed.highlight_terms(), parsed.highlight_prefixes()
    page.results = [_result(hit.doc, terms, prefixes) for hit in hits.items]
    if hits.capped and offset >= RELEVANCE_CAP:
        page.notices.append(_l("In order of relevance we show the first %(n)d results; sort "
                               "by date to go through all of them.", n=RELEVANCE_CAP))
    if not hits.total and parsed.words:
        page.suggestion = suggest.did_you_mean(session, backend, parsed, access)
    authors = [int(v) for v, _n in page.facets.get("author", []) if v.isdigit()]
    if params.filters.author:
        authors.append(params.filters.author)
    if authors:
        page.author_names = dict(session.execute(
            select(User.id, User.display_name).where(User.id.in_(authors))).all())
    return page


def _result(doc: Document, terms: frozenset[str], prefixes: tuple[str, ...]) -> Result:
    part, text = snippets.snippet(doc.parts, terms, prefixes)
    return Result(doc, snippets.highlight(doc.title, terms, prefixes), text, part)

