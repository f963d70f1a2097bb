"""The demo contest (forum/demo_data/contests.json), loaded by `flask demo load` through the
same use cases facilitators and jurors use."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from forum.communities.models import Call
from forum.contests import demo, scoring
from forum.contests.models import Award, Contest, ContestState, Entry, Juror, Score
from forum.extensions import db


def test_the_demo_runs_a_published_contest_on_a_demo_call(app, client):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "demo contest" in result.stderr  # its own progress bar
    contest = db.session.scalar(select(Contest))
    assert contest.state == ContestState.PUBLISHED
    assert 2 <= len(contest.categories) <= 3
    assert [d.name for d in contest.dimensions] == [
        "Articulación de actores", "Recursos disponibles", "Planificación",
        "Participación ciudadana", "Flexibilidad e innovación en la gestión"]
    assert (contest.score_min, contest.score_max) == (1, 5)
    assert db.session.scalar(select(func.count(Juror.id))) == 2
    data = json.loads(demo.DATA.read_text(encoding="utf-8"))
    assert len(data["scores"]) == 2 * len(data["entries"])  # each juror scores each sheet
    assert db.session.scalar(select(func.count(Score.id))) == 5 * len(data["scores"])
    rankings = scoring.aggregate(db.session, contest)
    assert all(r.jurors == 2 for rk in rankings for r in rk.rows)
    assert any(rk.ties() and rk.settled(rk.ties()[0]) for rk in rankings)  # a tie, settled
    first = db.session.scalars(select(Award).where(Award.kind == "first")).all()
    assert len(first) == len(contest.categories)

    page = client.get(f"/convocatorias/{contest.call_id}/concurso/resultados")
    assert page.status_code == 200 and "Primer lugar" in page.get_data(as_text=True)
    call = client.get(f"/convocatorias/{contest.call_id}").get_data(as_text=True)
    assert "Concurso de buenas prácticas" in call and "Mención honrosa" in call
    # a contest of its own call, judged after the call closed; the demo's open call stays
    # open for people trying the forum out
    assert '<span class="tag">Cerrada</span>' in call
    assert db.session.get(Call, contest.call_id).closes_at < datetime.now(UTC).replace(tzinfo=None)
    assert db.session.scalar(select(func.count(Call.id))) == 2
    sheet = db.session.get(Entry, first[0].entry_id).ficha_id
    assert "Primer lugar" in client.get(f"/fichas/{sheet}").get_data(as_text=True)
