"""Moderation pages and forms as people use them: the queue, the audit log, each action's
form (403 for participants, 422 with the typed text kept, CSRF), and the per-post macro."""

from __future__ import annotations

from typing import Any

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import func, select

from forum.accounts.models import Role, User
from forum.core.database import count_queries
from forum.extensions import db
from forum.spaces import moderation
from forum.spaces.models import Flag, Post
from tests.conftest import make_user
from tests.spaces.test_moderation import (
    audit_count,
    cast,
    fresh,
    make_post,
    make_space,
    open_thread,
    text,
)
from tests.test_interface import E_LEARNING, visible_text

pytestmark = pytest.mark.both_backends


@pytest.fixture
def people(app) -> dict[str, User]:  # noqa: ARG001 - the app context holds db.session
    return cast()


@pytest.fixture
def thread(people: dict[str, User]) -> dict[str, Any]:
    return open_thread(people)


POSTS = ["ocultar", "restaurar", "fijar", "desfijar", "bloquear", "desbloquear", "mover",
         "aprobar", "descartar", "mantener"]


@pytest.mark.parametrize("action", POSTS)
def test_participant_posting_a_moderation_form_gets_403(client, auth, people, thread, action):
    target = make_space(creator=people["fac"])
    auth.login(people["author"])
    response = client.post(f"/moderacion/posts/{thread['root'].id}/{action}",
                           data={"reason": "Porque sí.", "space_id": target.id})
    assert response.status_code == 403
    root = fresh(thread["root"])
    assert (root.status, root.pinned, root.locked, root.space_id) == (
        "visible", False, False, thread["space"].id)
    assert audit_count() == 0


@pytest.mark.parametrize("path", ["/moderacion", "/moderacion/registro"])
def test_moderation_pages_are_for_facilitators(client, auth, people, path):
    assert client.get(path).status_code == 302  # visitors are sent to log in
    auth.login(people["other"])
    assert client.get(path).status_code == 403
    assert "/moderacion" not in text(client.get("/"))  # no nav link either
    auth.logout()
    auth.login(people["fac"])
    assert client.get(path).status_code == 200
    assert 'href="/moderacion"' in text(client.get("/"))


