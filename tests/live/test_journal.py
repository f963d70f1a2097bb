"""The live journal in-process: what is written with each change, and its pruning."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from forum.core.errors import Invalid
from forum.extensions import db
from forum.live.models import LiveEvent
from tests.conftest import make_user
from tests.spaces.factories import make_reply, make_root, make_space


def journal() -> list[LiveEvent]:
    return list(db.session.scalars(select(LiveEvent).order_by(LiveEvent.id)))


def test_each_change_is_journalled_with_increasing_ids_and_the_space_knows_the_last(app):
    space = make_space(kind="conference")
    question = make_root(space=space, by=make_user(), body="¿Primera?")
    make_reply(to=question, by=make_user(), body="Respuesta")
    rows = journal()
    assert [r.type for r in rows] == ["question.created", "comment.created"]
    assert rows[0].id < rows[1].id and rows[1].root_id == question.id
    db.session.refresh(space)
    assert space.last_event_id == rows[-1].id  # pages carry it to resume from


def test_a_failed_change_leaves_no_live_event(app):
    space = make_space(kind="conference")
    before = len(journal())
    with pytest.raises(Invalid):
        make_root(space=space, by=make_user(), body="")  # an empty question is refused
    db.session.rollback()
    assert len(journal()) == before


def test_prune_keeps_recent_events(app):
    space = make_space(kind="conference")
    make_root(space=space, by=make_user(), body="¿Vieja?")
    make_root(space=space, by=make_user(), body="¿Nueva?")
    old, new = journal()
    old.created_at = datetime(2020, 1, 1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["live", "prune", "--days", "7"])
    assert result.exit_code == 0 and "1 live events" in result.output
    assert [r.id for r in journal()] == [new.id]
    assert app.test_cli_runner().invoke(args=["live", "prune", "--days", "0"]).exit_code == 2
    assert new.created_at > datetime.now() - timedelta(days=1)
