"""The live layer against a real server process, with real python-socketio clients."""

from __future__ import annotations

import json

import pytest
import requests
import websocket
from sqlalchemy import func, select

from forum.accounts import services as accounts
from forum.accounts.models import Role
from forum.communities.models import Community, Membership
from forum.extensions import db
from forum.spaces import services
from forum.spaces.models import Post
from tests.conftest import PASSWORD, ficha_data, make_ficha, make_user
from tests.live.site import LiveClient, form_token, log_in, wait_for
from tests.spaces.factories import make_root, make_space


@pytest.fixture
def clients():
    made: list[LiveClient] = []

    def make(site, person=None, server=None) -> LiveClient:
        server = server or site.server
        web = log_in(server, person.email, PASSWORD) if person is not None else None
        client = LiveClient(server, web).connect()
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def oversized_packet_cuts_the_link(server, space_id: int) -> bool:
    """Speak Engine.IO over a raw websocket and send a 300 KB event: the server must close
    the link (it takes packets up to 100 KB) rather than read it."""
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket", timeout=10)
    try:
        assert ws.recv().startswith("0")  # the open packet
        ws.send("40/live,")
        assert ws.recv().startswith("40/live")
        ws.send("42/live," + json.dumps(["post", {"space_id": space_id, "body": "x" * 300_000}]))
        try:
            while True:
                if not ws.recv():
                    return True
        except (websocket.WebSocketConnectionClosedException, ConnectionError):
            return True
    finally:
        ws.shutdown()  # close() leaves the socket open once the server has cut the link


def posts_in(space_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Post.id)).where(Post.space_id == space_id))


def test_a_question_posted_by_one_reaches_the_other_at_once(site, clients):
    space = make_space(kind="conference")
    ana, luis = make_user(name="Ana Quispe"), make_user(name="Luis Mamani")
    asker, other, visitor = clients(site, ana), clients(site, luis), clients(site)
    room = f"space:{space.id}"
    for client in (asker, other, visitor):
        ack = client.join(room)
        assert ack["ok"] is True and ack["last_id"] == 0
    ack = asker.call("post", {"space_id": space.id, "body": "¿Cómo sostuvieron la feria?"})
    assert ack["ok"] is True and ack["item"]["body"] == "¿Cómo sostuvieron la feria?"
    seen = wait_for(lambda: other.of_type("question.created"), what="the question")
    event = seen[0]
    assert event["room"] == room and event["id"] > 0
    assert event["data"]["post_id"] == ack["item"]["id"]
    assert "¿Cómo sostuvieron la feria?" in event["data"]["html"]
    assert "Ana Quispe" in event["data"]["html"]
    assert "/apoyar" in event["data"]["html"]  # a participant may support it from there
    shown = wait_for(lambda: visitor.of_type("question.created"), what="the visitor's copy")
    assert "/apoyar" not in shown[0]["data"]["html"]  # a visitor's copy has no forms
    assert shown[0]["id"] == event["id"]


def test_posting_through_the_form_makes_the_same_event(site, clients):
    space = make_space(kind="debate")
    author, reader = make_user(), make_user()
    watcher = clients(site, reader)
    watcher.join(f"space:{space.id}")
    web = log_in(site.server, author.email, PASSWORD)
    sent = web.post(f"{site.server.url}/espacios/{space.id}/publicar", allow_redirects=False,
                    data={"csrf_token": form_token(web, site.server, f"/espacios/{space.id}"),
                          "stance": "against", "body": "La consulta previa no fue real."})
    web.close()
    assert sent.status_code == 302
    event = wait_for(lambda: watcher.of_type("position.created"), what="the position")[0]
    assert "La consulta previa no fue real." in event["data"]["html"]
    assert "balance" in event["data"]["balance_html"]  # the stance balance moves too


def test_visitors_may_follow_but_not_post(site, clients):
    space = make_space(kind="conference")
    visitor = clients(site)
    assert visitor.join(f"space:{space.id}")["ok"] is True
    refused = visitor.call("post", {"space_id": space.id, "body": "Soy anónimo"})
    assert refused["ok"] is False and "Inicia sesión" in refused["error"]
    wait_for(lambda: visitor.errors, what="the error event")
    assert visitor.errors[0]["event"] == "post"
    assert posts_in(space.id) == 0


def test_malformed_and_oversized_messages_are_refused_and_the_server_stays_up(site, clients):
    space = make_space(kind="conference")
    person = make_user()
    client = clients(site, person)
    for bad in ({"room": "space:abc"}, {"room": "users:1"}, {}, {"room": ["space:1"]}):
        answer = client.join(bad)
        assert answer["ok"] is False and answer["error"], bad
    assert client.call("join", "space:1")["ok"] is False  # not an object
    assert client.call("resume", {"room": f"space:{space.id}", "after": -3})["ok"] is False
    assert client.call("launch", {"x": 1})["ok"] is False  # no such event
    assert client.call("post", {"space_id": space.id, "body": "x", "role": "admin"})["ok"] is False
    too_long = client.call("post", {"space_id": space.id, "body": "palabra " * 9000})
    assert too_long["ok"] is False
    assert posts_in(space.id) == 0
    assert oversized_packet_cuts_the_link(site.server, space.id)
    assert site.server.alive()
    fresh = clients(site, make_user())
    assert fresh.join(f"space:{space.id}")["ok"] is True


