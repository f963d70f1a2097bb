"""Use cases on sheets, on SQLite and PostgreSQL alike."""

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum.accounts.models import Role
from forum.core.errors import Conflict, Invalid, NotAllowed
from forum.extensions import db
from forum.fichas import services
from forum.fichas.models import Ficha, FichaRevision
from tests.conftest import ficha_data, make_ficha, make_user

pytestmark = pytest.mark.both_backends


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_stores_rendered_html_and_first_revision(app):
    owner = make_user()
    ficha = make_ficha(owner=owner, lessons="**Los acuerdos** son la clave.")
    assert ficha.version == 1
    assert "<strong>Los acuerdos</strong>" in ficha.lessons_html
    revs = services.list_revisions(db.session, ficha.id)
    assert [r.number for r in revs] == [1]
    assert revs[0].snapshot["lessons"] == "**Los acuerdos** son la clave."
    assert ficha.themes == ["land_use_planning"]
    assert not ficha.lessons_missing


def test_invalid_sheet_reports_every_field_and_writes_nothing(app):
    owner = make_user()
    bad = ficha_data(title="", country="XX", themes=["astrologia"], lessons="x" * 20_001,
                     start_year=2020, end_year=2019)
    with pytest.raises(Invalid) as err:
        services.create_ficha(db.session, owner, bad)
    assert {"title", "country", "themes", "lessons"} <= set(err.value.fields)
    db.session.rollback()
    assert count(Ficha) == 0 and count(FichaRevision) == 0


def test_end_before_start_and_finished_without_end(app):
    owner = make_user()
    with pytest.raises(Invalid) as err:
        services.create_ficha(db.session, owner, ficha_data(start_year=2020, end_year=2019))
    assert "end_year" in err.value.fields
    with pytest.raises(Invalid) as err:
        services.create_ficha(db.session, owner, ficha_data(status="finished", end_year=None))
    assert "end_year" in err.value.fields


def test_revise_keeps_every_version(app):
    owner = make_user()
    ficha = make_ficha(owner=owner)
    for n in range(2, 5):
        services.revise_ficha(db.session, owner, ficha.id,
                              ficha.values() | {"results": f"Resultado {n}"},
                              base_version=ficha.version, edit_summary=f"cambio {n}")
        db.session.commit()
    revs = services.list_revisions(db.session, ficha.id)
    assert [r.number for r in revs] == [4, 3, 2, 1]
    assert revs[0].snapshot["results"] == "Resultado 4"
    assert revs[1].summary == "cambio 3"
    assert ficha.version == 4


def test_saving_unchanged_sheet_adds_no_revision(app):
    owner = make_user()
    ficha = make_ficha(owner=owner)
    services.revise_ficha(db.session, owner, ficha.id, ficha.values(), base_version=1)
    db.session.commit()
    assert ficha.version == 1 and count(FichaRevision) == 1


def test_stale_version_is_a_conflict_and_overwrites_nothing(app):
    owner = make_user()
    ficha = make_ficha(owner=owner)
    services.revise_ficha(db.session, owner, ficha.id, ficha.values() | {"keys": "A"},
                          base_version=1)
    db.session.commit()
    with pytest.raises(Conflict) as err:
        services.revise_ficha(db.session, owner, ficha.id, ficha.values() | {"keys": "B"},
                              base_version=1)
    assert err.value.current.version == 2
    db.session.rollback()
    assert db.session.get(Ficha, ficha.id).keys == "A"


