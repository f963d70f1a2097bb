"""Nobody learns who is registered from the log-in form; registration does say so, on
purpose (README, Design notes), and is rate-limited for that reason (test_rate_limits)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db
from tests.conftest import make_user
from tests.security.conftest import form_token

TOKEN_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def without_tokens(html: str, typed_email: str) -> str:
    """The page as it would look to anyone: no form token, no e-mail they typed."""
    return TOKEN_VALUE.sub(r'\1TOKEN"', html).replace(typed_email, "EMAIL")


@pytest.mark.parametrize("overrides", [{"WTF_CSRF_ENABLED": True}])
def test_unknown_email_and_wrong_password_get_the_same_answer(app):
    known = make_user(email="ana.quispe@example.org")
    answers = []
    for email, password in ((known.email, "no-es-su-clave-123"),
                            ("nadie.registrado@example.org", "no-es-su-clave-123"),
                            (known.email.upper(), "otra-clave-distinta")):
        client = app.test_client()
        response = client.post("/entrar", data={"email": email, "password": password,
                                                "csrf_token": form_token(client)})
        answers.append((response.status_code,
                        without_tokens(response.get_data(as_text=True), email),
                        sorted((k, v) for k, v in response.headers
                               if k not in ("Content-Length", "Set-Cookie"))))
    assert answers[0][0] == 422
    assert answers[0] == answers[1] == answers[2]
    assert "El correo electrónico o la contraseña no son correctos." in answers[0][1]


def test_registering_an_address_already_in_use_says_so_and_creates_nobody(client):
    """The decision (README, Design notes): with no confirmation mail, a neutral answer would
    leave the person stuck; the message sends them to log in or reset instead."""
    make_user(email="rosa@example.org")
    count = db.session.scalar(select(func.count()).select_from(User))
    response = client.post("/registro", data={
        "email": "Rosa@Example.org", "display_name": "Otra Rosa", "country": "PE",
        "password": "una-clave-bien-larga", "confirm": "una-clave-bien-larga"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ya existe una cuenta con este correo" in html
    assert 'href="/contrasena/olvidada"' in html  # the way back in, right there
    assert db.session.scalar(select(func.count()).select_from(User)) == count
