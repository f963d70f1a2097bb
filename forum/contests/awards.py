"""Awards and their publication: facilitators give each category's first and second
places and honourable mentions once the jury has closed, then publish them; published
awards show on the sheets' pages (through fichas.extras) and on the call page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.communities.models import Call
from forum.contests.models import (
    Award,
    AwardKind,
    Contest,
    ContestCategory,
    ContestState,
    Entry,
)
from forum.contests.scoring import CategoryRanking
from forum.contests.services import get_contest, now, require_manager
from forum.core import events
from forum.core.errors import Conflict, Invalid
from forum.fichas.models import Ficha
from forum.fichas.services import bump_extras

KINDS = (AwardKind.FIRST, AwardKind.SECOND, AwardKind.MENTION)
# {category_id: {"first": [ficha_id], "second": [...], "mention": [...]}}
Choice = Mapping[int, Mapping[str, Iterable[int]]]


def _require_deliberation(contest: Contest) -> None:
    if contest.state in (ContestState.DRAFT, ContestState.JURY_OPEN):
        raise Conflict(_l("Awards are given once the jury has closed."))
    if contest.state == ContestState.PUBLISHED:
        raise Conflict(_l("The results are published: withdraw the publication to change "
                          "the awards."))


def _entries_by_category(session: Session, contest: Contest) -> dict[int, dict[int, Entry]]:
    found: dict[int, dict[int, Entry]] = {c.id: {} for c in contest.categories}
    for entry in session.scalars(select(Entry).where(Entry.contest_id == contest.id,
                                                     Entry.category_id.is_not(None))):
        found.setdefault(entry.category_id, {})[entry.ficha_id] = entry
    return found


def _check_category(category: ContestCategory, chosen: Mapping[str, Iterable[int]],
                    entries: dict[int, Entry], mentions_max: int,
                    errors: dict) -> list[tuple[AwardKind, int, Entry]]:
    """(kind, slot, entry) for one category, or reasons next to the fields."""
    given: set[int] = set()
    out = []
    for kind in KINDS:
        key = f"{kind.value}-{category.id}"
        ids = list(chosen.get(kind.value, ()))
        if kind != AwardKind.MENTION and len(ids) > 1:
            errors[key] = (_l("Only one first place per category.") if kind == AwardKind.FIRST
                           else _l("Only one second place per category."))
        if kind == AwardKind.MENTION and len(ids) > mentions_max:
            errors[key] = _l("At most %(n)d honourable mentions per category.", n=mentions_max)
        for slot, ficha_id in enumerate(ids, start=1 if kind == AwardKind.MENTION else 0):
            entry = entries.get(ficha_id)
            if entry is None:
                errors[key] = _l("This sheet is not in the category “%(name)s”.",
                                 name=category.name)
            elif ficha_id in given:
                errors[key] = _l("A sheet receives one award only: it already has one in "
                                 "this category.")
            else:
                out.append((kind, slot, entry))
            given.add(ficha_id)
    return out


def set_awards(session: Session, actor: User, contest_id: int, chosen: Choice) -> None:
    """Replace every award of the contest with `chosen`, all checked before any change."""
    require_manager(actor)
    contest = get_contest(session, contest_id)
    _require_deliberation(contest)
    entries = _entries_by_category(session, contest)
    errors: dict = {}
    known = {c.id: c for c in contest.categories}
    if any(cid not in known for cid in chosen):
        errors["awards"] = _l("Give awards only in the contest's categories.")
    rows = []
    for category in contest.categories:
        picked = chosen.get(category.id, {})
        rows += [(category.id, *row) for row in _check_category(
            category, picked, entries.get(category.id, {}), contest.mentions_max, errors)]
    if errors:
        raise Invalid(errors, _l("The awards were not saved: see the marked categories."))
    session.execute(delete(Award).where(Award.contest_id == contest.id))
    session.add_all(Award(contest_id=contest.id, category_id=cid, entry_id=entry.id,
                          kind=kind.value, slot=slot) for cid, kind, slot, entry in rows)
    session.flush()


def bump_sheets(session: Session, ficha_ids: list[int]) -> None:
    """What these sheets show beside them changes: their cached pages are rendered anew."""
    bump_extras(session, ficha_ids)


def _awarded_fichas(session: Session, contest_id: int) -> list[int]:
    return list(session.scalars(select(Entry.ficha_id).join(Award, Award.entry_id == Entry.id)
                                .where(Award.contest_id == contest_id)))


def publish_results(session: Session, actor: User, contest_id: int,
                    chosen: Choice | None = None) -> Contest:
    """Save `chosen` (if given) and publish; the awarded sheets' pages are rendered anew."""
    require_manager(actor)
    contest = get_contest(session, contest_id)
    _require_deliberation(contest)
    if chosen is not None:
        set_awards(session, actor, contest_id, chosen)
    awarded = _awarded_fichas(session, contest_id)
    if not awarded:
        raise Invalid({"awards": _l("Give at least one award before publishing.")})
    contest.state = ContestState.PUBLISHED.value
    contest.published_at = now()
    bump_sheets(session, awarded)
    session.flush()
    events.record(session, "contest.published", contest_id=contest_id, call_id=contest.call_id)
    return contest


