"""The index follows the database after commit, survives failures, and can be checked,
repaired and rebuilt; concurrent writers never meet a lock error."""

import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db
from forum.fichas import services as fichas
from forum.search.documents import Document
from forum.search.models import PendingIndex
from forum.spaces import posting
from tests.conftest import ficha_data, make_ficha, make_user
from tests.search.conftest import keys
from tests.spaces.factories import make_root, make_space

pytestmark = pytest.mark.both_backends


def engine(app):  # noqa: ANN001, ANN201
    return app.extensions["forum.search"]


def pending() -> int:
    return db.session.scalar(select(func.count(PendingIndex.id))) or 0


def cli(app, *args):  # noqa: ANN001, ANN002, ANN201
    return app.test_cli_runner().invoke(args=["search", *args])


def test_changes_reach_the_index_after_commit_and_rollbacks_never(app, find):
    owner = make_user()
    fichas.create_ficha(db.session, owner, ficha_data(lessons="Biodigestores familiares."))
    db.session.rollback()
    assert find("biodigestores").total == 0 and pending() == 0
    ficha = make_ficha(owner=owner, lessons="Biodigestores familiares.")
    assert keys(find("biodigestores")) == [f"ficha:{ficha.id}"] and pending() == 0
    fichas.revise_ficha(db.session, owner, ficha.id, ficha_data(lessons="Cocinas mejoradas."),
                        base_version=ficha.version)
    db.session.commit()
    assert find("biodigestores").total == 0
    assert keys(find("cocinas mejoradas")) == [f"ficha:{ficha.id}"]


def test_an_index_failure_loses_nothing_and_is_repaired(app, find, monkeypatch):
    space = make_space(kind="contribution")
    author = make_user()
    before = make_root(space=space, by=author, title="Ferias", body="Ferias de trueque.")

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError("No space left on device")

    monkeypatch.setattr(engine(app).backend, "write", broken)
    post = make_root(space=space, by=author, title="Chuño", body="El chuño se seca al sol.")
    posting.edit_post(db.session, author, before.id, {"title": "Ferias",
                                                      "body": "Ferias de semillas."})
    db.session.commit()
    # the content is saved; the index is only late, and says nothing stale meanwhile
    assert db.session.get(type(post), post.id).body == "El chuño se seca al sol."
    assert find("chuño").total == 0
    assert find("trueque").total == 0 and find("semillas").total == 0
    row = db.session.scalars(select(PendingIndex)).first()
    assert pending() >= 2 and row.attempts >= 1 and "No space left" in row.last_error
    report = cli(app, "check")
    assert report.exit_code == 1
    assert "stale: 1" in report.output and f"post:{before.id}" in report.output
    assert f"missing: 1 (post:{post.id})" in report.output and "pending: " in report.output
    monkeypatch.undo()
    repaired = cli(app, "check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert keys(find("chuño")) == [f"post:{post.id}"]
    assert keys(find("semillas")) == [f"post:{before.id}"] and find("trueque").total == 0
    assert cli(app, "check").exit_code == 0 and pending() == 0


def test_check_finds_stale_and_orphan_entries_and_repair_fixes_them(app, find):
    ficha = make_ficha(owner=make_user(), lessons="Terrazas de cultivo.")
    backend = engine(app).backend
    stale = Document(key=f"ficha:{ficha.id}", kind="ficha", ref_id=ficha.id,
                     title="Otra cosa", parts=(("lessons", "Nada de terrazas."),),
                     date=datetime(2020, 1, 1), country="BO")
    orphan = Document(key="ficha:999999", kind="ficha", ref_id=999999, title="Huérfana",
                      parts=(("lessons", "Terrazas fantasma."),), date=datetime(2020, 1, 1))
    backend.write([stale, orphan], [])
    report = cli(app, "check")
    assert report.exit_code == 1
    assert f"stale: 1 (ficha:{ficha.id})" in report.output
    assert "orphans: 1 (ficha:999999)" in report.output
    assert cli(app, "check", "--repair").exit_code == 0
    assert keys(find("terrazas")) == [f"ficha:{ficha.id}"]
    assert "the index matches the database" in cli(app, "check").output


def test_reindex_rebuilds_everything_from_the_database(app, find):
    owner = make_user()
    made = [make_ficha(owner=owner, title=f"Ayni {n}", lessons="El ayni sostiene.")
            for n in range(3)]
    post = make_root(space=make_space(kind="contribution"), by=owner, title="Ayni",
                     body="Ayni y minka.")
    backend = engine(app).backend
    backend.write([], [f"ficha:{f.id}" for f in made] + [f"post:{post.id}"])
    assert find("ayni").total == 0
    result = cli(app, "reindex")
    assert result.exit_code == 0, result.output
    assert "indexed " in result.output and backend.name in result.output
    assert find("ayni").total == 4
    assert cli(app, "check").exit_code == 0


def test_concurrent_writers_never_raise_lock_errors(app, find):
    space = make_space(kind="contribution")
    writers = [make_user() for _ in range(6)]
    errors: list[BaseException] = []
    ids = [(w.id, space.id) for w in writers]

    def write(user_id: int, space_id: int) -> None:
        try:
            with app.app_context():
                for n in range(4):
                    person = db.session.get(User, user_id)
                    posting.post_root(db.session, person, space_id,
                                      {"title": f"Hilo {user_id}-{n}", "body": "Minga comunal."})
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - the test reports any of them
            errors.append(exc)

    threads = [threading.Thread(target=write, args=pair) for pair in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert find("minga").total == 24 and pending() == 0


def test_the_background_indexer(app, find):
    """Changes made by requests are indexed by a thread; commands index before exiting."""
    app.config["SEARCH_INDEXING"] = "thread"
    extension = engine(app)
    assert extension.indexer.mode == "thread"
    owner = make_user()
    try:
        with app.test_request_context():
            ficha = make_ficha(owner=owner, lessons="Cosecha de agua de lluvia.")
        assert extension.indexer.wait_idle(timeout=20)
        assert keys(find("lluvia")) == [f"ficha:{ficha.id}"]
        other = make_ficha(owner=owner, lessons="Atajados para la lluvia.")  # no request
        assert set(keys(find("lluvia"))) == {f"ficha:{ficha.id}", f"ficha:{other.id}"}
    finally:
        extension.indexer.stop()


def test_the_first_request_drains_what_was_left_pending(app, client, find):
    ficha = make_ficha(owner=make_user(), lessons="Semillas nativas.")
    db.session.add(PendingIndex(kind="ficha", ref_id=ficha.id))
    engine(app).backend.write([], [f"ficha:{ficha.id}"])  # as if the process had died
    db.session.commit()
    extension = engine(app)
    extension.indexer.mode = "thread"  # as a web process runs it
    try:
        extension.start_indexer()  # what before_request calls in thread mode
        assert extension.indexer.wait_idle(timeout=20)
        assert keys(find("semillas")) == [f"ficha:{ficha.id}"] and pending() == 0
    finally:
        extension.indexer.stop()
