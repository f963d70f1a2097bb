"""The jury's work: what each juror has to score, scoring (and revising) a sheet, the
aggregate facilitators deliberate on, and settling ties.

Scores are kept exact (sums and counts, then fractions), so two totals tie only when they
really are equal, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.contests import permissions
from forum.contests.models import (
    Contest,
    ContestCategory,
    ContestState,
    Entry,
    Juror,
    Score,
    juror_categories,
)
from forum.contests.services import get_contest, juror_for, now, require_manager
from forum.core.errors import Conflict, Invalid, NotAllowed, NotFound
from forum.core.permissions import is_member
from forum.fichas.models import Ficha, ficha_editors
from forum.fichas.services import ficha_access

COMMENT_MAX = 2000


@dataclass(frozen=True)
class SheetToScore:
    ficha_id: int
    title: str
    country: str
    category: str
    scored: int  # dimensions this juror has scored
    dimensions: int

    @property
    def done(self) -> bool:
        return self.dimensions > 0 and self.scored >= self.dimensions


@dataclass(frozen=True)
class JurorDesk:
    """One contest seen by one juror: the sheets to score, and those they may not score
    because they wrote or co-edit them."""

    contest: Contest
    juror: Juror
    to_score: list[SheetToScore]
    conflicts: list[SheetToScore]


def juror_desk(session: Session, contest: Contest, juror: Juror) -> JurorDesk:
    """The sheets in the juror's categories, in one query."""
    mine = (select(func.count(Score.id))
            .where(Score.entry_id == Entry.id, Score.juror_id == juror.id)
            .scalar_subquery())
    query = (select(Entry.ficha_id, Ficha.title, Ficha.country, ContestCategory.name,
                    permissions.conflicted(juror.user_id).label("conflict"), mine.label("n"))
             .join(Ficha, Ficha.id == Entry.ficha_id)
             .join(ContestCategory, ContestCategory.id == Entry.category_id)
             .where(Entry.contest_id == contest.id)
             .order_by(ContestCategory.position, Ficha.title, Ficha.id))
    if juror.category_ids:
        query = query.where(Entry.category_id.in_(juror.category_ids))
    to_score, conflicts = [], []
    for row in session.execute(query):
        sheet = SheetToScore(row.ficha_id, row.title, row.country, row.name, row.n or 0,
                             len(contest.dimensions))
        (conflicts if row.conflict else to_score).append(sheet)
    return JurorDesk(contest, juror, to_score, conflicts)


def my_desks(session: Session, person: User | None) -> list[JurorDesk]:
    """Every contest the person judges, newest first (a person judges few)."""
    if not is_member(person):
        return []
    jurors = session.scalars(select(Juror).join(Contest, Contest.id == Juror.contest_id)
                             .where(Juror.user_id == person.id)
                             .order_by(Contest.created_at.desc(), Contest.id.desc())).all()
    return [juror_desk(session, get_contest(session, j.contest_id), j) for j in jurors]


def judges_any(session: Session, person: User) -> bool:
    return session.scalar(select(Juror.id).where(Juror.user_id == person.id).limit(1)) is not None


# --- one sheet ----------------------------------------------------------------------------


def entry_of(session: Session, contest: Contest, ficha_id: int) -> Entry:
    entry = session.scalar(select(Entry).where(Entry.contest_id == contest.id,
                                               Entry.ficha_id == ficha_id,
                                               Entry.category_id.is_not(None)))
    if entry is None:
        raise NotFound(_l("This sheet is not in this contest."))
    return entry


def require_juror_of(session: Session, actor: User | None, contest: Contest,
                     entry: Entry) -> Juror:
    """A juror of the sheet's category who did not write it (in any state)."""
    juror = juror_for(session, contest.id, actor)
    if juror is None:
        raise NotAllowed(_l("Only the members of this contest's jury score its sheets."))
    if not permissions.evaluates_category(juror, entry.category_id):
        raise NotAllowed(_l("This sheet is in a category you do not evaluate."))
    if permissions.has_conflict(actor.id, ficha_access(session, entry.ficha_id)):
        raise NotAllowed(_l("You wrote or co-edit this sheet, so you cannot score it: "
                            "a juror does not judge their own experience."))
    return juror


def require_can_score(session: Session, actor: User | None, contest: Contest,
                      entry: Entry) -> Juror:
    """Why a juror may not score this sheet now, in the words the page shows."""
    juror = juror_for(session, contest.id, actor)
    if juror is None:
        raise NotAllowed(_l("Only the members of this contest's jury score its sheets."))
    if contest.state == ContestState.DRAFT:
        raise Conflict(_l("The jury has not opened yet: scoring starts when it opens."))
    if contest.state != ContestState.JURY_OPEN:
        raise Conflict(_l("The jury has closed: scores can no longer change."))
    return require_juror_of(session, actor, contest, entry)


