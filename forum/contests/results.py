"""The public results of a contest: awards per category and the tables contest organisers
publish (submissions per category, per country and region, per kind of organisation),
for the page and its CSV, in three queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.communities.models import CallSubmission
from forum.contests import awards as awarding
from forum.contests.models import Contest, Entry
from forum.core import vocab
from forum.fichas.models import Ficha, FichaTag

NO_CATEGORY = 0  # the column of sheets sent to the call that were never placed


@dataclass
class Results:
    contest: Contest
    awards: dict[int, list[awarding.Awarded]]
    columns: list[tuple[int, str]]  # (category id, name), "no category" last if any
    total: int = 0
    by_category: Counter = field(default_factory=Counter)
    # country code -> Counter of category ids
    by_country: dict[str, Counter] = field(default_factory=dict)
    by_region: Counter = field(default_factory=Counter)  # (country, region) -> sheets
    by_actor: Counter = field(default_factory=Counter)  # actor code -> sheets naming it

    def countries(self) -> list[tuple[str, Counter]]:
        """Most sheets first, then by name."""
        return sorted(self.by_country.items(),
                      key=lambda kv: (-sum(kv[1].values()), vocab.country_name(kv[0])))

    def regions(self) -> list[tuple[str, str, int]]:
        return sorted(((c, r, n) for (c, r), n in self.by_region.items()),
                      key=lambda t: (vocab.country_name(t[0]), t[1].casefold()))

    def actors(self) -> list[tuple[str, int]]:
        """Every kind of organisation, in the vocabulary's order, zeros included."""
        return [(code, self.by_actor.get(code, 0)) for code in vocab.ACTORS]

    def share(self, n: int) -> int:
        return round(100 * n / self.total) if self.total else 0


def results(session: Session, contest: Contest) -> Results:
    """Every sheet sent to the call is counted, in its category or under "no category"."""
    rows = session.execute(
        select(Ficha.id, Ficha.country, Ficha.region, Entry.category_id)
        .join(CallSubmission, CallSubmission.ficha_id == Ficha.id)
        .outerjoin(Entry, (Entry.submission_id == CallSubmission.id)
                   & (Entry.contest_id == contest.id))
        .where(CallSubmission.call_id == contest.call_id)).all()
    columns = [(c.id, c.name) for c in contest.categories]
    found = Results(contest, awarding.awards_of(session, contest), columns, total=len(rows))
    for _id, country, region, category_id in rows:
        column = category_id or NO_CATEGORY
        found.by_category[column] += 1
        found.by_country.setdefault(country, Counter())[column] += 1
        found.by_region[(country, (region or "").strip())] += 1
    if found.by_category[NO_CATEGORY]:
        found.columns.append((NO_CATEGORY, str(_l("No category"))))
    ids = [r[0] for r in rows]
    if ids:
        for (code,) in session.execute(select(FichaTag.code).where(
                FichaTag.kind == "actors", FichaTag.ficha_id.in_(ids))):
            found.by_actor[code] += 1
    return found


def csv_rows(found: Results) -> list[list[str | int]]:
    """One long table (table, code, label, category, sheets): easy to pivot in a
    spreadsheet; category is empty on totals."""
    names = dict(found.columns)
    rows: list[list[str | int]] = []
    for cid, name in found.columns:
        rows.append(["category", cid or "", name, name, found.by_category.get(cid, 0)])
    for code, counts in found.countries():
        label = vocab.country_name(code)
        rows.append(["country", code, label, "", sum(counts.values())])
        rows += [["country", code, label, names[cid], n] for cid, n in counts.items()]
    rows += [["region", code, f"{vocab.country_name(code)} — {region or '—'}", "", n]
             for code, region, n in found.regions()]
    rows += [["actor", code, vocab.label(vocab.ACTORS, code), "", n]
             for code, n in found.actors()]
    return rows
