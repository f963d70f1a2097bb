"""Session and remember-me cookies: HttpOnly, SameSite=Lax, Secure once the site is on HTTPS;
logging in starts a new session, and a new password ends the old ones."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from forum.accounts import services as accounts
from forum.extensions import db
from tests.conftest import make_user
from tests.security.conftest import form_token, login_with_token

CSRF_ON = {"WTF_CSRF_ENABLED": True}


def cookie_flags(response, name: str) -> dict[str, str | None]:
    """The attributes of one Set-Cookie header, lower-cased: {"httponly": None, ...}."""
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = (part.strip() for part in header.split(";"))
        if first.split("=", 1)[0] == name:
            flags = {}
            for attribute in attributes:
                key, _eq, value = attribute.partition("=")
                flags[key.lower()] = value or None
            return flags
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def log_in(client: FlaskClient, user, **extra: str):  # noqa: ANN001, ANN201
    return login_with_token(client, user, remember="y", **extra)


@pytest.mark.parametrize(("overrides", "secure"), [
    (CSRF_ON, False),  # plain HTTP (make run): a Secure cookie would never come back
    ({**CSRF_ON, "SECURE_COOKIES": True}, True),
    ({**CSRF_ON, "HSTS_SECONDS": 600}, True),  # HTTPS promised: cookies follow
    ({**CSRF_ON, "HSTS_SECONDS": 600, "SECURE_COOKIES": False}, False),  # said outright
])
def test_session_and_remember_cookies_flags(app, secure):
    client = app.test_client()
    response = log_in(client, make_user())
    for name in ("session", "remember_token"):
        flags = cookie_flags(response, name)
        assert "httponly" in flags, name
        assert flags["samesite"] == "Lax", name
        assert ("secure" in flags) is secure, name


@pytest.mark.parametrize("overrides", [CSRF_ON])
def test_log_in_starts_a_new_session(app):
    """A session cookie planted before log-in (fixation) never becomes a logged-in one, and
    a form token read before log-in does not serve after it."""
    person = make_user()
    victim = app.test_client()
    planted_token = form_token(victim)
    planted = victim.get_cookie("session").value
    log_in(victim, person)
    assert victim.get_cookie("session").value != planted
    assert victim.get("/avisos").status_code == 200

    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/avisos").status_code == 302  # to the log-in page: not her session
    response = victim.post("/avisos/leidos", data={"csrf_token": planted_token})
    assert response.status_code == 400


@pytest.mark.parametrize("overrides", [CSRF_ON])
def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app):
    """After a reset (say the password had leaked) a stolen session or remember-me cookie
    lets nobody in any more."""
    person = make_user()
    thief = app.test_client()
    log_in(thief, person)
    stolen_remember = thief.get_cookie("remember_token").value
    assert thief.get("/avisos").status_code == 200
    accounts.set_password(db.session, person, "una-clave-nueva-y-larga")
    db.session.commit()
    assert thief.get("/avisos").status_code == 302
    remembered = app.test_client()  # a browser with only the remember-me cookie
    remembered.set_cookie("remember_token", stolen_remember)
    assert remembered.get("/avisos").status_code == 302


@pytest.mark.parametrize("overrides", [CSRF_ON])
def test_log_out_forgets_the_person_and_the_remember_cookie(app):
    client = app.test_client()
    log_in(client, make_user())
    token = form_token(client, "/avisos")
    response = client.post("/salir", data={"csrf_token": token})
    assert response.status_code == 302
    cleared = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert cleared and "expires=thu, 01 jan 1970" in cleared[0].lower()
    assert client.get("/avisos").status_code == 302
