"""Use cases of communities of practice and calls for experiences.

Each takes the session and the acting person explicitly, raises core.errors and records
domain events; none commits, so the view (or the CLI) decides the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.communities.models import Call, CallState, CallSubmission, Community, Membership
from forum.core import events, permissions, vocab
from forum.core.content import render_markdown
from forum.core.errors import Conflict, Invalid, NotAllowed, NotFound
from forum.core.permissions import can_edit_ficha
from forum.fichas.models import Ficha
from forum.fichas.services import FichaAccess, ficha_access

NAME_MAX = 160
TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
INSTRUCTIONS_MAX = 20_000


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _render(source: str) -> str:
    return render_markdown(source) if source else ""


def require_facilitator(actor: User | None) -> None:
    """Framing the community's groups and calls is the facilitators' job."""
    if not permissions.is_facilitator(actor):
        raise NotAllowed(_l("Only facilitators open communities and calls for experiences."))


def _require_login(actor: User | None) -> None:
    if not permissions.is_member(actor):
        raise NotAllowed(_l("Log in to take part."))


# --- communities --------------------------------------------------------------------------


def get_community(session: Session, community_id: int) -> Community:
    community = session.get(Community, community_id)
    if community is None:
        raise NotFound(_l("This community does not exist."))
    return community


def _text(value: str | None) -> str:
    return (value or "").strip()


def _check_length(errors: dict, field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[field] = _l("At most %(n)d characters.", n=limit)


def _clean_community(
    session: Session, name: str, theme: str, description: str, community_id: int | None
) -> dict[str, str]:
    """Every problem at once, so the form can show them all next to their fields."""
    values = {"name": _text(name), "theme": _text(theme), "description": _text(description)}
    errors: dict = {}
    if not values["name"]:
        errors["name"] = _l("Give the community a name.")
    _check_length(errors, "name", values["name"], NAME_MAX)
    if values["theme"] and values["theme"] not in vocab.THEMES:
        errors["theme"] = _l("Choose a theme from the list.")
    _check_length(errors, "description", values["description"], DESCRIPTION_MAX)
    if "name" not in errors and _name_taken(session, values["name"], community_id):
        errors["name"] = _l("A community with this name already exists.")
    if errors:
        raise Invalid(errors)
    return values


def _name_taken(session: Session, name: str, community_id: int | None) -> bool:
    query = select(Community.id).where(func.lower(Community.name) == name.lower())
    if community_id is not None:
        query = query.where(Community.id != community_id)
    return session.scalar(query.limit(1)) is not None


def _apply_community(session: Session, community: Community, values: dict[str, str]) -> None:
    community.name = values["name"]
    community.theme = values["theme"]
    community.description = values["description"]
    community.description_html = _render(values["description"])
    try:
        session.flush()
    except IntegrityError:  # the same name saved by someone else a moment ago
        session.rollback()
        raise Invalid({"name": _l("A community with this name already exists.")}) from None


def create_community(
    session: Session, actor: User, *, name: str, theme: str = "", description: str = ""
) -> Community:
    """A new group; its creator joins it, since someone has to welcome the others."""
    require_facilitator(actor)
    values = _clean_community(session, name, theme, description, None)
    community = Community(created_by_id=actor.id, created_at=_now())
    session.add(community)
    _apply_community(session, community, values)
    session.add(Membership(community_id=community.id, user_id=actor.id, joined_at=_now()))
    session.flush()
    events.record(session, "community.created", community_id=community.id)
    return community


def update_community(
    session: Session,
    actor: User,
    community_id: int,
    *,
    name: str,
    theme: str = "",
    description: str = "",
) -> Community:
    require_facilitator(actor)
    community = get_community(session, community_id)
    values = _clean_community(session, name, theme, description, community.id)
    _apply_community(session, community, values)
    events.record(session, "community.updated", community_id=community.id)
    return community


def _membership(session: Session, user_id: int, community_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(
            Membership.community_id == community_id, Membership.user_id == user_id
        )
    )


def join_community(session: Session, actor: User, community_id: int) -> Membership:
    """Joining twice is a no-op: a repeated click or a re-sent form must not fail."""
    _require_login(actor)
    get_community(session, community_id)
    membership = _membership(session, actor.id, community_id)
    if membership is not None:
        return membership
    membership = Membership(community_id=community_id, user_id=actor.id, joined_at=_now())
    session.add(membership)
    try:
        session.flush()
    except IntegrityError:  # joined in another tab at the same moment: already a member
        session.rollback()
        return _membership(session, actor.id, community_id)
    events.record(session, "community.joined", community_id=community_id, user_id=actor.id)
    return membership


def leave_community(session: Session, actor: User, community_id: int) -> None:
    """Leaving when not a member is a no-op, for the same reason as joining twice."""
    _require_login(actor)
    get_community(session, community_id)
    membership = _membership(session, actor.id, community_id)
    if membership is None:
        return
    session.delete(membership)
    session.flush()
    events.record(session, "community.left", community_id=community_id, user_id=actor.id)


def member_community_ids(session: Session, user: User | None) -> frozenset[int]:
    """The groups a person belongs to, in one query (visitors belong to none)."""
    if not permissions.is_member(user):
        return frozenset()
    rows = session.scalars(select(Membership.community_id).where(Membership.user_id == user.id))
    return frozenset(rows)


def is_member(session: Session, user: User | None, community_id: int) -> bool:
    """Members-only spaces ask this before letting someone in."""
    if not permissions.is_member(user):
        return False
    return _membership(session, user.id, community_id) is not None


# --- calls for experiences ----------------------------------------------------------------


def get_call(session: Session, call_id: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound(_l("This call for experiences does not exist."))
    return call


def _clean_call(
    title: str,
    instructions: str,
    themes: Iterable[str],
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> dict:
    values = {
        "title": _text(title),
        "instructions": _text(instructions),
        "themes": list(dict.fromkeys(themes or ())),
        "opens_at": opens_at,
        "closes_at": closes_at,
    }
    errors: dict = {}
    if not values["title"]:
        errors["title"] = _l("Give the call a title.")
    _check_length(errors, "title", values["title"], TITLE_MAX)
    _check_length(errors, "instructions", values["instructions"], INSTRUCTIONS_MAX)
    if any(code not in vocab.THEMES for code in values["themes"]):
        errors["themes"] = _l("Choose themes from the list.")
    if opens_at is None:
        errors["opens_at"] = _l("Say when the call opens.")
    if closes_at is None:
        errors["closes_at"] = _l("Say when the call closes.")
    elif opens_at is not None and closes_at <= opens_at:
        errors["closes_at"] = _l("The call must close after it opens.")
    if errors:
        raise Invalid(errors)
    return values


def open_call(
    session: Session,
    actor: User,
    *,
    title: str,
    instructions: str = "",
    themes: Iterable[str] = (),
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> Call:
    """A new call; `opens_at` and `closes_at` are naive UTC (the view converts)."""
    require_facilitator(actor)
    values = _clean_call(title, instructions, themes, opens_at, closes_at)
    call = Call(
        **values,
        instructions_html=_render(values["instructions"]),
        created_by_id=actor.id,
        created_at=_now(),
    )
    session.add(call)
    session.flush()
    events.record(session, "call.opened", call_id=call.id)
    return call


def update_call(
    session: Session,
    actor: User,
    call_id: int,
    *,
    title: str,
    instructions: str = "",
    themes: Iterable[str] = (),
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> Call:
    """Correct a call or move its dates (close it early, give more time); the sheets it
    gathered stay with it whatever the new window."""
    require_facilitator(actor)
    call = get_call(session, call_id)
    values = _clean_call(title, instructions, themes, opens_at, closes_at)
    for key, value in values.items():
        setattr(call, key, value)
    call.instructions_html = _render(values["instructions"])
    session.flush()
    events.record(session, "call.updated", call_id=call.id)
    return call


def _submission(session: Session, call_id: int, ficha_id: int) -> CallSubmission | None:
    return session.scalar(
        select(CallSubmission).where(
            CallSubmission.call_id == call_id, CallSubmission.ficha_id == ficha_id
        )
    )


def _require_open(call: Call, now: datetime) -> None:
    state = call.state_at(now)
    if state == CallState.UPCOMING:
        raise Conflict(_l("This call is not open yet: come back on its opening date."))
    if state == CallState.CLOSED:
        raise Conflict(_l("This call is closed: it takes no more sheets."))


def submit_to_call(
    session: Session, actor: User, call_id: int, ficha_id: int | None
) -> CallSubmission:
    """Those who may edit a sheet may send it to an open call, once."""
    _require_login(actor)
    call = get_call(session, call_id)
    if ficha_id is None:
        raise Invalid({"ficha_id": _l("Choose one of your sheets.")})
    if not can_edit_ficha(actor, ficha_access(session, ficha_id)):
        raise NotAllowed(_l("Only the authors and co-editors of a sheet send it to a call."))
    _require_open(call, _now())
    if _submission(session, call_id, ficha_id) is not None:
        raise Conflict(_l("This sheet was already sent to this call."))
    submission = CallSubmission(
        call_id=call_id, ficha_id=ficha_id, submitted_by_id=actor.id, submitted_at=_now()
    )
    session.add(submission)
    try:
        session.flush()
    except IntegrityError:  # the same sheet sent at the same moment from another tab
        session.rollback()
        raise Conflict(_l("This sheet was already sent to this call.")) from None
    events.record(session, "call.submitted", call_id=call_id, ficha_id=ficha_id)
    return submission


def can_withdraw(actor: User | None, call: Call, ficha: Ficha | FichaAccess, now: datetime) -> bool:
    """Editors of the sheet while the call is open; facilitators at any time, because
    what a closed call gathered is final for everyone else."""
    if permissions.is_facilitator(actor):
        return True
    return can_edit_ficha(actor, ficha) and call.state_at(now) == CallState.OPEN


def withdraw_submission(session: Session, actor: User, call_id: int, ficha_id: int) -> None:
    _require_login(actor)
    call = get_call(session, call_id)
    submission = _submission(session, call_id, ficha_id)
    if submission is None:
        raise NotFound(_l("This sheet is not in this call."))
    if not can_withdraw(actor, call, ficha_access(session, ficha_id), _now()):
        raise NotAllowed(
            _l("Only the sheet's editors withdraw it, and only while the call is open.")
        )
    session.delete(submission)
    session.flush()
    events.record(session, "call.withdrawn", call_id=call_id, ficha_id=ficha_id)
