"""What the library shows on other pages: recommended readings below a sheet's article
(fichas.extras), the completeness guide's "Read:" links, and the space page's list.

The sheet's HTML is cached per sheet and shared by every reader, so it holds nothing
personal. The guide's stamp rides on the sheet's access query (fichas.extras); its links and
the recommendations, when the page renders them, come from one query
(`queries.sheet_facts`), kept for the request in `g`. The space page's list is kept per
space revision, which library.services bumps (an event naming the space) whenever what it
shows changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from forum.core.web import page_cache
from forum.extensions import db
from forum.library import queries
from forum.library.models import LibraryItem, LibraryPart
from forum.spaces.models import Space


@dataclass(frozen=True)
class _Facts:
    ficha_id: int | None
    links: dict[str, list[tuple[int, str]]]
    shown: list[queries.Shown]


def _facts(session: Session, ficha_id: int | None = None) -> _Facts:
    """This request's answer for its sheet (the page's `ficha_id`), asked once."""
    if ficha_id is None and has_request_context():
        ref = (request.view_args or {}).get("ficha_id")
        ficha_id = getattr(ref, "id", ref)  # an int, or a readable URL's Ref(id, slug)
    memo = g.get("library_sheet_facts") if has_request_context() else None
    if memo is not None and memo.ficha_id == ficha_id:
        return memo
    facts = _Facts(ficha_id, *queries.sheet_facts(session, ficha_id))
    if has_request_context():
        g.library_sheet_facts = facts
    return facts


def beside_sheet(session: Session, ficha_id: int) -> str:
    """fichas.extras provider ("after" slot; not asked for a sheet never bumped)."""
    shown = _facts(session, ficha_id).shown
    if not shown:
        return ""
    return render_template("library/_recommended.html", recs=shown, manage_url=None)


def guide_links(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Sheet part -> (title, address) of the readings that help write it."""
    return {part: [(title, url_for("library.show", item_id=item_id)) for item_id, title in found]
            for part, found in _facts(session).links.items()}


def guide_stamp() -> list[ColumnElement[Any]]:
    """Scalar subqueries the sheet's access query carries: how many (item, part) links
    there are, then the last change of any item (titles show in the links)."""
    return [select(func.count()).select_from(LibraryPart).scalar_subquery(),
            select(func.max(LibraryItem.updated_at)).scalar_subquery()]


def on_space(space: Space) -> list[queries.Shown]:
    """Template global for the space page's include; kept per space revision, so a
    person's own rendering of a busy space asks the database once per change."""
    key = ("library-space", space.id, space.revision)
    return page_cache()[0].get_or_render(
        key, lambda: queries.recommendations_on(db.session, space_id=space.id))
