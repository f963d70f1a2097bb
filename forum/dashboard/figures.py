"""The numbers behind the panorama, counted in SQL: a few grouped queries, whatever the size.

Only what a visitor may read is counted: every sheet (sheets are public), and visible posts
in spaces that are neither drafts nor members-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from forum.core import database, permissions, vocab
from forum.fichas.models import Ficha, FichaTag
from forum.fichas.queries import fichas_stamp
from forum.spaces.kinds import KINDS, PostStatus
from forum.spaces.models import Post, Space

# dimension -> (label vocabulary, how to count)
COLUMNS = {"country": Ficha.country, "status": Ficha.status, "modality": Ficha.modality}
TAGS = ("themes", "actors")
VOCABS = {"status": vocab.STATUSES, "modality": vocab.MODALITIES, "themes": vocab.THEMES,
          "actors": vocab.ACTORS}
DIMENSIONS = ("country", "themes", "actors", "modality", "status")


@dataclass(frozen=True)
class Count:
    code: str
    label: str
    n: int


def label_of(dimension: str, code: str) -> str:
    if dimension == "country":
        return vocab.country_name(code)
    return str(VOCABS[dimension].get(code, code))


def sheets_by(session: Session, dimension: str) -> list[Count]:
    """Sheets per country, status or modality (one per sheet), or per theme or actor type
    (a sheet counts once in each of its themes), most first."""
    if dimension in COLUMNS:
        column = COLUMNS[dimension]
        rows = session.execute(select(column, func.count(Ficha.id)).group_by(column))
    elif dimension in TAGS:
        rows = session.execute(select(FichaTag.code, func.count(distinct(FichaTag.ficha_id)))
                               .where(FichaTag.kind == dimension).group_by(FichaTag.code))
    else:
        raise KeyError(dimension)
    found = [Count(code, label_of(dimension, code), n) for code, n in rows if code]
    return sorted(found, key=lambda c: (-c.n, c.label))


def _public_posts() -> Any:
    public = permissions.visible_spaces(select(Space.id), None)
    return Post.space_id.in_(public), Post.status == PostStatus.VISIBLE.value


@dataclass(frozen=True)
class SpaceActivity:
    space_id: int
    title: str
    kind: str
    posts: int
    people: int


def participation_by_space(session: Session) -> list[SpaceActivity]:
    rows = session.execute(
        select(Space.id, Space.title, Space.kind, func.count(Post.id),
               func.count(distinct(Post.author_id)))
        .join(Post, Post.space_id == Space.id).where(*_public_posts())
        .group_by(Space.id, Space.title, Space.kind)
        .order_by(func.count(Post.id).desc(), Space.title))
    return [SpaceActivity(*row) for row in rows]


def _month(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def participation_by_month(session: Session) -> list[tuple[str, int, int, int]]:
    """(month, posts, people who posted, new sheets), oldest month first."""
    month = _month(session, Post.created_at).label("month")
    posts = dict((m, (n, people)) for m, n, people in session.execute(
        select(month, func.count(Post.id), func.count(distinct(Post.author_id)))
        .where(*_public_posts()).group_by(month)).all() if m)
    sheet_month = _month(session, Ficha.created_at).label("month")
    sheets = dict(session.execute(select(sheet_month, func.count(Ficha.id))
                                  .group_by(sheet_month)).all())
    months = sorted(set(posts) | {m for m in sheets if m})
    return [(m, *posts.get(m, (0, 0)), sheets.get(m, 0)) for m in months]


SPACES_STAMP = select(func.count(Space.id), func.coalesce(func.sum(Space.revision), 0))


def panorama_stamp(session: Session) -> tuple[Any, ...]:
    """Changes whenever a figure could: any sheet added, changed or removed (its count and
    last update), and any change a space's page shows (each bumps that space's revision in
    the same transaction: posts, moderation, states), or a space added or removed."""
    spaces = database.read(session, SPACES_STAMP, {}).one()
    return (*fichas_stamp(session), *spaces)


def kind_label(kind: str) -> str:
    return str(KINDS[kind].label)
