"""What the contests package shows on other packages' pages: awards above a sheet (a
fichas.extras provider, cached with the sheet) and the contest box on the call page (a
template helper the call page's one include calls)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.communities.models import Call
from forum.contests import awards, permissions, scoring, services
from forum.contests.models import Contest, ContestState, Juror
from forum.core.events import DomainEvent
from forum.extensions import db


def desk_link(person: User) -> tuple[str, str] | None:
    """On a juror's own profile: their list to score (the header has no room for it)."""
    if not scoring.judges_any(db.session, person):
        return None
    return _("Your evaluations"), url_for("contests.desk")


def awards_beside_sheet(session: Session, ficha_id: int) -> str:
    """The same for every reader (the page cache keeps it per sheet and language); never
    asked for a sheet no package ever bumped (fichas.extras)."""
    found = awards.published_awards_of_ficha(session, ficha_id)
    return render_template("contests/_beside_sheet.html", awards=found) if found else ""


@dataclass
class OnCall:
    contest: Contest
    manager: bool
    juror: Juror | None
    awards: dict[int, list[awards.Awarded]] = field(default_factory=dict)

    @property
    def published(self) -> bool:
        return self.contest.state == ContestState.PUBLISHED

    @property
    def accepts_entries(self) -> bool:
        return self.contest.state in services.FRAMING and bool(self.contest.categories)


def on_call(call: Call) -> OnCall | None:
    """The call page's contest box: asked only by that page, in two to four queries."""
    contest = services.contest_of_call(db.session, call.id)
    if contest is None:
        return None
    found = OnCall(contest, permissions.can_manage_contest(current_user),
                   services.juror_for(db.session, contest.id, current_user))
    if found.published:
        found.awards = awards.awards_of(db.session, contest)
    return found


def helpers() -> dict:
    return {"contest_on_call": on_call}


def withdrawn(session: Session, event: DomainEvent) -> None:
    """In-transaction subscriber: a sheet leaving a call leaves its contest too (the
    database cascades), so its page must stop showing an award it had."""
    if services.contest_of_call(session, event.data["call_id"]) is not None:
        awards.bump_sheets(session, [event.data["ficha_id"]])
