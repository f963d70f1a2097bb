"""The jury's use cases and the aggregate, on SQLite and on PostgreSQL: exact means, who
counts, ties, what each person may see, the results tables and the awards beside sheets."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import select

from forum.contests import awards, permissions, results, scoring, services
from forum.contests.models import Entry, Juror
from forum.core.database import count_queries
from forum.extensions import db
from forum.fichas import services as fichas
from forum.fichas.models import Ficha
from forum.fichas.services import ficha_access
from tests.conftest import make_ficha, make_user
from tests.contests.factories import (
    World,
    add_juror,
    category_id,
    enter,
    make_world,
    publish,
    score,
    scored_world,
    step,
)

both_backends = pytest.mark.both_backends


def ranking(contest, name: str) -> scoring.CategoryRanking:
    return next(r for r in scoring.aggregate(db.session, contest) if r.category.name == name)


@both_backends
def test_the_aggregate_is_the_exact_mean_per_dimension_and_their_sum(app):
    w = scored_world()
    social = ranking(w.contest, "Social")
    taraco = next(r for r in social.rows if r.ficha_id == w.taraco.id)
    assert list(taraco.means.values()) == [Fraction(4)] * 5 and taraco.jurors == 2
    economic = ranking(w.contest, "Económica").rows
    assert [r.ficha_id for r in economic] == [w.guaqui.id]
    assert list(economic[0].means.values()) == [Fraction(5, 2), 3, 3, 3, Fraction(7, 2)]
    assert economic[0].total == 15 and economic[0].jurors == 2
    # two totals of 20: a tie, found by exact comparison
    assert [{r.ficha_id for r in g} for g in social.ties()] == [{w.taraco.id, w.capachica.id}]
    assert all(r.tied for r in social.rows)
    # the facilitators settle it: the ranking and the suggested awards follow
    scoring.settle_tie(db.session, w.facilitator, w.contest.id,
                       {w.capachica.id: 1, w.taraco.id: "2"})
    db.session.commit()
    social = ranking(w.contest, "Social")
    assert [r.ficha_id for r in social.rows] == [w.capachica.id, w.taraco.id]
    assert [r.rank for r in social.rows] == [1, 2]
    assert social.settled(social.ties()[0])
    suggestion = awards.suggested(scoring.aggregate(db.session, w.contest))
    assert suggestion[category_id(w.contest, "Social")] == {
        "first": [w.capachica.id], "second": [w.taraco.id], "mention": []}


@both_backends
def test_means_in_thirds_are_compared_exactly(app):
    w = make_world()
    c, fac = w.contest, w.facilitator
    dave = make_user(name="Dave Jurado")
    add_juror(contest=c, by=fac, person=dave)
    step(services.open_jury, c, fac)
    for juror, values in ((w.ana, [4] * 5), (dave, [4] * 5), (w.carla, [5, 4, 4, 4, 4])):
        score(contest=c, juror=juror, ficha=w.taraco, values=values)
    # 13/3 + 4*4 for Taraco; Capachica (Carla co-edits it) gets the same from two jurors
    for juror, values in ((w.ana, [5, 4, 4, 4, 4]), (dave, [4, 4, 4, 4, 4])):
        score(contest=c, juror=juror, ficha=w.capachica, values=values)
    step(services.close_jury, c, fac)
    social = ranking(c, "Social")
    totals = {r.ficha_id: r.total for r in social.rows}
    assert totals[w.taraco.id] == Fraction(13, 3) + 16
    assert totals[w.capachica.id] == Fraction(9, 2) + 16  # 4.5 beats 4.33...
    assert social.ties() == []
    assert [r.ficha_id for r in social.rows] == [w.capachica.id, w.taraco.id]


@both_backends
def test_scores_stop_counting_when_the_juror_gets_a_conflict_or_another_category(app):
    w = scored_world()
    step(services.open_jury, w.contest, w.facilitator)
    fichas.add_editor(db.session, w.taraco.owner, w.taraco.id, w.carla.email)
    db.session.commit()
    taraco = next(r for r in ranking(w.contest, "Social").rows if r.ficha_id == w.taraco.id)
    assert taraco.jurors == 1 and list(taraco.means.values()) == [5, 4, 4, 4, 3]  # Ana's
    services.set_juror_categories(db.session, w.facilitator, w.contest.id, w.jurors["ana"],
                                  [category_id(w.contest, "Económica")])
    db.session.commit()
    taraco = next(r for r in ranking(w.contest, "Social").rows if r.ficha_id == w.taraco.id)
    assert taraco.jurors == 0 and taraco.total is None


def test_the_aggregate_costs_the_same_queries_for_more_sheets(app):
    w = scored_world()
    with count_queries(db.engine) as few:
        scoring.aggregate(db.session, w.contest)
    step(services.open_jury, w.contest, w.facilitator)
    for n in range(6):
        sheet = make_ficha(owner=make_user(), title=f"Otra experiencia {n}")
        enter(contest=w.contest, ficha=sheet, category="Económica")
        score(contest=w.contest, juror=w.bruno, ficha=sheet, values=[n % 5 + 1] * 5)
    db.session.expire_all()
    with count_queries(db.engine) as many:
        rankings = scoring.aggregate(db.session, w.contest)
    assert len(ranking(w.contest, "Económica").rows) == 7 and rankings
    assert many.count <= few.count + 2  # the contest's rows, reloaded after expire_all


@both_backends
def test_results_the_scoring_filter_and_hidden_scores(app):
    w = make_world()
    check_results(w)
    step(services.open_jury, w.contest, w.facilitator)
    check_filter_and_predicate_agree(w)
    check_hidden_until_closed(w)


def check_filter_and_predicate_agree(w: World) -> None:
    """What a juror may score: the query form and the predicate say the same."""
    for juror in db.session.scalars(select(Juror)):
        person = juror.user
        by_query = set(db.session.scalars(
            permissions.scorable_entries(select(Entry.ficha_id), juror)
            .where(Entry.contest_id == w.contest.id)))
        by_predicate = {e.ficha_id for e in db.session.scalars(select(Entry))
                        if permissions.can_score(person, w.contest, juror, e.category_id,
                                                 ficha_access(db.session, e.ficha_id))}
        assert by_query == by_predicate, person.display_name
        desk = scoring.juror_desk(db.session, w.contest, juror)
        assert {s.ficha_id for s in desk.to_score} == by_predicate
    carla = db.session.get(Juror, w.jurors["carla"])
    assert [s.ficha_id for s in scoring.juror_desk(db.session, w.contest, carla).conflicts] == [
        w.capachica.id]


def check_hidden_until_closed(w: World) -> None:
    """Nobody sees another juror's scores before the jury closes."""
    c = w.contest
    score(contest=c, juror=w.ana, ficha=w.taraco, values=[5] * 5, comments=["de Ana"] * 5)
    score(contest=c, juror=w.carla, ficha=w.taraco, values=[1] * 5)
    entry = scoring.entry_of(db.session, c, w.taraco.id)
    for person in (w.ana, w.carla, w.facilitator, w.outsider):
        assert scoring.all_scores(db.session, person, c, entry) == []
    ana = services.juror_for(db.session, c.id, w.ana)
    assert {s.value for s in scoring.own_scores(db.session, entry, ana).values()} == {5}
    assert not permissions.can_see_aggregate(w.facilitator, c)
    step(services.close_jury, c, w.facilitator)
    for person in (w.ana, w.carla, w.facilitator):
        seen = dict(scoring.all_scores(db.session, person, c, entry))
        assert set(seen) == {"Ana Jurado", "Carla Jurado"}
    assert scoring.all_scores(db.session, w.bruno, c, entry) == []  # not his category
    assert scoring.all_scores(db.session, w.outsider, c, entry) == []


