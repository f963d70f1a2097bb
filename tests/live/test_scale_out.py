"""The scale-out setup for real: two server processes on two ports, PostgreSQL, and Redis
as Flask-SocketIO's message queue."""

from __future__ import annotations

from forum.accounts.models import Role
from tests.conftest import PASSWORD, make_user
from tests.live.site import LiveClient, log_in, wait_for
from tests.spaces.factories import make_root, make_space


def connect(site, person, n: int) -> LiveClient:
    server = site.servers[n]
    web = log_in(server, person.email, PASSWORD) if person is not None else None
    return LiveClient(server, web).connect()


def test_a_comment_posted_on_one_process_reaches_a_client_on_the_other(scaled):
    space = make_space(kind="debate")
    position = make_root(space=space, by=make_user(), kind="position", stance="for",
                         body="La mancomunidad funciona")
    here, there = connect(scaled, make_user(), 0), connect(scaled, make_user(), 1)
    facilitator = connect(scaled, make_user(role=Role.FACILITATOR), 1)
    try:
        for client in (here, there, facilitator):
            assert client.join(f"space:{space.id}")["ok"] is True
        sent = here.call("post", {"reply_to": position.id, "body": "En Tarija también"})
        assert sent["ok"] is True
        got = wait_for(lambda: there.of_type("comment.created"), what="the other worker")[0]
        assert "En Tarija también" in got["data"]["html"]
        assert got["data"]["root_id"] == position.id
        staff = wait_for(lambda: facilitator.of_type("comment.created"), what="its staff copy")
        assert staff[0]["id"] == got["id"] and "Ocultar" in staff[0]["data"]["html"]
        assert "Ocultar" not in got["data"]["html"]
    finally:
        for client in (here, there, facilitator):
            client.close()


def test_a_change_made_outside_any_server_reaches_clients_of_both(scaled):
    """What a CLI command or a background job writes is heard live too (through Redis)."""
    space = make_space(kind="conference")
    clients = [connect(scaled, None, 0), connect(scaled, None, 1)]
    try:
        for client in clients:
            client.join(f"space:{space.id}")
        question = make_root(space=space, by=make_user(), body="¿Quién financia la feria?")
        for client in clients:
            got = wait_for(lambda c=client: c.of_type("question.created"), what="the event")
            assert got[0]["data"]["post_id"] == question.id
    finally:
        for client in clients:
            client.close()


def test_resume_on_another_process_after_a_drop(scaled):
    space = make_space(kind="conference")
    reader, asker = make_user(), make_user()
    first = connect(scaled, reader, 0)
    after = first.join(f"space:{space.id}")["last_id"]
    first.close()
    poster = connect(scaled, asker, 1)
    try:
        ids = [poster.call("post", {"space_id": space.id, "body": f"Pregunta {n}"})["item"]["id"]
               for n in range(5)]
        again = connect(scaled, reader, 1)
        again.join(f"space:{space.id}")
        assert again.call("resume", {"room": f"space:{space.id}", "after": after})["sent"] == 5
        got = wait_for(lambda: len(again.events) >= 5 and again.events, what="what it missed")
        assert [e["data"]["post_id"] for e in got] == ids
        again.close()
    finally:
        poster.close()
