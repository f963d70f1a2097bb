"""Password reset end to end: the link on the log-in page, one answer for every address, the
mail (through Flask-Mail, or printed without a mail server), a signed link good for two
hours and one use, the registration rule on the new password, and a session afterwards."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from forum.accounts import services as accounts
from forum.accounts.models import User
from forum.extensions import db, mail
from tests.conftest import PASSWORD, make_user
from tests.security.conftest import form_token

LINK = re.compile(r"https?://[^\s]+/contrasena/nueva/[\w.\-]+")
NEW = "una frase nueva y larga"
SITE = "https://foro.example.org"
CSRF_ON = {"WTF_CSRF_ENABLED": True, "MAIL_SERVER": "smtp.example.org", "BASE_URL": SITE}
SENT_PAGE = "Si hay una cuenta con esa dirección, le enviamos un enlace"
EXPIRED = "Este enlace ya no sirve"


def ask(client: FlaskClient, email: str):  # noqa: ANN201
    data = {"email": email, "csrf_token": form_token(client, "/contrasena/olvidada")}
    return client.post("/contrasena/olvidada", data=data)


def request_link(app: Flask, client: FlaskClient, email: str) -> tuple[str, list]:
    with mail.record_messages() as outbox:
        response = ask(client, email)
    assert response.status_code == 302
    assert response.location == "/contrasena/olvidada/enviado"
    links = [LINK.search(m.body).group(0) for m in outbox]
    return (links[0] if links else ""), outbox


def path_of(link: str) -> str:
    return urlsplit(link).path


def choose(client: FlaskClient, link: str, password: str, confirm: str | None = None):  # noqa: ANN201
    path = path_of(link)
    page = client.get(path)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    return client.post(path, data={"password": password, "confirm": confirm or password,
                                   "csrf_token": token.group(1)})


def password_of(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).password_hash


@pytest.mark.parametrize("overrides", [CSRF_ON])
def test_the_whole_way_from_the_log_in_page_to_a_new_password(app):
    person = make_user(email="lucia.mamani@example.org", name="Lucía Mamani")
    client = app.test_client()
    login_page = client.get("/entrar").get_data(as_text=True)
    assert "¿Olvidaste tu contraseña?" in login_page and 'href="/contrasena/olvidada"' in login_page

    link, outbox = request_link(app, client, "  Lucia.Mamani@Example.org ")
    assert [m.recipients for m in outbox] == [[person.email]]
    assert outbox[0].subject == "Elige una contraseña nueva"
    assert "Hola, Lucía Mamani" in outbox[0].body and "dos horas" in outbox[0].body
    assert link.startswith(SITE + "/contrasena/nueva/")
    sent = client.get("/contrasena/olvidada/enviado")
    assert sent.status_code == 200 and SENT_PAGE in sent.get_data(as_text=True)

    page = client.get(path_of(link))
    assert page.headers["Cache-Control"] == "no-store"  # the URL is the key: keep it out
    assert page.headers["Referrer-Policy"] == "no-referrer"  # of caches and other sites
    assert person.email in page.get_data(as_text=True)

    before = password_of(person.id)
    short = choose(client, link, "corta")
    assert short.status_code == 422
    assert "La contraseña necesita al menos 10 caracteres." in short.get_data(as_text=True)
    differ = choose(client, link, NEW, confirm=NEW + " otra")
    assert differ.status_code == 422
    assert "Las contraseñas no coinciden." in differ.get_data(as_text=True)
    assert password_of(person.id) == before

    done = choose(client, link, NEW)
    assert done.status_code == 302 and done.location == "/"
    assert "Tu contraseña cambió" in client.get("/").get_data(as_text=True)
    assert client.get("/avisos").status_code == 200  # logged in by the change
    db.session.expire_all()
    assert accounts.authenticate(db.session, person.email, NEW) is not None
    assert accounts.authenticate(db.session, person.email, PASSWORD) is None

    again = app.test_client().get(path_of(link))
    assert again.status_code == 400 and EXPIRED in again.get_data(as_text=True)  # one use


@pytest.mark.parametrize("overrides", [CSRF_ON])
def test_known_and_unknown_addresses_get_the_same_answer_and_only_one_mail(app):
    make_user(email="ana@example.org")
    answers = []
    for email in ("ana@example.org", "nadie@example.org"):
        client = app.test_client()
        link, outbox = request_link(app, client, email)
        page = client.get("/contrasena/olvidada/enviado")
        answers.append((page.status_code, page.get_data(as_text=True), len(outbox)))
    assert answers[0][:2] == answers[1][:2]
    assert (answers[0][2], answers[1][2]) == (1, 0)


def test_without_a_mail_server_the_mail_is_printed(client, capsys):
    """Development (FORUM_MAIL_SERVER unset): the mail helper of the digest prints it."""
    person = make_user()
    response = client.post("/contrasena/olvidada", data={"email": person.email})
    assert response.status_code == 302
    printed = capsys.readouterr().out
    assert f"To: {person.email}" in printed and "Subject: Elige una contraseña nueva" in printed
    link = LINK.search(printed).group(0)
    assert client.get(path_of(link)).status_code == 200


@pytest.mark.parametrize("overrides", [{"MAIL_SERVER": "smtp.example.org", "BASE_URL": SITE}])
def test_the_link_never_follows_the_host_the_request_names(app):
    """Host-header poisoning: asking with Host: evil.example must not mail the victim a
    link (and her token) to evil.example."""
    person = make_user()
    with mail.record_messages() as outbox:
        app.test_client().post("/contrasena/olvidada", data={"email": person.email},
                               headers={"Host": "evil.example",
                                        "X-Forwarded-Host": "evil.example"})
    assert len(outbox) == 1 and "evil" not in outbox[0].body
    assert LINK.search(outbox[0].body).group(0).startswith(SITE + "/")


def test_a_malformed_address_is_refused_in_spanish(client, capsys):
    response = client.post("/contrasena/olvidada", data={"email": "no-es-un-correo"})
    assert response.status_code == 422
    assert "Escribe una dirección de correo electrónico válida." in response.get_data(as_text=True)
    assert capsys.readouterr().out == ""


def test_the_link_expires_after_two_hours(app, client, monkeypatch):
    person = make_user()
    secret = app.config["SECRET_KEY"]
    with monkeypatch.context() as past:
        now = time.time()
        past.setattr(time, "time", lambda: now - 2 * 60 * 60 + 60)  # made 1 h 59 min ago
        fresh = accounts.reset_token(person, secret)
        past.setattr(time, "time", lambda: now - 2 * 60 * 60 - 60)  # made 2 h 1 min ago
        stale = accounts.reset_token(person, secret)
    assert client.get(f"/contrasena/nueva/{fresh}").status_code == 200
    expired = client.get(f"/contrasena/nueva/{stale}")
    assert expired.status_code == 400 and EXPIRED in expired.get_data(as_text=True)
    refused = client.post(f"/contrasena/nueva/{stale}", data={"password": NEW, "confirm": NEW})
    assert refused.status_code == 400
    assert accounts.authenticate(db.session, person.email, PASSWORD) is not None


def test_forged_or_borrowed_links_are_refused(app, client):
    person, other = make_user(), make_user()
    secret = app.config["SECRET_KEY"]
    good = accounts.reset_token(person, secret)
    forged = [
        good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb"),  # signature broken
        URLSafeTimedSerializer("otra-clave", salt="password-reset").dumps(
            {"user": person.id, "password": person.password_fingerprint}),  # another key
        URLSafeTimedSerializer(secret, salt="email-confirm").dumps(
            {"user": person.id, "password": person.password_fingerprint}),  # another purpose
        URLSafeTimedSerializer(secret, salt="password-reset").dumps(
            {"user": person.id, "password": other.password_fingerprint}),  # someone else's
        "no-es-un-token",
    ]
    for token in forged:
        response = client.post(f"/contrasena/nueva/{token}", data={"password": NEW, "confirm": NEW})
        assert response.status_code == 400, token
    assert accounts.authenticate(db.session, person.email, PASSWORD) is not None
    assert client.get("/avisos").status_code == 302  # and nobody was logged in