def _read_scores(contest: Contest, values: Mapping[int, object],
                 comments: Mapping[int, str]) -> dict[int, tuple[int, str]]:
    low, high = contest.score_min, contest.score_max
    errors: dict = {}
    clean = {}
    for dim in contest.dimensions:
        raw = str(values.get(dim.id) or "").strip()
        comment = (comments.get(dim.id) or "").strip()
        key = f"score-{dim.id}"
        if not raw:
            errors[key] = _l("Score this dimension from %(low)d to %(high)d.", low=low, high=high)
            continue
        try:
            value = int(raw)
        except ValueError:
            errors[key] = _l("“%(raw)s” is not a number: write a whole number from %(low)d to "
                             "%(high)d.", raw=raw[:20], low=low, high=high)
            continue
        if not low <= value <= high:
            errors[key] = _l("Scores go from %(low)d to %(high)d.", low=low, high=high)
        if len(comment) > COMMENT_MAX:
            errors[f"comment-{dim.id}"] = _l("At most %(n)d characters.", n=COMMENT_MAX)
        clean[dim.id] = (value, comment)
    if errors:
        raise Invalid(errors, _l("Some scores could not be saved; nothing was changed."))
    return clean


def score_entry(session: Session, actor: User | None, contest_id: int, ficha_id: int,
                values: Mapping[int, object], comments: Mapping[int, str]) -> list[Score]:
    """Every dimension at once, each with its reason; saving again revises them while the
    jury is open."""
    contest = get_contest(session, contest_id)
    entry = entry_of(session, contest, ficha_id)
    juror = require_can_score(session, actor, contest, entry)
    clean = _read_scores(contest, values, comments)
    current = {s.dimension_id: s for s in session.scalars(
        select(Score).where(Score.entry_id == entry.id, Score.juror_id == juror.id))}
    saved = []
    for dim_id, (value, comment) in clean.items():
        score = current.get(dim_id) or Score(entry_id=entry.id, juror_id=juror.id,
                                             dimension_id=dim_id)
        score.value, score.comment, score.scored_at = value, comment, now()
        session.add(score)
        saved.append(score)
    session.flush()
    return saved


def own_scores(session: Session, entry: Entry, juror: Juror | None) -> dict[int, Score]:
    if juror is None:
        return {}
    return {s.dimension_id: s for s in session.scalars(
        select(Score).where(Score.entry_id == entry.id, Score.juror_id == juror.id))}


def all_scores(session: Session, viewer: User | None, contest: Contest,
               entry: Entry) -> list[tuple[str, dict[int, Score]]]:
    """Each juror's scores of the sheet, for the deliberation only (never while scoring):
    facilitators, and the jurors of its category who did not write it."""
    juror = juror_for(session, contest.id, viewer)
    if not permissions.can_see_all_scores(viewer, contest, juror):
        return []
    if not permissions.can_manage_contest(viewer):
        try:
            require_juror_of(session, viewer, contest, entry)
        except NotAllowed:
            return []
    by_juror: dict[str, dict[int, Score]] = defaultdict(dict)
    rows = session.execute(select(Score, User.display_name)
                           .join(Juror, Juror.id == Score.juror_id)
                           .join(User, User.id == Juror.user_id)
                           .where(Score.entry_id == entry.id)
                           .order_by(User.display_name, Juror.id))
    for score, name in rows:
        by_juror[name][score.dimension_id] = score
    return list(by_juror.items())


# --- the aggregate ------------------------------------------------------------------------


@dataclass
class Ranked:
    """A sheet's place in its category: the mean of each dimension over the jurors who
    scored it, their sum (the total), and how many jurors scored."""

    entry_id: int
    ficha_id: int
    title: str
    country: str
    category_id: int
    tie_order: int | None
    means: dict[int, Fraction] = field(default_factory=dict)
    jurors: int = 0
    tied: bool = False
    rank: int = 0

    @property
    def total(self) -> Fraction | None:
        return sum(self.means.values(), Fraction(0)) if self.means else None


