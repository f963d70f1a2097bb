"""Reading the library: filtered pages, one item, recommendations beside a sheet or a space,
and the completeness guide's reading links, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Select, func, literal, select, union_all
from sqlalchemy.orm import Session, selectinload

from forum.accounts.models import User
from forum.core import permissions, vocab
from forum.core.errors import Invalid, NotFound
from forum.fichas.models import Ficha
from forum.fichas.queries import Page
from forum.library import schema
from forum.library.models import LibraryItem, LibraryPart, LibraryTheme, Recommendation
from forum.spaces.models import Space

MAX_PER_PAGE = 100
LINKS_PER_PART = 3  # the completeness guide names a few readings, not the whole shelf


@dataclass(frozen=True)
class LibraryFilters:
    theme: str = ""
    language: str = ""
    year: int | None = None
    kind: str = ""  # "file" or "link"
    page: int = 1
    per_page: int = 20

    def as_args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments that rebuild these filters (links and pagination)."""
        data = asdict(self) | changes
        defaults = asdict(LibraryFilters())
        return {k: v for k, v in data.items() if v != defaults[k] and k != "per_page"}




def read_filters(args: Mapping[str, Any], default_per_page: int = 20
                 ) -> tuple[LibraryFilters, dict[str, Any]]:
    """Filters and, per ignored argument, why (the page says so; the API refuses)."""
    errors: dict[str, Any] = {}
    filters = LibraryFilters(
        theme=vocab.read_code(args, "theme", vocab.THEMES, errors),
        language=vocab.read_code(args, "language", schema.LANGUAGES, errors),
        year=vocab.read_number(args, "year", None, schema.YEAR_MIN, schema.year_max(), errors),
        kind=vocab.read_code(args, "kind", schema.SOURCES, errors),
        page=vocab.read_number(args, "page", 1, 1, 100_000, errors) or 1,
        per_page=vocab.read_number(args, "per_page", default_per_page, 1, MAX_PER_PAGE, errors)
        or default_per_page,
    )
    return filters, errors


def parse_filters(args: Mapping[str, Any], default_per_page: int = 20) -> LibraryFilters:
    filters, errors = read_filters(args, default_per_page)
    if errors:
        raise Invalid(errors)
    return filters


def list_items(session: Session, filters: LibraryFilters) -> Page[LibraryItem]:
    """One count, one page (file joined), one query for the page's themes. Newest first."""
    query = select(LibraryItem)
    if filters.theme:
        query = query.where(LibraryItem.id.in_(
            select(LibraryTheme.item_id).where(LibraryTheme.code == filters.theme)))
    if filters.language:
        query = query.where(LibraryItem.language == filters.language)
    if filters.year:
        query = query.where(LibraryItem.year == filters.year)
    if filters.kind:
        query = query.where(LibraryItem.source == filters.kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(LibraryItem.theme_rows))
        .order_by(LibraryItem.year.desc().nulls_last(), LibraryItem.title, LibraryItem.id)
        .limit(filters.per_page).offset((filters.page - 1) * filters.per_page)
    ).unique().all()
    return Page(rows, total, filters.page, filters.per_page)


def years(session: Session) -> list[int]:
    """The years that have items, newest first (the year filter offers only these)."""
    return list(session.scalars(select(LibraryItem.year).where(LibraryItem.year.is_not(None))
                                .distinct().order_by(LibraryItem.year.desc())))


def get_item(session: Session, item_id: int) -> LibraryItem:
    """Items are public, like sheets: the library is for visitors too."""
    item = session.get(LibraryItem, item_id, options=[selectinload(LibraryItem.theme_rows),
                                                      selectinload(LibraryItem.part_rows)])
    if item is None:
        raise NotFound(_l("This guide or document does not exist."))
    return item


def library_stamp(session: Session) -> tuple[int, Any]:
    """(count, last update) of all items, in one query: changes when any list could change,
    and when any reading link of the completeness guide could."""
    row = session.execute(select(func.count(LibraryItem.id),
                                 func.max(LibraryItem.updated_at))).one()
    return row[0], row[1]


