"""What people see of notifications: the header count, the list, marking read, the
preferences form; and the daily digest and follow-up reminders run from the CLI."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from forum.accounts.models import Role
from forum.core.database import count_queries
from forum.extensions import db
from forum.notifications import inbox
from forum.notifications.models import Notification, NotificationKind, NotificationSettings, utcnow
from forum.spaces import marks
from forum.spaces.models import Post
from tests.conftest import make_ficha, make_user
from tests.notifications.helpers import notes
from tests.spaces.factories import make_reply, make_root, make_space
from tests.test_interface import E_LEARNING, visible_text


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def english(client) -> None:  # noqa: ANN001
    client.post("/idioma", data={"lang": "en"})


def notifications_queries(statements: list[str]) -> int:
    return sum(1 for s in statements if re.search(r"\bFROM notifications\b", s))


# --- the header -----------------------------------------------------------------------------


def test_the_header_shows_the_unread_count_to_its_owner_read_with_the_person(client, auth):
    author, replier = make_user(), make_user()
    root = make_root(space=make_space(kind="contribution"), by=author)
    make_reply(to=root, by=replier)
    make_reply(to=root, by=replier, body="Otra más.")
    with count_queries(db.engine) as visitor:
        page = text(client.get("/fichas/"))
    assert 'class="count"' not in page and notifications_queries(visitor.statements) == 0
    auth.login(author)
    with count_queries(db.engine) as counter:
        page = text(client.get("/fichas/"))
    assert '<span class="count">2</span>' in page
    counting = [s for s in counter.statements if re.search(r"\bFROM notifications\b", s)]
    assert len(counting) == 1 and re.search(r"\bFROM users\b", counting[0])  # one trip
    client.post("/avisos/leidos")
    assert 'class="count"' not in text(client.get("/fichas/"))
    auth.logout()
    auth.login(replier)
    assert 'class="count"' not in text(client.get("/"))


# --- the list -------------------------------------------------------------------------------


def test_the_list_says_who_did_what_where_and_links_to_it(client, auth):
    facilitator = make_user(role=Role.FACILITATOR, name="Facilitadora Ana")
    debater, critic = make_user(name="Rosa Mamani"), make_user(name="Juan Quispe")
    space = make_space(kind="debate", by=facilitator, title="Mesa del agua")
    position = make_root(space=space, by=debater)
    comment = make_reply(to=position, by=critic, body="Lo vimos distinto, @Rosa_Mamani.")
    ficha = make_ficha(owner=critic, title="Lecheros de Guaqui")
    auth.login(debater)
    english(client)
    page = text(client.get("/avisos"))
    assert "Juan Quispe replied to your position in «Mesa del agua»" in page
    href = f"/espacios/{space.id}/hilos/{position.id}#post-{comment.id}"
    assert f'href="{href}"' in page
    assert client.get(href.split("#")[0]).status_code == 200
    assert ficha.id and "Lecheros" not in page  # nobody edited a sheet of Rosa's
    assert not E_LEARNING.search(visible_text(page))


def test_moderation_and_sheet_notices_read_well(client, auth):
    from forum.fichas import services as fichas
    from forum.spaces import moderation
    from tests.conftest import ficha_data

    facilitator = make_user(role=Role.FACILITATOR, name="Facilitadora Ana")
    owner, editor = make_user(), make_user(name="Eva Cruz")
    ficha = make_ficha(owner=owner, title="Lecheros de Guaqui")
    fichas.add_editor(db.session, owner, ficha.id, editor.email)
    fichas.revise_ficha(db.session, editor, ficha.id, ficha_data(title="Lecheros de Guaqui",
                                                                 lessons="Acuerdos."),
                        base_version=1)
    root = make_root(space=make_space(kind="contribution", by=facilitator, title="Aportes"),
                     by=owner)
    moderation.hide_post(db.session, facilitator, root.id, "Datos personales")
    db.session.commit()
    auth.login(owner)
    english(client)
    page = text(client.get("/avisos"))
    assert "Eva Cruz edited the experience sheet «Lecheros de Guaqui»" in page
    assert f'href="/fichas/{ficha.id}"' in page
    assert "Facilitadora Ana hid your post in «Aportes». Reason: Datos personales" in page


def test_the_list_costs_the_same_queries_for_5_or_50_notifications(client, auth):
    me = make_user()
    actors = [make_user() for _ in range(10)]
    root = make_root(space=make_space(kind="contribution"), by=me)
    replies = [make_reply(to=root, by=a, body=f"Respuesta de {a.display_name}") for a in actors]
    sheets = [make_ficha(owner=me, title=f"Ficha {n}") for n in range(5)]
    db.session.execute(Notification.__table__.delete())  # only the rows added below
    db.session.commit()

    def fill(n: int) -> None:
        for i in range(n):
            kind = ("reply", "mention", "sheet_edited", "moderation")[i % 4]
            on_sheet = kind == "sheet_edited"
            db.session.add(Notification(
                user_id=me.id, kind=kind, detail="hidden" if kind == "moderation" else "",
                actor_id=actors[i % 10].id, created_at=utcnow(),
                post_id=None if on_sheet else replies[i % 10].id,
                space_id=None if on_sheet else root.space_id,
                ficha_id=sheets[i % 5].id if on_sheet else None))
        db.session.commit()

    auth.login(me)

    def cost() -> int:
        with count_queries(db.engine) as counter:
            assert client.get("/avisos").status_code == 200
        return counter.count

    fill(5)
    few = cost()
    fill(45)
    many = cost()
    assert few == many <= 6


def test_marking_read_one_or_all_and_never_someone_elses(client, auth):
    author, other, replier = make_user(), make_user(), make_user()
    root = make_root(space=make_space(kind="contribution"), by=author)
    theirs = make_root(space=root.space, by=other)
    for _ in range(2):
        make_reply(to=root, by=replier)
    make_reply(to=theirs, by=replier)
    mine = db.session.scalars(select(Notification.id).where(
        Notification.user_id == author.id)).all()
    foreign = db.session.scalar(select(Notification.id).where(Notification.user_id == other.id))
    auth.login(author)
    assert client.post("/avisos/leidos", data={"id": mine[0]}).status_code == 302
    assert client.post("/avisos/leidos", data={"id": foreign}).status_code == 302
    assert client.post("/avisos/leidos", data={"id": "1 OR 1=1"}).status_code == 302
    assert inbox.unread_count(db.session, author) == 1
    assert inbox.unread_count(db.session, other) == 1
    client.post("/avisos/leidos")
    assert inbox.unread_count(db.session, author) == 0
    assert inbox.unread_count(db.session, other) == 1


def test_preferences_page_turns_kinds_off_and_opts_into_the_digest(client, auth):
    me = make_user()
    auth.login(me)
    english(client)
    page = text(client.get("/avisos/preferencias"))
    assert page.count("checked") == len(NotificationKind)  # every kind on, digest off
    assert not E_LEARNING.search(visible_text(page))
    response = client.post("/avisos/preferencias", data={"kinds": ["mention", "answer"],
                                                         "digest": "1"})
    assert response.status_code == 302
    settings = db.session.get(NotificationSettings, me.id)
    assert settings.digest and not settings.wants("reply") and settings.wants("mention")
    bad = client.post("/avisos/preferencias", data={"kinds": ["grades"]})
    assert bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(NotificationSettings, me.id).wants("mention")


def test_visitors_are_sent_to_log_in(client):
    for path in ("/avisos", "/avisos/preferencias"):
        assert client.get(path).status_code == 302
    assert client.post("/avisos/leidos").status_code == 302


# --- digest and follow-ups ------------------------------------------------------------------


def _notice(user, created_at, read=False) -> Notification:  # noqa: ANN001
    ficha = make_ficha(owner=user)
    n = Notification(user_id=user.id, kind="sheet_edited", ficha_id=ficha.id,
                     created_at=created_at, read_at=created_at if read else None)
    db.session.add(n)
    db.session.commit()
    return n


def test_the_digest_goes_to_opted_in_people_with_only_what_is_new_and_unread(app):
    subscriber, other = make_user(), make_user()
    inbox.set_preferences(db.session, subscriber, ["sheet_edited"], digest=True)
    now = utcnow()
    old = _notice(subscriber, now - timedelta(days=3))
    fresh = _notice(subscriber, now - timedelta(hours=2))
    _notice(subscriber, now - timedelta(hours=1), read=True)
    _notice(other, now - timedelta(hours=1))
    sent: list[tuple[str, str, str]] = []

    def send(*mail: str) -> None:
        sent.append(mail)

    assert inbox.send_digests(db.session, now, send) == 1
    assert [m[0] for m in sent] == [subscriber.email]
    # the first digest looks back one day: not the old one, not the one already read
    assert [n.id for n in inbox.digest_for(db.session, subscriber, now - timedelta(days=1))] \
        == [fresh.id] != [old.id]
    lines = [line for line in sent[0][2].splitlines() if line.startswith("- ")]
    assert len(lines) == 1 and "«Gestión territorial con los ayllus de Taraco»" in lines[0]
    db.session.commit()
    assert inbox.send_digests(db.session, now + timedelta(minutes=5), send) == 0
    newer = _notice(subscriber, now + timedelta(minutes=10))
    later = now + timedelta(hours=1)
    assert [n.id for n in inbox.digest_for(
        db.session, subscriber, db.session.get(NotificationSettings, subscriber.id)
        .last_digest_at, later)] == [newer.id]
    assert inbox.send_digests(db.session, later, send) == 1 and len(sent) == 2


def test_the_digest_command_prints_mail_with_absolute_links(app):
    author, replier = make_user(), make_user()
    inbox.set_preferences(db.session, author, ["reply"], digest=True)
    root = make_root(space=make_space(kind="contribution"), by=author)
    reply = make_reply(to=root, by=replier)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert f"To: {author.email}" in result.output
    assert f"http://127.0.0.1:5000/espacios/{root.space_id}/hilos/{root.id}#post-{reply.id}" \
        in result.output
    assert "sent 1 digest(s)" in result.output
    again = runner.invoke(args=["notifications", "digest"])
    assert "sent 0 digest(s)" in again.output


def test_the_followups_command_asks_the_author_once(app):
    author = make_user()
    dilemma = make_root(space=make_space(kind="workshop"), by=author, title="¿Fondo?",
                        body="El fondo se descapitaliza.")
    marks.resolve_dilemma(db.session, author, dilemma.id, "Probaré cuotas.")
    db.session.commit()
    runner = app.test_cli_runner()
    assert "0 follow-up" in runner.invoke(args=["notifications", "followups"]).output
    db.session.execute(update(Post).where(Post.id == dilemma.id)
                       .values(followup_due=utcnow() - timedelta(days=1)))
    db.session.commit()
    for _ in range(2):
        result = runner.invoke(args=["notifications", "followups"])
        assert result.exit_code == 0, result.output
    assert notes() == [(author.id, "followup_due", "", None, dilemma.id)]
    assert "1 follow-up" not in result.output  # the second run found it done
