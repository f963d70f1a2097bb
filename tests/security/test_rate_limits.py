"""Rate limits (in-process storage) on log-in, registration, reset requests and posting:
over the limit a readable Spanish 429, with what was typed still there, and nothing done."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db, mail
from forum.spaces.models import Post
from tests.conftest import PASSWORD, Auth, make_user
from tests.spaces.factories import make_root, make_space

LIMITED = {"RATELIMIT_ENABLED": True}
MINUTE = "Demasiados intentos. Espera un minuto y vuelve a intentarlo."
HOUR = "Demasiados intentos. Espera una hora y vuelve a intentarlo."


def field_value(html: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    value = found and re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else None


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("overrides", [{**LIMITED, "LOGIN_RATE_LIMIT": "2 per minute"}])
def test_log_in(app):
    person = make_user()
    client = app.test_client()
    wrong = {"email": person.email, "password": "no-es-su-clave"}
    assert [client.post("/entrar", data=wrong).status_code for _ in range(2)] == [422, 422]
    blocked = client.post("/entrar", data={"email": person.email, "password": PASSWORD})
    html = blocked.get_data(as_text=True)
    assert blocked.status_code == 429 and MINUTE in html
    assert field_value(html, "email") == person.email  # typed, kept
    assert PASSWORD not in html  # the password never comes back
    assert client.get("/avisos").status_code == 302  # and nobody got in
    elsewhere = app.test_client().post("/entrar", data={"email": person.email,
                                                        "password": PASSWORD},
                                       environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert elsewhere.status_code == 302  # counted per address


@pytest.mark.parametrize("overrides", [{**LIMITED, "REGISTER_RATE_LIMIT": "2 per hour"}])
def test_registration(app):
    def form(n: int) -> dict[str, str]:
        return {"email": f"vecina{n}@example.org", "display_name": f"Vecina Número {n}",
                "country": "BO", "password": "una-clave-bien-larga",
                "confirm": "una-clave-bien-larga"}

    for n in range(2):
        assert app.test_client().post("/registro", data=form(n)).status_code == 302
    count = users()
    blocked = app.test_client().post("/registro", data=form(3))
    html = blocked.get_data(as_text=True)
    assert blocked.status_code == 429 and HOUR in html
    assert field_value(html, "display_name") == "Vecina Número 3"
    assert field_value(html, "email") == "vecina3@example.org"
    assert "una-clave-bien-larga" not in html
    assert users() == count


@pytest.mark.parametrize("overrides", [{**LIMITED, "PASSWORD_RESET_RATE_LIMIT": "2 per hour",
                                        "MAIL_SERVER": "smtp.example.org"}])
def test_reset_requests(app):
    person = make_user()
    client = app.test_client()
    with mail.record_messages() as outbox:
        for _ in range(2):
            assert client.post("/contrasena/olvidada",
                               data={"email": person.email}).status_code == 302
        blocked = client.post("/contrasena/olvidada", data={"email": person.email})
    html = blocked.get_data(as_text=True)
    assert blocked.status_code == 429 and HOUR in html
    assert field_value(html, "email") == person.email
    assert len(outbox) == 2  # the third asked for nothing


@pytest.mark.parametrize("overrides", [{**LIMITED, "POST_RATE_LIMIT": "2 per minute"}])
def test_posting_on_the_pages(app, client):
    space = make_space(kind="conference")
    question = make_root(space=space, by=make_user(), body="¿Quién financia la feria?")
    Auth(client).login(make_user())
    for n in range(2):
        response = client.post(f"/posts/{question.id}/responder", data={"body": f"Respuesta {n}"})
        assert response.status_code == 302
    text = "La feria la financia el municipio, con la mancomunidad."
    blocked = client.post(f"/posts/{question.id}/responder", data={"body": text})
    html = blocked.get_data(as_text=True)
    assert blocked.status_code == 429 and MINUTE in html
    assert f">{text}</textarea>" in html  # what was written, there to copy
    assert db.session.scalar(select(func.count()).select_from(Post)
                             .where(Post.body == text)) == 0


@pytest.mark.parametrize("overrides", [{**LIMITED, "POST_RATE_LIMIT": "2 per minute"}])
def test_posting_on_the_api(app, client, token_for):
    space = make_space(kind="conference")
    headers = token_for(make_user())
    for n in range(2):
        response = client.post(f"/api/v1/spaces/{space.id}/posts", headers=headers,
                               json={"body": f"¿Pregunta número {n}?"})
        assert response.status_code == 201, response.get_data(as_text=True)
    blocked = client.post(f"/api/v1/spaces/{space.id}/posts", headers=headers,
                          json={"body": "¿Una más?"})
    assert blocked.status_code == 429
    assert blocked.json["error"]["message"] == MINUTE