def test_a_client_that_dropped_gets_exactly_what_it_missed(site, clients):
    space = make_space(kind="conference")
    asker, reader = make_user(), make_user()
    first = make_root(space=space, by=asker, body="Antes de la caída")
    room = f"space:{space.id}"
    client = clients(site, reader)
    seen_before = client.join(room)["last_id"]
    client.close()
    missed = [make_root(space=space, by=asker, body=f"Mientras tanto {n}").id for n in range(5)]
    again = clients(site, reader)
    ack = again.join(room)
    assert ack["last_id"] > seen_before
    answer = again.call("resume", {"room": room, "after": seen_before})
    assert answer["ok"] is True and answer["sent"] == 5
    got = wait_for(lambda: len(again.events) >= 5 and again.events, what="five events")
    assert [e["data"]["post_id"] for e in got] == missed  # in order, none twice
    assert first.id not in [e["data"]["post_id"] for e in got]
    assert [e["id"] for e in got] == sorted({e["id"] for e in got})
    assert again.call("resume", {"room": room, "after": ack["last_id"]})["sent"] == 0


def test_a_members_only_space_is_never_heard_from_outside(site, clients):
    facilitator = make_user(role=Role.FACILITATOR)
    group = Community(name="Red de turismo comunitario", created_by_id=facilitator.id)
    db.session.add(group)
    db.session.commit()
    member, outsider = make_user(), make_user()
    db.session.add(Membership(community_id=group.id, user_id=member.id))
    db.session.commit()
    space = make_space(kind="conference", community_id=group.id, members_only=True)
    inside, outside, visitor = clients(site, member), clients(site, outsider), clients(site)
    assert inside.join(f"space:{space.id}")["ok"] is True
    assert outside.join(f"space:{space.id}")["ok"] is False
    assert visitor.join(f"space:{space.id}")["ok"] is False
    assert inside.call("post", {"space_id": space.id, "body": "Solo para la red"})["ok"]
    wait_for(lambda: inside.of_type("question.created"), what="the member's event")
    assert not outside.events and not visitor.events


def test_a_hidden_post_vanishes_for_participants_and_stays_for_facilitators(site, clients):
    space = make_space(kind="conference")
    author, reader = make_user(), make_user()
    facilitator = make_user(role=Role.FACILITATOR)
    question = make_root(space=space, by=author, body="Algo fuera de lugar")
    watcher, moderator = clients(site, reader), clients(site, facilitator)
    for client in (watcher, moderator):
        client.join(f"space:{space.id}")
    web = moderator.web
    sent = web.post(f"{site.server.url}/moderacion/posts/{question.id}/ocultar",
                    allow_redirects=False,
                    data={"csrf_token": form_token(web, site.server, f"/espacios/{space.id}"),
                          "reason": "Fuera del tema de la conferencia"})
    assert sent.status_code == 302
    gone = wait_for(lambda: watcher.of_type("post.hidden"), what="the hide")[0]
    assert gone["data"]["post_id"] == question.id and gone["data"]["html"] is None
    kept = wait_for(lambda: moderator.of_type("post.hidden"), what="the facilitator's copy")[0]
    assert "Fuera del tema de la conferencia" in kept["data"]["html"]


def test_a_held_question_reaches_facilitators_only(site, clients):
    space = make_space(kind="conference", hold_questions=True)
    reader, facilitator = make_user(), make_user(role=Role.FACILITATOR)
    watcher, moderator = clients(site, reader), clients(site, facilitator)
    for client in (watcher, moderator):
        client.join(f"space:{space.id}")
    asker = clients(site, make_user())
    assert asker.call("post", {"space_id": space.id, "body": "¿Me la aprueban?"})["ok"]
    held = wait_for(lambda: moderator.of_type("question.created"), what="the held question")
    assert "¿Me la aprueban?" in held[0]["data"]["html"]
    assert asker.call("post", {"space_id": space.id, "body": "¿Y esta?"})["ok"]
    wait_for(lambda: len(moderator.of_type("question.created")) == 2, what="the second")
    assert not watcher.of_type("question.created")  # the participant heard of neither


def test_presence_and_unread_counts(site, clients):
    space = make_space(kind="conference")
    asker, fan = make_user(), make_user()
    question = make_root(space=space, by=asker, body="¿Cuántas familias participan?")
    mine, theirs = clients(site, asker), clients(site, fan)
    assert mine.join(f"space:{space.id}")["present"] == 1
    assert theirs.join(f"space:{space.id}")["present"] == 2
    wait_for(lambda: any(p["count"] == 2 for p in mine.presence), what="two people here")
    assert theirs.call("post", {"reply_to": question.id, "body": "Unas trescientas"})["ok"]
    wait_for(lambda: mine.unread and mine.unread[-1]["count"] == 1, what="the unread count")
    theirs.close()
    wait_for(lambda: mine.presence and mine.presence[-1]["count"] == 1, what="one left")


