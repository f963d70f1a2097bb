"""Use cases that frame a contest: create it on a call, its rubric, its jury, the entries'
categories and the jury's opening and closing. Scoring is in `scoring`, awards and
publication in `awards`.

Each takes the session and the acting person, raises core.errors and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.communities import services as calls
from forum.communities.models import CallSubmission
from forum.contests import permissions
from forum.contests.models import (
    Contest,
    ContestCategory,
    ContestDimension,
    ContestState,
    Entry,
    Juror,
    Score,
)
from forum.core import events, vocab
from forum.core.errors import Conflict, Invalid, NotAllowed, NotFound
from forum.core.permissions import is_member

NAME_MAX = 120
GUIDANCE_MAX = 500
MAX_CATEGORIES = 20
MAX_DIMENSIONS = 12
SCALE_BOUNDS = (0, 10)
MENTIONS_BOUNDS = (0, 10)
FRAMING = (ContestState.DRAFT.value, ContestState.JURY_OPEN.value)  # jury and entries change


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def require_manager(actor: User | None) -> None:
    if not permissions.can_manage_contest(actor):
        raise NotAllowed(_l("Only facilitators define and publish a contest."))


def get_contest(session: Session, contest_id: int) -> Contest:
    contest = session.get(Contest, contest_id)
    if contest is None:
        raise NotFound(_l("This contest does not exist."))
    return contest


def contest_of_call(session: Session, call_id: int) -> Contest | None:
    return session.scalar(select(Contest).where(Contest.call_id == call_id))


def require_contest_of_call(session: Session, call_id: int) -> Contest:
    contest = contest_of_call(session, call_id)
    if contest is None:
        raise NotFound(_l("This call is not run as a contest."))
    return contest


def create_contest(session: Session, actor: User, call_id: int) -> Contest:
    """Run a call as a contest. It starts from the sheet's areas of analysis as categories
    and the political-institutional dimensions as rubric, which facilitators then adapt."""
    require_manager(actor)
    calls.get_call(session, call_id)
    if contest_of_call(session, call_id) is not None:
        raise Conflict(_l("This call is already run as a contest."))
    contest = Contest(call_id=call_id, created_by_id=actor.id, created_at=now())
    contest.categories = [ContestCategory(name=str(label), position=i)
                          for i, label in enumerate(vocab.AREAS.values())]
    contest.dimensions = [ContestDimension(name=str(label), position=i)
                          for i, label in enumerate(vocab.DIMENSIONS.values())]
    session.add(contest)
    try:
        session.flush()
    except IntegrityError:  # created a moment ago in another tab
        session.rollback()
        raise Conflict(_l("This call is already run as a contest.")) from None
    events.record(session, "contest.created", contest_id=contest.id, call_id=call_id)
    return contest


# --- the rubric ---------------------------------------------------------------------------


def _whole(raw: object, bounds: tuple[int, int], errors: dict, field: str) -> int:
    low, high = bounds
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        errors[field] = _l("Write a whole number from %(low)d to %(high)d.", low=low, high=high)
        return low
    if not low <= value <= high:
        errors[field] = _l("Write a whole number from %(low)d to %(high)d.", low=low, high=high)
    return value


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _names(lines: list[str], field: str, limit: int, errors: dict) -> None:
    seen: set[str] = set()
    for name in lines:
        if len(name) > NAME_MAX:
            errors[field] = _l("Each name has at most %(n)d characters.", n=NAME_MAX)
        elif name.casefold() in seen:
            errors[field] = _l("“%(name)s” appears twice.", name=name[:60])
        seen.add(name.casefold())
    if len(lines) > limit:
        errors[field] = _l("At most %(n)d lines.", n=limit)


def _dimension_lines(text: str) -> list[tuple[str, str]]:
    """"Name: guidance for the jury" (the guidance is optional)."""
    pairs = []
    for line in _lines(text):
        name, _sep, guidance = line.partition(":")
        pairs.append((name.strip(), guidance.strip()))
    return pairs


def update_rubric(session: Session, actor: User, contest_id: int, *, score_min: object,
                  score_max: object, mentions_max: object, categories: str,
                  dimensions: str) -> Contest:
    """Categories and dimensions one per line; kept by name, so the entries placed in a
    category stay there. Fixed once the jury opens: scores must mean the same for all."""
    require_manager(actor)
    contest = get_contest(session, contest_id)
    if contest.state != ContestState.DRAFT:
        raise Conflict(_l("The rubric is fixed once the jury has opened."))
    errors: dict = {}
    low = _whole(score_min, SCALE_BOUNDS, errors, "score_min")
    high = _whole(score_max, SCALE_BOUNDS, errors, "score_max")
    if not errors and high <= low:
        errors["score_max"] = _l("The highest score must be above the lowest.")
    mentions = _whole(mentions_max, MENTIONS_BOUNDS, errors, "mentions_max")
    category_names = _lines(categories)
    _names(category_names, "categories", MAX_CATEGORIES, errors)
    dimension_pairs = _dimension_lines(dimensions)
    _names([n for n, _g in dimension_pairs], "dimensions", MAX_DIMENSIONS, errors)
    if any(not n for n, _g in dimension_pairs):
        errors["dimensions"] = _l("Each line starts with the dimension's name.")
    if any(len(g) > GUIDANCE_MAX for _n, g in dimension_pairs):
        errors["dimensions"] = _l("Each guidance has at most %(n)d characters.", n=GUIDANCE_MAX)
    if errors:
        raise Invalid(errors)
    contest.score_min, contest.score_max, contest.mentions_max = low, high, mentions
    _sync(contest.categories, [(n, "") for n in category_names], ContestCategory)
    _sync(contest.dimensions, dimension_pairs, ContestDimension)
    session.flush()
    events.record(session, "contest.rubric_changed", contest_id=contest.id)
    return contest


def _sync(current: list, wanted: list[tuple[str, str]], model: type) -> None:
    """Keep the rows whose names stay, in the new order; add the new, drop the rest."""
    by_name = {row.name.casefold(): row for row in current}
    rows = []
    for position, (name, guidance) in enumerate(wanted):
        row = by_name.pop(name.casefold(), None) or model(name=name)
        row.name, row.position = name, position
        if model is ContestDimension:
            row.guidance = guidance
        rows.append(row)
    current[:] = rows


# --- the jury -----------------------------------------------------------------------------


def _require_framing(contest: Contest) -> None:
    if contest.state not in FRAMING:
        raise Conflict(_l("The jury has closed: the jury and the entries no longer change."))


def get_juror(session: Session, contest_id: int, juror_id: int) -> Juror:
    juror = session.get(Juror, juror_id)
    if juror is None or juror.contest_id != contest_id:
        raise NotFound(_l("This person is not on the jury."))
    return juror


def juror_for(session: Session, contest_id: int, person: User | None) -> Juror | None:
    if not is_member(person):
        return None
    return session.scalar(select(Juror).where(Juror.contest_id == contest_id,
                                              Juror.user_id == person.id))


def add_juror(session: Session, actor: User, contest_id: int, email: str) -> Juror:
    """Jurors are registered people, found by the e-mail they registered with."""
    require_manager(actor)
    contest = get_contest(session, contest_id)
    _require_framing(contest)
    address = (email or "").strip().lower()
    person = session.scalar(select(User).where(func.lower(User.email) == address)) \
        if address else None
    if person is None:
        raise Invalid({"email": _l("Nobody is registered with this e-mail.")})
    if juror_for(session, contest_id, person) is not None:
        raise Invalid({"email": _l("%(name)s is already on the jury.", name=person.display_name)})
    juror = Juror(contest_id=contest_id, user_id=person.id, added_at=now())
    session.add(juror)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Invalid({"email": _l("%(name)s is already on the jury.",
                                   name=person.display_name)}) from None
    events.record(session, "contest.juror_added", contest_id=contest_id, user_id=person.id,
                  call_id=contest.call_id, actor_id=actor.id)
    return juror


def remove_juror(session: Session, actor: User, contest_id: int, juror_id: int) -> None:
    """Their scores go with them: an incomplete jury member must not weigh on the result."""
    require_manager(actor)
    contest = get_contest(session, contest_id)
    _require_framing(contest)
    juror = get_juror(session, contest_id, juror_id)
    session.delete(juror)
    session.flush()
    events.record(session, "contest.juror_removed", contest_id=contest_id,
                  user_id=juror.user_id, call_id=contest.call_id)


def set_juror_categories(session: Session, actor: User, contest_id: int, juror_id: int,
                         category_ids: Iterable[int]) -> Juror:
    """None chosen means every category."""
    require_manager(actor)
    contest = get_contest(session, contest_id)
    _require_framing(contest)
    juror = get_juror(session, contest_id, juror_id)
    known = {c.id: c for c in contest.categories}
    wanted = list(dict.fromkeys(category_ids))
    if any(cid not in known for cid in wanted):
        raise Invalid({"categories": _l("Choose categories of this contest.")})
    juror.categories = [known[cid] for cid in wanted]
    session.flush()
    return juror


# --- entries ------------------------------------------------------------------------------


def _category(contest: Contest, category_id: int | None) -> ContestCategory:
    found = next((c for c in contest.categories if c.id == category_id), None)
    if found is None:
        raise Invalid({"category_id": _l("Choose one of the contest's categories.")})
    return found


def submit_entry(session: Session, actor: User, call_id: int, ficha_id: int | None,
                 category_id: int | None) -> Entry:
    """Send a sheet to the call and place it in a category in one go (same rules as the
    call: its editors, while the call is open)."""
    contest = require_contest_of_call(session, call_id)
    if contest.state not in FRAMING:
        raise Conflict(_l("The jury has closed: this contest takes no more sheets."))
    _category(contest, category_id)  # checked first: a refusal leaves nothing behind
    submission = calls.submit_to_call(session, actor, call_id, ficha_id)
    entry = Entry(contest_id=contest.id, submission_id=submission.id, ficha_id=ficha_id,
                  category_id=category_id)
    session.add(entry)
    session.flush()
    events.record(session, "contest.entry_placed", contest_id=contest.id, ficha_id=ficha_id)
    return entry


def place_entry(session: Session, actor: User, contest_id: int, ficha_id: int,
                category_id: int | None) -> Entry:
    """Facilitators set or change a sheet's category until the jury closes; not once
    jurors have scored it there, since their scores belong to that category."""
    require_manager(actor)
    contest = get_contest(session, contest_id)
    _require_framing(contest)
    submission = session.scalar(select(CallSubmission).where(
        CallSubmission.call_id == contest.call_id, CallSubmission.ficha_id == ficha_id))
    if submission is None:
        raise NotFound(_l("This sheet was not sent to this call."))
    category = _category(contest, category_id) if category_id else None
    entry = session.scalar(select(Entry).where(Entry.submission_id == submission.id))
    if entry is None:
        entry = Entry(contest_id=contest.id, submission_id=submission.id, ficha_id=ficha_id)
        session.add(entry)
    new_id = category.id if category else None
    if entry.category_id != new_id and entry.id is not None and _scored(session, entry.id):
        raise Conflict(_l("Jurors already scored this sheet in its category: it stays there."))
    entry.category_id = new_id
    session.flush()
    events.record(session, "contest.entry_placed", contest_id=contest.id, ficha_id=ficha_id)
    return entry


def _scored(session: Session, entry_id: int) -> bool:
    return session.scalar(select(Score.id).where(Score.entry_id == entry_id).limit(1)) \
        is not None


# --- the jury's window --------------------------------------------------------------------


def open_jury(session: Session, actor: User, contest_id: int) -> Contest:
    """From a draft, or again after closing (to let jurors finish or revise)."""
    require_manager(actor)
    contest = get_contest(session, contest_id)
    if contest.state not in (ContestState.DRAFT, ContestState.JURY_CLOSED):
        raise Conflict(_l("The jury can open only from a draft or after it closed."))
    errors: dict = {}
    if not contest.categories:
        errors["categories"] = _l("Define at least one category.")
    if not contest.dimensions:
        errors["dimensions"] = _l("Define at least one dimension of the rubric.")
    if session.scalar(select(Juror.id).where(Juror.contest_id == contest_id).limit(1)) is None:
        errors["email"] = _l("Add at least one juror.")
    if errors:
        raise Invalid(errors, _l("The contest is not ready for its jury yet."))
    contest.state = ContestState.JURY_OPEN.value
    session.flush()
    events.record(session, "contest.jury_opened", contest_id=contest_id,
                  call_id=contest.call_id, actor_id=actor.id)
    return contest


def close_jury(session: Session, actor: User, contest_id: int) -> Contest:
    """Scores freeze; jurors and facilitators now see all of them and deliberate."""
    require_manager(actor)
    contest = get_contest(session, contest_id)
    if contest.state != ContestState.JURY_OPEN:
        raise Conflict(_l("The jury is not open."))
    contest.state = ContestState.JURY_CLOSED.value
    session.flush()
    events.record(session, "contest.jury_closed", contest_id=contest_id)
    return contest
