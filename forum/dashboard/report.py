"""The forum report for a date range: what facilitators used to write by hand for days.

Plain functions over the database: sheets and participants of the period, where they come
from, their themes and actors, the most active spaces, each debate's balance and synthesis,
and the dilemmas still open. Drafts are left out; members-only spaces are included (the
report is for the facilitators) and marked so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select, union
from sqlalchemy.orm import Session

from forum.core.errors import Invalid
from forum.dashboard.figures import Count, label_of
from forum.fichas.models import Ficha, FichaTag
from forum.spaces import queries
from forum.spaces.kinds import PostKind, PostStatus, SpaceKind, SpaceState
from forum.spaces.models import Post, Space

ACTIVE_SPACES = 10


@dataclass(frozen=True)
class Period:
    since: date
    until: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[since 00:00, the day after until 00:00): whole days, as people mean them."""
        return (datetime.combine(self.since, time()),
                datetime.combine(self.until + timedelta(days=1), time()))


@dataclass
class DebateBalance:
    space: Space
    balance: Counter
    positions: int


@dataclass
class Report:
    period: Period
    sheets: int = 0
    participants: int = 0
    posts: int = 0
    countries: list[Count] = field(default_factory=list)
    themes: list[Count] = field(default_factory=list)
    actors: list[Count] = field(default_factory=list)
    active_spaces: list[tuple[Space, int, int]] = field(default_factory=list)
    debates: list[DebateBalance] = field(default_factory=list)
    open_dilemmas: list[Post] = field(default_factory=list)


def parse_period(since: str, until: str, today: date) -> Period:
    """Dates as typed (YYYY-MM-DD); empty means the last 90 days up to today."""
    errors = {}
    found = {}
    for key, text, default in (("since", since, today - timedelta(days=90)),
                               ("until", until, today)):
        try:
            found[key] = date.fromisoformat(text.strip()) if text.strip() else default
        except ValueError:
            errors[key] = _l("Write a date such as 2024-03-15.")
    if not errors and found["since"] > found["until"]:
        errors["until"] = _l("The end date comes before the start date.")
    if errors:
        raise Invalid(errors)
    return Period(found["since"], found["until"])


def _counted(session: Session, dimension: str, query) -> list[Count]:  # noqa: ANN001
    rows = session.execute(query).all()
    return sorted((Count(code, label_of(dimension, code), n) for code, n in rows if code),
                  key=lambda c: (-c.n, c.label))


def forum_report(session: Session, period: Period) -> Report:
    start, end = period.bounds
    report = Report(period)
    new_sheet = Ficha.created_at.between(start, end - timedelta(microseconds=1))
    in_period = Post.created_at >= start, Post.created_at < end
    shown = Space.state != SpaceState.DRAFT.value
    report.sheets = session.scalar(select(func.count(Ficha.id)).where(new_sheet)) or 0
    posted = (select(Post.id, Post.space_id, Post.author_id).join(Space, Space.id == Post.space_id)
              .where(*in_period, shown, Post.status == PostStatus.VISIBLE.value))
    report.posts = session.scalar(select(func.count()).select_from(posted.subquery())) or 0
    people = union(select(posted.subquery().c.author_id),
                   select(Ficha.owner_id).where(new_sheet)).subquery()
    report.participants = session.scalar(select(func.count()).select_from(people)) or 0
    report.countries = _counted(session, "country", select(Ficha.country, func.count())
                                .where(new_sheet).group_by(Ficha.country))
    for dimension in ("themes", "actors"):
        counts = _counted(session, dimension, select(FichaTag.code,
                                                     func.count(distinct(FichaTag.ficha_id)))
                          .join(Ficha, Ficha.id == FichaTag.ficha_id)
                          .where(new_sheet, FichaTag.kind == dimension).group_by(FichaTag.code))
        setattr(report, dimension, counts)
    active = posted.subquery()
    rows = session.execute(select(Space, func.count(active.c.id),
                                  func.count(distinct(active.c.author_id)))
                           .join(active, active.c.space_id == Space.id).group_by(Space.id)
                           .order_by(func.count(active.c.id).desc(), Space.title)
                           .limit(ACTIVE_SPACES)).all()
    report.active_spaces = [(space, posts, authors) for space, posts, authors in rows]
    debates = session.scalars(select(Space).where(
        Space.kind == SpaceKind.DEBATE.value, shown,
        Space.id.in_(select(Post.space_id).where(*in_period)) | (
            (Space.synthesis != "") & Space.created_at.between(start, end)))
        .order_by(Space.title)).all()
    for space in debates:
        balance, _by_country = queries.stance_counts(session, space.id)
        report.debates.append(DebateBalance(space, balance, sum(balance.values())))
    report.open_dilemmas = list(session.scalars(
        select(Post).join(Space, Space.id == Post.space_id)
        .where(Post.kind == PostKind.DILEMMA.value, Post.resolved.is_(False), shown,
               Post.status == PostStatus.VISIBLE.value, Post.created_at < end)
        .order_by(Post.created_at)))
    return report
