"""Jurors are told, in their notifications, that they were put on a jury and when it opens,
with a link to their evaluations; the forum's usual refusals apply."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.contests import services
from forum.extensions import db
from forum.notifications.models import Notification, NotificationKind, NotificationSettings
from tests.communities.factories import make_call, make_facilitator
from tests.conftest import make_user
from tests.contests.factories import add_juror, make_contest, step


def notices(person) -> list[Notification]:  # noqa: ANN001
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == person.id, Notification.kind == NotificationKind.JURY.value)
        .order_by(Notification.id)))


def test_a_juror_hears_of_being_put_on_the_jury_and_of_its_opening(client, auth):
    facilitator = make_facilitator(name="Facilitadora Uno")
    call = make_call(by=facilitator, title="Concurso del agua")
    contest = make_contest(by=facilitator, call=call)
    ana = make_user(name="Ana Jurado")
    add_juror(contest=contest, by=facilitator, person=ana)
    assert [n.detail for n in notices(ana)] == ["added"]
    step(services.open_jury, contest, facilitator)
    assert [n.detail for n in notices(ana)] == ["added", "opened"]
    assert all(n.call_id == call.id for n in notices(ana))

    auth.login(ana)
    page = client.get("/avisos").get_data(as_text=True)
    assert "Facilitadora Uno te puso en el jurado del concurso «Concurso del agua»" in page
    assert "El jurado del concurso «Concurso del agua» está abierto" in page
    assert 'href="/concursos/mis-evaluaciones"' in page
    assert client.get("/concursos/mis-evaluaciones").status_code == 200


def test_nobody_else_hears_and_a_juror_who_turned_jury_notices_off_does_not(client, auth):
    facilitator = make_facilitator()
    contest = make_contest(by=facilitator)
    quiet, stranger = make_user(), make_user()
    db.session.add(NotificationSettings(user_id=quiet.id, disabled=[NotificationKind.JURY.value]))
    db.session.commit()
    add_juror(contest=contest, by=facilitator, person=quiet)
    add_juror(contest=contest, by=facilitator, person=facilitator)  # she needs no notice
    step(services.open_jury, contest, facilitator)
    assert notices(quiet) == [] and notices(facilitator) == [] and notices(stranger) == []
    total = db.session.scalar(select(func.count(Notification.id)))
    assert total == 0


def test_jury_notices_can_be_turned_off_on_the_preferences_page(client, auth):
    auth.login(make_user())
    page = client.get("/avisos/preferencias").get_data(as_text=True)
    assert "Jurados de concursos en los que estoy" in page


def test_a_juror_taken_off_the_jury_loses_its_notices_and_others_keep_theirs(client, auth):
    facilitator = make_facilitator()
    contest = make_contest(by=facilitator)
    ana, bruno = make_user(), make_user()
    ana_id = add_juror(contest=contest, by=facilitator, person=ana)
    add_juror(contest=contest, by=facilitator, person=bruno)
    step(services.remove_juror, contest, facilitator, ana_id)
    assert notices(ana) == [] and [n.detail for n in notices(bruno)] == ["added"]
    auth.login(ana)
    assert "jurado" not in client.get("/avisos").get_data(as_text=True)


def test_a_juror_finds_their_evaluations_from_their_own_profile_and_nobody_else_does(client,
                                                                                     auth):
    facilitator = make_facilitator()
    contest = make_contest(by=facilitator)
    ana, beto = make_user(name="Ana Jurado"), make_user(name="Beto Lector")
    add_juror(contest=contest, by=facilitator, person=ana)
    link = 'href="/concursos/mis-evaluaciones"'

    auth.login(ana)
    assert link in client.get(f"/personas/{ana.id}").get_data(as_text=True)
    auth.logout()
    auth.login(beto)  # not on a jury: nothing to point to; and not on someone else's page
    assert link not in client.get(f"/personas/{beto.id}").get_data(as_text=True)
    assert link not in client.get(f"/personas/{ana.id}").get_data(as_text=True)
