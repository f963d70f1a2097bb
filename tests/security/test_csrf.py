"""CSRF: every state-changing form outside the API refuses a request without its token (400,
the Spanish "form had expired" page, nothing saved); the API takes bearer tokens only, so a
browser's cookies never act there and it needs no form token."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import Rule

from forum.accounts import services as accounts
from forum.extensions import db
from forum.spaces.models import Post
from tests.conftest import ficha_data
from tests.security.conftest import World, form_token, login_with_token, shared_site, snapshot

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_PAGE = "El formulario había caducado. Vuelve atrás, recarga la página y envíalo de nuevo."
# State-changing rules outside /api/ in the committed code on the day this suite was written
# (accounts, sheets, spaces, posts, moderation, communities, calls, notifications): the
# enumeration may grow with new features, never fall below this.
FLOOR = 53
# What a forged form would send if it got through: enough for most views to save something.
FORGED = {"body": "Texto forjado", "title": "Forjado", "reason": "Forjado", "name": "Forjado",
          "state": "closed", "synthesis": "Forjada", "will_try": "Forjado", "lang": "en",
          "followup": "Forjado", "password": "una-clave-forjada-123",
          "confirm": "una-clave-forjada-123"}


site, app, world = shared_site("csrf", WTF_CSRF_ENABLED=True)


def write_rules(app: Flask, *, api: bool) -> list[Rule]:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.methods & WRITES and rule.rule.startswith("/api/") == api),
                  key=lambda rule: rule.rule)


def rule_url(app: Flask, rule: Rule, world: World) -> str:
    """The rule's URL with real ids; an argument nobody named fails, to be added here."""
    values = {
        "ficha_id": world.ficha.id, "space_id": world.debate.id, "post_id": world.position.id,
        "user_id": world.coeditor.id, "file_id": world.space_file.id,
        "attachment_id": world.attachment.id, "community_id": world.members_only.community_id,
        "call_id": world.call_id, "token_id": world.token.id, "number": 1, "juror_id": 1,
        "item_id": 1, "recommendation_id": 1, "action": "hide",
        "token": accounts.reset_token(world.owner, app.config["SECRET_KEY"]),
    }
    missing = set(rule.arguments) - set(values)
    assert not missing, f"{rule.rule}: give the test a value for {sorted(missing)}"
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, {k: values[k] for k in rule.arguments},
                             method=sorted(rule.methods & WRITES)[0])


def test_every_form_refuses_a_request_without_its_token(app, world):
    rules = write_rules(app, api=False)
    assert len(rules) >= FLOOR, [rule.rule for rule in rules]
    client = app.test_client()
    login_with_token(client, world.facilitator)
    before = snapshot()
    refused = []
    for rule in rules:
        url = rule_url(app, rule, world)
        for method in sorted(rule.methods & WRITES):
            response = client.open(url, method=method, data=FORGED)
            body = response.get_data(as_text=True)
            if response.status_code != 400 or CSRF_PAGE not in body:
                refused.append((method, url, response.status_code))
    assert refused == [], "answered without a form token"
    assert snapshot() == before
    assert client.get("/avisos").status_code == 200  # /salir was refused too: still logged in


def test_a_token_of_another_session_or_a_made_up_one_is_refused(app, world):
    client, other = app.test_client(), app.test_client()
    login_with_token(client, world.facilitator)
    foreign = form_token(other)
    before = snapshot()
    for token in (foreign, "made-up", ""):
        response = client.post(f"/posts/{world.position.id}/borrar", data={"csrf_token": token})
        assert response.status_code == 400 and CSRF_PAGE in response.get_data(as_text=True)
    assert snapshot() == before


def test_with_its_token_the_same_form_goes_through(app, world):
    client = app.test_client()
    login_with_token(client, world.facilitator)
    token = form_token(client, f"/espacios/{world.debate.id}")
    response = client.post(f"/moderacion/posts/{world.position.id}/fijar",
                           data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, world.position.id).pinned
    client.post(f"/moderacion/posts/{world.position.id}/desfijar", data={"csrf_token": token})


def test_the_api_ignores_cookies_so_a_logged_in_browser_cannot_be_made_to_write(app, world):
    """Exempt from CSRF because it authenticates by bearer token only: the session cookie a
    forged cross-site request would carry is never looked at."""
    rules = write_rules(app, api=True)
    assert len(rules) >= 9
    client = app.test_client()
    login_with_token(client, world.facilitator)
    before = snapshot()
    for rule in rules:
        url = rule_url(app, rule, world)
        for method in sorted(rule.methods & WRITES):
            response = client.open(url, method=method, json={**FORGED, **ficha_data()})
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.json["error"]["code"] == "unauthorised"
    assert snapshot() == before


def test_a_bearer_token_writes_without_a_form_token(app, world):
    _token, secret = accounts.create_token(db.session, world.member, "script")
    db.session.commit()
    client = app.test_client()
    response = client.post(f"/api/v1/spaces/{world.debate.id}/posts",
                           headers={"Authorization": f"Bearer {secret}"},
                           json={"title": "Desde un script", "body": "Con token de API.",
                                 "stance": "against"})
    assert response.status_code == 201, response.get_data(as_text=True)
