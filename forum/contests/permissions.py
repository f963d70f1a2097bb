"""Who may do what in a contest: predicates and the matching query filter, in the style of
core.permissions (kept here so the shared module does not grow with every feature).

Pages ask these before showing a button; services ask them before changing anything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, not_, or_, select

from forum.accounts.models import User
from forum.contests.models import Contest, ContestState, Entry, Juror, juror_categories
from forum.core.permissions import is_facilitator, is_member
from forum.fichas.models import Ficha, ficha_editors

SCORES_SHOWN = (ContestState.JURY_CLOSED.value, ContestState.PUBLISHED.value)


def can_manage_contest(person: User | None, contest: Contest | None = None) -> bool:  # noqa: ARG001
    """Facilitators frame contests as they frame calls: categories, rubric, jury, awards."""
    return is_facilitator(person)


def is_juror(person: User | None, juror: Juror | None) -> bool:
    return is_member(person) and juror is not None and juror.user_id == person.id


def evaluates_category(juror: Juror, category_id: int | None) -> bool:
    """A juror with no categories assigned evaluates every category."""
    if category_id is None:
        return False
    ids = juror.category_ids
    return not ids or category_id in ids


def has_conflict(user_id: int, ficha: Ficha | Any) -> bool:
    """An author or co-editor judging their own sheet: a conflict of interest. (A
    facilitator may edit every sheet; that power alone is no conflict.)"""
    return ficha.owner_id == user_id or user_id in ficha.editor_ids


def can_score(person: User | None, contest: Contest, juror: Juror | None,
              category_id: int | None, ficha: Any) -> bool:
    """A juror of the sheet's category, with no conflict, while the jury is open."""
    return (is_juror(person, juror) and contest.state == ContestState.JURY_OPEN
            and evaluates_category(juror, category_id) and not has_conflict(person.id, ficha))


def can_see_all_scores(person: User | None, contest: Contest, juror: Juror | None) -> bool:
    """Nobody sees another juror's scores while the jury scores: once it closes, the jury
    and the facilitators deliberate on all of them."""
    if contest.state not in SCORES_SHOWN:
        return False
    return can_manage_contest(person) or is_juror(person, juror)


def can_see_aggregate(person: User | None, contest: Contest) -> bool:
    return can_manage_contest(person) and contest.state in SCORES_SHOWN


def can_view_results(person: User | None, contest: Contest) -> bool:
    """Everyone once published; facilitators preview them before."""
    return contest.state == ContestState.PUBLISHED or can_manage_contest(person)


def scorable_entries(query: Select, juror: Juror) -> Select:
    """The query form of "in the juror's categories and no conflict" over `Entry`."""
    assigned = select(juror_categories.c.category_id).where(
        juror_categories.c.juror_id == juror.id)
    in_category = or_(not_(select(juror_categories.c.juror_id)
                           .where(juror_categories.c.juror_id == juror.id).exists()),
                      Entry.category_id.in_(assigned))
    return query.where(Entry.category_id.is_not(None), in_category,
                       not_(conflicted(juror.user_id)))


def conflicted(user_id: int) -> Any:
    """SQL: the entry's sheet is owned or co-edited by `user_id`."""
    co_edited = select(ficha_editors.c.ficha_id).where(ficha_editors.c.user_id == user_id)
    owned = select(Ficha.id).where(Ficha.owner_id == user_id)
    return or_(Entry.ficha_id.in_(owned), Entry.ficha_id.in_(co_edited))
