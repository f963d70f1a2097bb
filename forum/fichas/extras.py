"""What other packages show beside a sheet (awards, recommended guides) without the fichas
package knowing them: they register here at start-up, the sheet page asks here.

A provider renders its own HTML; it is kept with the page and rendered anew when the sheet's
`extras_rev` changes, so a package that changes what it shows must call
`fichas.services.bump_extras` in the same transaction. A sheet whose `extras_rev` is still 0
was never bumped: nothing is shown beside it and no provider is asked (the sheet page keeps
its budget of queries). Guide links are the completeness guide's "read this to write that
part" links, keyed by sheet field name; their stamp is a few scalar subqueries that the
sheet's access query carries, so editors' cached articles follow them without a query of
their own. The first stamp column counts the links: 0 means none, and no query for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

SLOTS = ("before", "after")  # above the sheet's article, or below it (before similar sheets)

Provider = Callable[[Session, int], str]
GuideLinks = Callable[[Session], dict[str, list[tuple[str, str]]]]
GuideStamp = Callable[[], Sequence[ColumnElement[Any]]]


@dataclass
class Registry:
    providers: dict[str, list[Provider]] = field(default_factory=lambda: {s: [] for s in SLOTS})
    guide_links: GuideLinks | None = None
    guide_stamp: GuideStamp | None = None


REGISTRY = Registry()


def register(slot: str, provider: Provider) -> None:
    """Add a provider of HTML for one slot of every sheet page (idempotent per function)."""
    if provider not in REGISTRY.providers[slot]:
        REGISTRY.providers[slot].append(provider)


def register_guides(links: GuideLinks, stamp: GuideStamp) -> None:
    """The source of the completeness guide's reading links, and the scalar subqueries
    (a count of links first) whose values change whenever the links do."""
    REGISTRY.guide_links, REGISTRY.guide_stamp = links, stamp


def render(session: Session, ficha_id: int, rev: int) -> dict[str, str]:
    """Each slot's HTML for one sheet, joined in registration order ("" at rev 0)."""
    return {slot: "".join(p(session, ficha_id) for p in REGISTRY.providers[slot]) if rev else ""
            for slot in SLOTS}


def stamp_columns() -> Sequence[ColumnElement[Any]]:
    return REGISTRY.guide_stamp() if REGISTRY.guide_stamp else ()


def guide_links(session: Session, stamp: tuple) -> dict[str, list[tuple[str, str]]]:
    """The links, asked only when the stamp counts some."""
    if not REGISTRY.guide_links or not stamp or not stamp[0]:
        return {}
    return REGISTRY.guide_links(session)