def check_results(w: World) -> None:
    """Submissions per category, country, region and kind of organisation."""
    found = results.results(db.session, w.contest)
    social, economic = (category_id(w.contest, n) for n in ("Social", "Económica"))
    assert found.total == 4
    assert dict(found.by_category) == {social: 2, economic: 1, results.NO_CATEGORY: 1}
    assert [cid for cid, _n in found.columns] == [social, economic, results.NO_CATEGORY]
    assert {k: dict(v) for k, v in found.by_country.items()} == {
        "BO": {social: 1, economic: 1}, "PE": {social: 1}, "EC": {results.NO_CATEGORY: 1}}
    assert [code for code, _c in found.countries()][0] == "BO"
    assert dict(found.by_region) == {("BO", "La Paz"): 2, ("PE", "Puno"): 1,
                                     ("EC", "Imbabura"): 1}
    actors = dict(found.actors())
    assert (actors["ngo"], actors["municipality"], actors["university"]) == (3, 2, 0)
    assert found.share(actors["ngo"]) == 75


@both_backends
def test_publishing_bumps_the_sheets_and_shows_their_awards(app):
    w = scored_world()

    def revs() -> dict[int, int]:
        db.session.expire_all()
        return dict(db.session.execute(select(Ficha.id, Ficha.extras_rev)).all())

    before = revs()
    publish(w, {"Social": {"first": [w.capachica], "mention": [w.taraco]},
                "Económica": {"second": [w.guaqui]}})
    after = revs()
    changed = {fid for fid in after if after[fid] != before[fid]}
    assert changed == {w.capachica.id, w.taraco.id, w.guaqui.id}
    won = awards.published_awards_of_ficha(db.session, w.capachica.id)
    assert [(a.kind, a.category) for a in won] == [("first", "Social")]
    assert awards.published_awards_of_ficha(db.session, w.loose.id) == []
    by_category = awards.awards_of(db.session, w.contest)
    assert [a.kind for a in by_category[category_id(w.contest, "Social")]] == ["first",
                                                                               "mention"]
    awards.unpublish_results(db.session, w.facilitator, w.contest.id)
    db.session.commit()
    assert awards.published_awards_of_ficha(db.session, w.capachica.id) == []
    assert {fid for fid, rev in revs().items() if rev != after[fid]} == changed