def unpublish_results(session: Session, actor: User, contest_id: int) -> Contest:
    """Back to the deliberation (a mistake in the awards): the sheets lose their awards."""
    require_manager(actor)
    contest = get_contest(session, contest_id)
    if contest.state != ContestState.PUBLISHED:
        raise Conflict(_l("The results are not published."))
    contest.state = ContestState.JURY_CLOSED.value
    contest.published_at = None
    bump_sheets(session, _awarded_fichas(session, contest_id))
    session.flush()
    events.record(session, "contest.unpublished", contest_id=contest_id,
                  call_id=contest.call_id)
    return contest


# --- reading awards -----------------------------------------------------------------------


@dataclass(frozen=True)
class Awarded:
    kind: str
    ficha_id: int
    title: str
    country: str
    category_id: int


def awards_of(session: Session, contest: Contest) -> dict[int, list[Awarded]]:
    """Each category's awards, first and second place, then mentions; one query."""
    found: dict[int, list[Awarded]] = {c.id: [] for c in contest.categories}
    order = {k.value: i for i, k in enumerate(KINDS)}
    rows = session.execute(select(Award, Ficha.id, Ficha.title, Ficha.country)
                           .join(Entry, Entry.id == Award.entry_id)
                           .join(Ficha, Ficha.id == Entry.ficha_id)
                           .where(Award.contest_id == contest.id))
    for award, ficha_id, title, country in sorted(
            rows, key=lambda r: (order[r[0].kind], r[0].slot)):
        found.setdefault(award.category_id, []).append(
            Awarded(award.kind, ficha_id, title, country, award.category_id))
    return found


def chosen_from_awards(awards: dict[int, list[Awarded]]) -> dict[int, dict[str, list[int]]]:
    """The award form's values from what is saved."""
    return {cid: {k.value: [a.ficha_id for a in rows if a.kind == k] for k in KINDS}
            for cid, rows in awards.items()}


def suggested(rankings: list[CategoryRanking]) -> dict[int, dict[str, list[int]]]:
    """The award form before anything is saved: first and second place from the ranking
    (ties as the facilitators ordered them), no mentions."""
    out = {}
    for ranking in rankings:
        scored = [r.ficha_id for r in ranking.rows if r.total is not None]
        out[ranking.category.id] = {"first": scored[:1], "second": scored[1:2], "mention": []}
    return out


@dataclass(frozen=True)
class SheetAward:
    kind: str
    category: str
    call_id: int
    call_title: str


def published_awards_of_ficha(session: Session, ficha_id: int) -> list[SheetAward]:
    """What a sheet won in published contests (shown above the sheet), in one query."""
    rows = session.execute(
        select(Award.kind, ContestCategory.name, Call.id, Call.title)
        .join(Entry, Entry.id == Award.entry_id)
        .join(ContestCategory, ContestCategory.id == Award.category_id)
        .join(Contest, Contest.id == Award.contest_id)
        .join(Call, Call.id == Contest.call_id)
        .where(Entry.ficha_id == ficha_id, Contest.state == ContestState.PUBLISHED.value)
        .order_by(Contest.published_at.desc(), Award.id))
    return [SheetAward(*row) for row in rows]