def test_a_sheet_page_hears_of_a_new_version(site, clients):
    owner = make_user()
    ficha = make_ficha(owner=owner, title="Ferias agroecológicas en Sucre")
    _token, secret = accounts.create_token(db.session, owner, "tests")
    db.session.commit()
    reader = clients(site, make_user())
    assert reader.join(f"ficha:{ficha.id}")["ok"] is True
    assert reader.join("ficha:999999")["ok"] is False  # no such sheet
    sent = requests.put(f"{site.server.url}/api/v1/fichas/{ficha.id}",
                        json=ficha_data(title="Ferias agroecológicas en Sucre y Potosí")
                        | {"version": 1}, headers={"Authorization": f"Bearer {secret}"},
                        timeout=10)
    assert sent.status_code == 200, sent.text
    event = wait_for(lambda: reader.of_type("ficha.revised"), what="the revision")[0]
    assert event["data"]["version"] == 2 and "versión 2" in event["data"]["html"]
    assert event["data"]["title"] == "Ferias agroecológicas en Sucre y Potosí"


def test_the_api_and_a_support_make_the_same_live_events(site, clients):
    space = make_space(kind="conference")
    asker, fan, speaker = make_user(), make_user(), make_user(name="Eva Ponente")
    services.add_speaker(db.session, make_user(role=Role.FACILITATOR), space.id, speaker.email)
    db.session.commit()
    _token, secret = accounts.create_token(db.session, asker, "tests")
    db.session.commit()
    watcher, on_stage = clients(site, fan), clients(site, speaker)
    for client in (watcher, on_stage):
        client.join(f"space:{space.id}")
    sent = requests.post(f"{site.server.url}/api/v1/spaces/{space.id}/posts",
                         json={"body": "¿Se puede replicar en la costa?"},
                         headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert sent.status_code == 201, sent.text
    question_id = sent.json()["id"]
    created = wait_for(lambda: watcher.of_type("question.created"), what="the API's question")
    assert created[0]["data"]["post_id"] == question_id
    staged = wait_for(lambda: on_stage.of_type("question.created"), what="the speaker's copy")
    assert "Responder" in created[0]["data"]["html"]  # participants may reply
    assert "/respondida" in staged[0]["data"]["html"]  # the speaker may mark it answered
    assert "/respondida" not in created[0]["data"]["html"]
    web = watcher.web
    supported = web.post(f"{site.server.url}/posts/{question_id}/apoyar", allow_redirects=False,
                         data={"csrf_token": form_token(web, site.server,
                                                        f"/espacios/{space.id}")})
    assert supported.status_code == 302
    counted = wait_for(lambda: on_stage.of_type("question.supported"), what="the support")
    assert counted[0]["data"]["support_count"] == 1


def test_long_polling_carries_the_same_events(site):
    space = make_space(kind="conference")
    poller = LiveClient(site.server).connect(transports=("polling",))
    try:
        assert poller.join(f"space:{space.id}")["ok"] is True
        asker = LiveClient(site.server, log_in(site.server, make_user().email, PASSWORD))
        asker.connect()
        assert asker.call("post", {"space_id": space.id, "body": "¿Y sin websockets?"})["ok"]
        got = wait_for(lambda: poller.of_type("question.created"), what="a polled event")
        assert "¿Y sin websockets?" in got[0]["data"]["html"]
        asker.close()
    finally:
        poller.close()


def test_connections_from_another_origin_are_refused(site):
    """Another site's page cannot open a socket with its visitors' cookies."""
    handshake = f"{site.server.url}/socket.io/?EIO=4&transport=polling"
    assert requests.get(handshake, headers={"Origin": "https://evil.example"},
                        timeout=10).status_code == 400
    same = requests.get(handshake, headers={"Origin": site.server.url}, timeout=10)
    assert same.status_code == 200 and same.text.startswith("0")


def test_a_dilemma_over_the_socket_takes_the_api_fields(site, clients):
    workshop = make_space(kind="workshop")
    author = clients(site, make_user())
    card_watcher = clients(site, make_user())
    card_watcher.join(f"space:{workshop.id}")
    sent = author.call("post", {"space_id": workshop.id, "title": "¿Cómo seguir sin fondos?",
                                "context": "Se acabó el proyecto", "options": "Cuotas, feria",
                                "constraints": "Poca liquidez", "body": "¿Qué harían?"})
    assert sent["ok"] is True, sent
    card = wait_for(lambda: card_watcher.of_type("dilemma.created"), what="the new card")[0]
    assert card["data"]["unit"] == "card" and "¿Cómo seguir sin fondos?" in card["data"]["html"]