def test_flag_then_hide_through_the_forms(client, auth, people, thread):
    root = thread["root"]
    auth.login(people["other"])
    back = f"/espacios/{thread['space'].id}#post-{root.id}"
    response = client.post(f"/posts/{root.id}/senalar",
                           data={"reason": "Publicidad de una empresa.", "next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    assert client.post(f"/posts/{root.id}/senalar", data={"reason": "Otra vez."}).status_code \
        == 409
    auth.logout()
    auth.login(people["fac"])
    page = text(client.get("/moderacion"))
    assert "Publicidad de una empresa." in page and "Rosa Mamani" in page
    assert f"/espacios/{thread['space'].id}#post-{root.id}" in page
    assert "<p>Desde Guaqui: acuerdos.</p>" in page and 'name="csrf_token"' in page
    response = client.post(f"/moderacion/posts/{root.id}/ocultar",
                           data={"reason": "Publicidad.", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/moderacion"
    assert fresh(root).status == "hidden"
    assert "Publicidad de una empresa." not in text(client.get("/moderacion"))


def test_a_missing_reason_keeps_what_was_typed(client, auth, people, thread):
    auth.login(people["fac"])
    response = client.post(f"/moderacion/posts/{thread['root'].id}/ocultar",
                           data={"reason": " ", "next": "/espacios/1"})
    assert response.status_code == 422
    body = text(response)
    assert f'action="/moderacion/posts/{thread["root"].id}/ocultar"' in body
    assert 'name="csrf_token"' in body and 'value="/espacios/1"' in body
    long_reason = "Publicidad de una empresa de insumos. " * 9  # over the 300 characters
    response = client.post(f"/moderacion/posts/{thread['root'].id}/ocultar",
                           data={"reason": long_reason})
    assert response.status_code == 422 and long_reason.strip() in text(response)
    response = client.post(f"/moderacion/posts/{thread['reply'].id}/bloquear")
    assert response.status_code == 422 and "<textarea" not in text(response)
    response = client.post(f"/moderacion/posts/{thread['root'].id}/mover",
                           data={"space_id": "4242"})
    assert response.status_code == 422 and 'value="4242"' in text(response)
    auth.logout()
    auth.login(people["other"])
    response = client.post(f"/posts/{thread['root'].id}/senalar", data={"reason": "no"})
    assert response.status_code == 422 and ">no</textarea>" in text(response)
    assert db.session.scalar(select(func.count(Flag.id))) == 0 and audit_count() == 0


def test_move_to_another_kind_is_explained(client, auth, people, thread):
    conference = make_space(creator=people["fac"], kind="conference")
    auth.login(people["fac"])
    response = client.post(f"/moderacion/posts/{thread['root'].id}/mover",
                           data={"space_id": conference.id}, headers={"Accept-Language": "en"})
    body = text(response)
    assert response.status_code == 422 and "same kind" in body and "Conference" in body
    assert fresh(thread["reply"]).space_id == thread["space"].id


def test_every_facilitator_form_works(client, auth, people, thread):
    root = thread["root"]
    held = make_post(space=thread["space"], author=people["other"], status="held")
    target = make_space(creator=people["fac"])
    auth.login(people["fac"])
    base = "/moderacion/posts/"
    for path, data in [(f"{root.id}/fijar", {}), (f"{root.id}/bloquear", {}),
                       (f"{root.id}/mover", {"space_id": target.id}), (f"{held.id}/aprobar", {}),
                       (f"{root.id}/desbloquear", {}), (f"{root.id}/desfijar", {})]:
        assert client.post(base + path, data=data).status_code == 302, path
    assert fresh(thread["reply"]).space_id == target.id and fresh(held).status == "visible"
    assert audit_count() == 6


def test_audit_page_filters_by_action_and_actor(client, auth, people, thread):
    luis = make_user(role=Role.FACILITATOR, name="Facilitador Luis")
    moderation.pin_post(db.session, people["fac"], thread["root"].id)
    moderation.hide_post(db.session, luis, thread["reply"].id, "Datos de un vecino.")
    db.session.commit()
    auth.login(people["fac"])
    everything = text(client.get("/moderacion/registro"))
    assert "action-pin" in everything and "action-hide" in everything
    only_hide = text(client.get("/moderacion/registro?action=hide"))
    assert "action-hide" in only_hide and "action-pin" not in only_hide
    assert "Datos de un vecino." in only_hide
    mine = text(client.get(f"/moderacion/registro?actor={people['fac'].id}"))
    assert "action-pin" in mine and "action-hide" not in mine
    assert client.get("/moderacion/registro?since=ayer").status_code == 422


def test_queue_page_lists_held_posts_in_a_fixed_number_of_queries(client, auth, people, thread):
    auth.login(people["fac"])

    def queries() -> int:
        with count_queries(db.engine) as counter:
            assert client.get("/moderacion").status_code == 200
        return counter.count

    make_post(space=thread["space"], author=people["other"], status="held", body="Retenido uno")
    moderation.flag_post(db.session, people["other"], thread["root"].id, "Primera razón.")
    db.session.commit()
    few = queries()
    for n in range(5):
        make_post(space=thread["space"], author=people["author"], status="held", body=f"R{n}")
        reply = make_post(space=thread["space"], author=people["author"], parent=thread["root"])
        moderation.flag_post(db.session, people["other"], reply.id, f"Razón {n}.")
    db.session.commit()
    assert queries() == few
    assert "Retenido uno" in text(client.get("/moderacion"))


def test_csrf_less_moderation_post_is_refused(app, people, thread):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(people["fac"].id)
        session["_fresh"] = True
    response = client.post(f"/moderacion/posts/{thread['root'].id}/ocultar",
                           data={"reason": "Publicidad."})
    assert response.status_code == 400
    assert fresh(thread["root"]).status == "visible" and audit_count() == 0


def render_actions(app, person: User | None, post: Post) -> str:
    """The macro as the space pages include it, for `person` (None: a visitor)."""
    source = ('{% from "moderation/_post_actions.html" import post_actions with context %}'
              '{{ post_actions(post, "/espacios/7#post-1") }}')
    with app.app_context(), app.test_request_context("/espacios/7"):  # a fresh `g` each time
        if person is not None:
            login_user(person)
        return render_template_string(source, post=post)


def test_post_actions_macro_shows_each_person_what_they_may_do(app, people, thread):
    root, reply = thread["root"], thread["reply"]
    as_fac = render_actions(app, people["fac"], root)
    for path in ("ocultar", "fijar", "bloquear", "mover"):
        assert f'action="/moderacion/posts/{root.id}/{path}"' in as_fac, path
    assert 'name="space_id"' in as_fac and 'value="/espacios/7#post-1"' in as_fac
    assert "/bloquear" not in render_actions(app, people["fac"], reply)  # roots only
    as_other = render_actions(app, people["other"], root)
    assert f'href="/posts/{root.id}/senalar?next=' in as_other  # a link: posts stay light
    assert "/moderacion/" not in as_other and "<script" not in as_other
    assert "/senalar" not in render_actions(app, people["author"], root)  # not one's own
    assert render_actions(app, None, root).strip() == ""
    root.status, root.locked, root.pinned = "hidden", True, True
    hidden = render_actions(app, people["fac"], root)
    assert "/restaurar" in hidden and "/desbloquear" in hidden and "/desfijar" in hidden
    assert hidden.count('name="csrf_token"') == hidden.count("<form")


def test_moderation_pages_avoid_e_learning_words(client, auth, people, thread):
    moderation.flag_post(db.session, people["other"], thread["root"].id, "Publicidad.")
    moderation.pin_post(db.session, people["fac"], thread["root"].id)
    make_post(space=thread["space"], author=people["other"], status="held")
    db.session.commit()
    auth.login(people["fac"])
    for lang in ("es", "en"):
        client.post("/idioma", data={"lang": lang})
        for path in ("/moderacion", "/moderacion/registro"):
            body = visible_text(text(client.get(path)))
            assert not E_LEARNING.search(body), (lang, path, E_LEARNING.search(body))


def test_flag_page_posts_the_flag(client, auth, people, thread):
    auth.login(people["other"])
    page = client.get(f"/posts/{thread['root'].id}/senalar?next=/espacios/1")
    assert page.status_code == 200 and 'name="reason"' in page.get_data(as_text=True)
    done = client.post(f"/posts/{thread['root'].id}/senalar",
                       data={"reason": "Es publicidad.", "next": "/espacios/1"})
    assert done.status_code == 302
