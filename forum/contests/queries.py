"""What the facilitators' contest pages show, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from forum.accounts.models import User
from forum.communities.models import CallSubmission
from forum.communities.queries import own_sheets
from forum.contests.models import Contest, Entry, Juror, Score
from forum.fichas.models import Ficha


@dataclass(frozen=True)
class Gathered:
    """A sheet sent to the call, with its category (None: not placed yet) and how many
    jurors have scored it so far (progress only, never the scores)."""

    ficha_id: int
    title: str
    country: str
    category_id: int | None
    jurors_scored: int


def gathered(session: Session, contest: Contest) -> list[Gathered]:
    """Every sheet sent to the call, placed or not, in one query."""
    scored = (select(func.count(func.distinct(Score.juror_id)))
              .where(Score.entry_id == Entry.id).scalar_subquery())
    rows = session.execute(
        select(Ficha.id, Ficha.title, Ficha.country, Entry.category_id, scored)
        .join(CallSubmission, CallSubmission.ficha_id == Ficha.id)
        .outerjoin(Entry, (Entry.submission_id == CallSubmission.id)
                   & (Entry.contest_id == contest.id))
        .where(CallSubmission.call_id == contest.call_id)
        .order_by(Ficha.title, Ficha.id))
    return [Gathered(r[0], r[1], r[2], r[3], r[4] or 0) for r in rows]


def jurors(session: Session, contest: Contest) -> list[Juror]:
    """The jury with each person and their categories, in two more queries."""
    return list(session.scalars(
        select(Juror).join(User, User.id == Juror.user_id)
        .options(selectinload(Juror.user), selectinload(Juror.categories))
        .where(Juror.contest_id == contest.id)
        .order_by(User.display_name, Juror.id)))


def sendable(session: Session, contest: Contest, person: User) -> list[tuple[int, str]]:
    """The person's sheets not yet sent to the contest's call: (id, title)."""
    sent = set(session.scalars(select(CallSubmission.ficha_id)
                               .where(CallSubmission.call_id == contest.call_id)))
    return [row for row in own_sheets(session, person) if row[0] not in sent]