def test_two_editors_racing_from_same_version(app):
    """Two real sessions load version 1 and save at once: one wins, the other gets Conflict."""
    owner, editor = make_user(), make_user()
    ficha = make_ficha(owner=owner)
    services.add_editor(db.session, owner, ficha.id, editor.email)
    db.session.commit()
    ficha_id = ficha.id
    engine = db.engine
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(person_id: int, text: str) -> None:
        with app.app_context(), Session(engine) as session:
            person = session.get(type(owner), person_id)
            sheet = session.get(Ficha, ficha_id)
            values = sheet.values() | {"lessons": text}
            barrier.wait()
            try:
                services.revise_ficha(session, person, ficha_id, values, base_version=1)
                session.commit()
                outcomes[text] = "saved"
            except Conflict:
                session.rollback()
                outcomes[text] = "conflict"

    threads = [threading.Thread(target=save, args=(owner.id, "texto de la dueña")),
               threading.Thread(target=save, args=(editor.id, "texto del coeditor"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    db.session.expire_all()
    winner = next(k for k, v in outcomes.items() if v == "saved")
    saved = db.session.get(Ficha, ficha_id)
    assert saved.lessons == winner and saved.version == 2
    assert count(FichaRevision) == 2


def test_revert_creates_a_new_revision_with_old_content(app):
    owner = make_user()
    ficha = make_ficha(owner=owner, lessons="original")
    services.revise_ficha(db.session, owner, ficha.id, ficha.values() | {"lessons": "cambiado"},
                          base_version=1)
    db.session.commit()
    services.revert_ficha(db.session, owner, ficha.id, 1, base_version=2)
    db.session.commit()
    assert ficha.lessons == "original" and ficha.version == 3
    assert "1" in services.list_revisions(db.session, ficha.id)[0].summary


def test_only_owner_coeditors_and_facilitators_edit(app):
    owner, stranger, editor = make_user(), make_user(), make_user()
    facilitator = make_user(role=Role.FACILITATOR)
    ficha = make_ficha(owner=owner)
    with pytest.raises(NotAllowed):
        services.revise_ficha(db.session, stranger, ficha.id, ficha.values() | {"keys": "x"},
                              base_version=1)
    with pytest.raises(NotAllowed):
        services.add_editor(db.session, stranger, ficha.id, stranger.email)
    db.session.rollback()
    services.add_editor(db.session, owner, ficha.id, editor.email)
    db.session.commit()
    for n, person in enumerate((editor, facilitator), start=1):
        services.revise_ficha(db.session, person, ficha.id, ficha.values() | {"keys": str(n)},
                              base_version=ficha.version)
        db.session.commit()
    assert ficha.version == 3


def test_add_editor_refuses_unknown_and_duplicates(app):
    owner, editor = make_user(), make_user()
    ficha = make_ficha(owner=owner)
    with pytest.raises(Invalid):
        services.add_editor(db.session, owner, ficha.id, "nadie@example.org")
    with pytest.raises(Invalid):
        services.add_editor(db.session, owner, ficha.id, owner.email)
    services.add_editor(db.session, owner, ficha.id, editor.email)
    with pytest.raises(Invalid):
        services.add_editor(db.session, owner, ficha.id, editor.email)


def test_completeness_asks_first_for_lessons_keys_benefits(app):
    from forum.fichas.completeness import assess

    owner = make_user()
    ficha = make_ficha(owner=owner)
    guide = assess(ficha.values())
    assert [g.field for g in guide.gaps[:3]] == ["lessons", "keys", "benefits"]
    assert ficha.lessons_missing
    words = " ".join(["palabra"] * 60)
    full = make_ficha(owner=owner, **{k: words for k in (
        "lessons", "keys", "benefits", "results", "problem", "strategy", "objectives",
        "sustainability", "contacts", "summary")}, actors=["ngo", "municipality"])
    assert assess(full.values()).score == 100 and full.completeness == 100


def test_light_access_check_agrees_with_the_full_sheet(app):
    """Pages check permissions on FichaAccess (one query); it must say what the sheet says."""
    from forum.core.permissions import can_edit_ficha, can_manage_editors

    owner, editor, stranger = make_user(), make_user(), make_user()
    facilitator = make_user(role=Role.FACILITATOR)
    ficha = make_ficha(owner=owner)
    services.add_editor(db.session, owner, ficha.id, editor.email)
    db.session.commit()
    access = services.ficha_access(db.session, ficha.id)
    assert access.editor_ids == {editor.id} and access.version == ficha.version
    for person in (owner, editor, stranger, facilitator, None):
        for check in (can_edit_ficha, can_manage_editors):
            assert check(person, access) == check(person, ficha), (person, check)