@dataclass
class CategoryRanking:
    category: ContestCategory
    rows: list[Ranked]

    def ties(self) -> list[list[Ranked]]:
        """Groups of two or more scored sheets with the same total."""
        groups: dict[Fraction, list[Ranked]] = defaultdict(list)
        for row in self.rows:
            if row.total is not None:
                groups[row.total].append(row)
        return [g for g in groups.values() if len(g) > 1]

    @staticmethod
    def settled(group: list[Ranked]) -> bool:
        orders = [r.tie_order for r in group]
        return None not in orders and len(set(orders)) == len(orders)


def counted() -> object:
    """SQL: a score that counts, i.e. by a juror of the sheet's category with no conflict
    (a juror moved to other categories, or made co-editor later, no longer weighs)."""
    assigned = select(juror_categories.c.juror_id).where(
        juror_categories.c.juror_id == Juror.id)
    in_category = or_(not_(assigned.exists()), exists().where(
        juror_categories.c.juror_id == Juror.id,
        juror_categories.c.category_id == Entry.category_id))
    co_edits = exists().where(ficha_editors.c.ficha_id == Entry.ficha_id,
                              ficha_editors.c.user_id == Juror.user_id)
    return and_(in_category, Juror.user_id != Ficha.owner_id, not_(co_edits))


def aggregate(session: Session, contest: Contest) -> list[CategoryRanking]:
    """Every category's ranking in three queries: entries, sums per dimension, jurors."""
    rows = {e.id: Ranked(e.id, e.ficha_id, title, country, e.category_id, e.tie_order)
            for e, title, country in session.execute(
                select(Entry, Ficha.title, Ficha.country).join(Ficha, Ficha.id == Entry.ficha_id)
                .where(Entry.contest_id == contest.id, Entry.category_id.is_not(None)))}
    scored = (select(Score.entry_id).join(Entry, Entry.id == Score.entry_id)
              .join(Juror, Juror.id == Score.juror_id).join(Ficha, Ficha.id == Entry.ficha_id)
              .where(Entry.contest_id == contest.id, Entry.category_id.is_not(None), counted()))
    sums = scored.add_columns(Score.dimension_id, func.sum(Score.value), func.count(Score.id))
    for entry_id, dim_id, total, n in session.execute(
            sums.group_by(Score.entry_id, Score.dimension_id)):
        rows[entry_id].means[dim_id] = Fraction(int(total), int(n))
    people = scored.add_columns(func.count(func.distinct(Score.juror_id)))
    for entry_id, n in session.execute(people.group_by(Score.entry_id)):
        rows[entry_id].jurors = int(n)
    return _rank(contest, list(rows.values()))


def _sort_key(row: Ranked) -> tuple:
    big = 10**9
    total = row.total
    return (total is None, -(total or 0), row.tie_order or big, row.title.casefold(),
            row.ficha_id)


def _rank(contest: Contest, rows: list[Ranked]) -> list[CategoryRanking]:
    rankings = []
    for category in contest.categories:
        mine = sorted((r for r in rows if r.category_id == category.id), key=_sort_key)
        for position, row in enumerate(mine, start=1):
            row.rank = position
        ranking = CategoryRanking(category, mine)
        for group in ranking.ties():
            for row in group:
                row.tied = True
        rankings.append(ranking)
    return rankings


def settle_tie(session: Session, actor: User, contest_id: int,
               orders: Mapping[int, object]) -> None:
    """Facilitators put sheets whose totals tie in an explicit order (1 first), during
    the deliberation; the ranking and the suggested awards follow it."""
    require_manager(actor)
    contest = get_contest(session, contest_id)
    if contest.state != ContestState.JURY_CLOSED:
        raise Conflict(_l("Ties are settled during the deliberation, after the jury closes "
                          "and before the results are published."))
    group = _tie_group(aggregate(session, contest), set(orders))
    if group is None:
        raise Invalid({"order": _l("These sheets do not tie: order only sheets with the "
                                   "same total in one category.")})
    values = []
    for row in group:
        try:
            values.append(int(str(orders[row.ficha_id]).strip()))
        except ValueError:
            values.append(0)
    if sorted(values) != list(range(1, len(group) + 1)):
        raise Invalid({"order": _l("Give each tied sheet a different place, from 1 to %(n)d.",
                                   n=len(group))})
    entries = {e.id: e for e in session.scalars(
        select(Entry).where(Entry.id.in_([r.entry_id for r in group])))}
    for row, value in zip(group, values, strict=True):
        entries[row.entry_id].tie_order = value
    session.flush()


def _tie_group(rankings: list[CategoryRanking], ficha_ids: set[int]) -> list[Ranked] | None:
    for ranking in rankings:
        for group in ranking.ties():
            if {r.ficha_id for r in group} == ficha_ids:
                return group
    return None