@dataclass(frozen=True)
class Shown:
    """A recommendation as pages show it (plain values: safe to keep in a page cache)."""

    id: int  # the recommendation's
    item_id: int
    title: str
    authors: str
    year: int | None
    note: str


def _shown(target: Any) -> Select:
    return (select(Recommendation.id, LibraryItem.id, LibraryItem.title, LibraryItem.authors,
                   LibraryItem.year, Recommendation.note)
            .join(LibraryItem, LibraryItem.id == Recommendation.item_id).where(target))


def recommendations_on(session: Session, *, ficha_id: int | None = None,
                       space_id: int | None = None) -> list[Shown]:
    """What a sheet or a space recommends, oldest first: one query."""
    target = (Recommendation.ficha_id == ficha_id) if ficha_id is not None else \
        (Recommendation.space_id == space_id)
    rows = session.execute(_shown(target).order_by(Recommendation.id))
    return [Shown(*row) for row in rows]


def sheet_facts(session: Session, ficha_id: int | None
                ) -> tuple[dict[str, list[tuple[int, str]]], list[Shown]]:
    """The completeness guide's links and one sheet's recommendations in ONE query: the
    sheet page asks for both and has a budget of queries."""
    links = (select(literal("part"), LibraryPart.part, LibraryItem.id, LibraryItem.title,
                    literal(""), literal(None, Integer), literal(""), literal(0))
             .join(LibraryItem, LibraryItem.id == LibraryPart.item_id))
    recs = (select(literal("rec"), literal(""), LibraryItem.id, LibraryItem.title,
                   LibraryItem.authors, LibraryItem.year, Recommendation.note, Recommendation.id)
            .join(LibraryItem, LibraryItem.id == Recommendation.item_id)
            .where(Recommendation.ficha_id == (ficha_id or 0)))
    found: dict[str, list[tuple[int, str]]] = {}
    shown: list[Shown] = []
    for kind, part, item_id, title, authors, year, note, rec_id in session.execute(
            union_all(links, recs)):
        if kind == "part":
            found.setdefault(part, []).append((item_id, title))
        else:
            shown.append(Shown(rec_id, item_id, title, authors, year, note))
    links_by_part = {part: sorted(pairs, key=lambda p: (p[1], p[0]))[:LINKS_PER_PART]
                     for part, pairs in sorted(found.items())}
    return links_by_part, sorted(shown, key=lambda r: r.id)


@dataclass(frozen=True)
class Place:
    """Where an item is recommended, as its page lists it."""

    kind: str  # "ficha" or "space"
    id: int
    title: str
    note: str


def recommended_where(session: Session, item_id: int, person: User | None) -> list[Place]:
    """Sheets (public) and the spaces this person may read that recommend the item: two
    queries. A members-only space's title stays inside it."""
    sheets = session.execute(
        select(Ficha.id, Ficha.title, Recommendation.note)
        .join(Recommendation, Recommendation.ficha_id == Ficha.id)
        .where(Recommendation.item_id == item_id).order_by(Ficha.title))
    spaces = session.execute(
        permissions.visible_spaces(select(Space.id, Space.title, Recommendation.note), person)
        .join(Recommendation, Recommendation.space_id == Space.id)
        .where(Recommendation.item_id == item_id).order_by(Space.title))
    return ([Place("ficha", *row) for row in sheets] + [Place("space", *row) for row in spaces])


def ficha_ids_recommending(session: Session, item_id: int) -> list[int]:
    return list(session.scalars(select(Recommendation.ficha_id).where(
        Recommendation.item_id == item_id, Recommendation.ficha_id.is_not(None))))


def space_ids_recommending(session: Session, item_id: int) -> list[int]:
    return list(session.scalars(select(Recommendation.space_id).where(
        Recommendation.item_id == item_id, Recommendation.space_id.is_not(None))))


def all_titles(session: Session) -> list[tuple[int, str]]:
    """(id, title) of every item, for the recommendation picker."""
    return [(r.id, r.title) for r in session.execute(
        select(LibraryItem.id, LibraryItem.title).order_by(LibraryItem.title))]
