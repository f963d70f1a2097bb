"""Functional tests of accounts: registration, log-in, profile, personal API tokens, language."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from forum import create_app
from forum.accounts import services as accounts
from forum.accounts.models import ApiToken, User
from forum.extensions import db
from tests.conftest import PASSWORD, ficha_data, make_ficha, make_user

SECRET_RE = re.compile(r"ftd_[A-Za-z0-9_\-]{20,}")


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _register_form(**changes: str) -> dict[str, str]:
    form = {
        "email": "rosa.mamani@example.org",
        "display_name": "Rosa Mamani",
        "country": "PE",
        "organisation": "Asociación de productores",
        "password": "una-clave-bien-larga",
        "confirm": "una-clave-bien-larga",
    }
    return form | changes


def _local(location: str) -> bool:
    parts = urlsplit(location)
    return parts.netloc in ("", "localhost") and location.startswith("/") and "evil" not in location


# --- registration ---------------------------------------------------------------------------


def test_register_creates_the_person_logs_in_and_goes_to_the_new_sheet_form(client):
    response = client.post("/registro", data=_register_form(email="Rosa.Mamani@Example.org"))
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/fichas/nueva"
    user = accounts.find_by_email(db.session, "rosa.mamani@example.org")
    assert user is not None
    assert (user.display_name, user.country, user.organisation) == (
        "Rosa Mamani",
        "PE",
        "Asociación de productores",
    )
    assert user.role == "participant"
    page = client.get("/fichas/nueva")  # only for logged-in people
    assert page.status_code == 200
    assert "Rosa Mamani" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message_field"),
    [
        ({"email": "no-es-un-correo"}, "email"),
        ({"password": "cortita9", "confirm": "cortita9"}, "password"),
        ({"email": "ANA@example.org"}, "email"),
        ({"confirm": "otra-clave-distinta"}, "confirm"),
    ],
    ids=["bad-email", "short-password", "duplicate-email", "mismatched-confirm"],
)
def test_register_errors_keep_what_was_typed_and_create_nobody(client, changes, message_field):
    make_user(email="ana@example.org")
    before = _users()
    form = _register_form(**changes)
    response = client.post("/registro", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{message_field}-error"' in html  # the error sits next to its field
    assert 'value="Rosa Mamani"' in html
    assert f'value="{form["email"]}"' in html
    assert form["password"] not in html  # passwords are never sent back
    assert _users() == before
    assert client.get("/fichas/nueva").status_code == 302  # not logged in


def test_password_is_stored_hashed_with_the_configured_method(app, monkeypatch):
    user = make_user(password="una-clave-bien-larga")
    assert user.password_hash != "una-clave-bien-larga"
    assert "una-clave-bien-larga" not in user.password_hash
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"].split(":")[0])
    monkeypatch.setattr(accounts, "password_method", "scrypt")
    strong = accounts.register(
        db.session, email="scrypt@example.org", name="Con scrypt", password="otra-clave-larga"
    )
    db.session.commit()
    assert strong.password_hash.startswith("scrypt:")
    assert "otra-clave-larga" not in strong.password_hash
    assert check_password_hash(strong.password_hash, "otra-clave-larga")
    assert accounts.authenticate(db.session, "scrypt@example.org", "otra-clave-larga") == strong
    assert accounts.authenticate(db.session, "scrypt@example.org", "otra-clave-larg") is None


def test_production_config_hashes_with_scrypt(tmp_path):
    create_app({"CONFIG": "Config", "INSTANCE_PATH": str(tmp_path / "prod")})
    try:
        assert accounts.password_method == "scrypt"
    finally:
        create_app({"CONFIG": "TestConfig", "INSTANCE_PATH": str(tmp_path / "again")})


# --- log-in ---------------------------------------------------------------------------------


def test_wrong_password_and_unknown_email_look_the_same(client):
    user = make_user(email="ana@example.org")
    wrong = client.post("/entrar", data={"email": user.email, "password": "no-es-la-clave"})
    unknown = client.post("/entrar", data={"email": "nadie@example.org", "password": "x" * 12})
    assert wrong.status_code == unknown.status_code == 422
    wrong_html = wrong.get_data(as_text=True).replace(user.email, "EMAIL")
    unknown_html = unknown.get_data(as_text=True).replace("nadie@example.org", "EMAIL")
    assert wrong_html == unknown_html
    assert 'id="password-error"' in wrong_html
    english = client.post(
        "/entrar",
        data={"email": "nadie@example.org", "password": "x" * 12},
        headers={"Accept-Language": "en"},
    )
    assert "E-mail or password is not right." in english.get_data(as_text=True)
    assert client.get("/fichas/nueva").status_code == 302


def test_login_then_logout(client):
    user = make_user(name="Ana Quispe")
    response = client.post("/entrar", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and _local(response.headers["Location"])
    assert client.get("/fichas/nueva").status_code == 200
    assert "Ana Quispe" in client.get("/").get_data(as_text=True)
    assert client.get_cookie("remember_token") is None  # not asked to remember
    out = client.post("/salir")
    assert out.status_code == 302
    assert client.get("/fichas/nueva").status_code == 302
    assert "Ana Quispe" not in client.get("/").get_data(as_text=True)


def test_remember_me_sets_the_remember_cookie(client):
    user = make_user()
    data = {"email": user.email, "password": PASSWORD, "remember": "y"}
    assert client.post("/entrar", data=data).status_code == 302
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.value and cookie.http_only
    assert cookie.expires is not None


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\tevil.example",
        "https:/evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_site(client, target):
    user = make_user()
    data = {"email": user.email, "password": PASSWORD}
    response = client.post("/entrar", query_string={"next": target}, data=data)
    assert response.status_code == 302
    assert _local(response.headers["Location"]), response.headers["Location"]
    switch = client.post("/idioma", data={"lang": "en", "next": target})
    assert switch.status_code == 302 and _local(switch.headers["Location"])


def test_next_to_a_local_page_is_followed(client):
    user = make_user()
    data = {"email": user.email, "password": PASSWORD}
    response = client.post("/entrar?next=/fichas/?country=BO", data=data)
    assert response.headers["Location"] == "/fichas/?country=BO"


# --- profile and tokens ---------------------------------------------------------------------


def test_profile_lists_the_sheets_and_hides_the_email(client, auth):
    ana = make_user(email="ana.secreta@example.org", name="Ana Quispe")
    make_ficha(owner=ana, title="Mapas parlantes de Taraco")
    make_ficha(owner=ana, title="Ferias de semillas", country="PE")
    make_ficha(owner=make_user(), title="De otra persona")
    for viewer in (None, make_user()):
        if viewer is not None:
            auth.login(viewer)
        html = client.get(f"/personas/{ana.id}").get_data(as_text=True)
        assert "Ana Quispe" in html
        assert "Mapas parlantes de Taraco" in html and "Ferias de semillas" in html
        assert "De otra persona" not in html
        assert "ana.secreta" not in html
        assert "/perfil/tokens" not in html  # token management only on one's own profile
    assert client.get("/personas/9999").status_code == 404


def test_token_is_shown_once_stored_hashed_works_and_revokes(client, auth):
    user = make_user()
    auth.login(user)
    response = client.post("/perfil/tokens", data={"name": "Mi script"})
    assert response.status_code == 201
    secrets_shown = SECRET_RE.findall(response.get_data(as_text=True))
    assert len(set(secrets_shown)) == 1
    secret = secrets_shown[0]
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.name == "Mi script"
    row = db.session.execute(select(ApiToken.__table__).where(ApiToken.id == token.id)).one()
    assert all(secret not in str(value) for value in row)
    assert secret not in client.get(f"/personas/{user.id}").get_data(as_text=True)  # once
    headers = {"Authorization": f"Bearer {secret}"}
    created = client.post("/api/v1/fichas", json=ficha_data(), headers=headers)
    assert created.status_code == 201
    assert created.get_json()["owner"]["id"] == user.id
    revoke = client.post(f"/perfil/tokens/{token.id}/revocar")
    assert revoke.status_code == 302
    assert client.post("/api/v1/fichas", json=ficha_data(), headers=headers).status_code == 401
    assert client.get("/api/v1/fichas", headers=headers).status_code == 401


def test_token_needs_a_name_and_a_logged_in_person(client, auth):
    user = make_user()
    assert client.post("/perfil/tokens", data={"name": "x"}).status_code == 302  # to log-in
    auth.login(user)
    response = client.post("/perfil/tokens", data={"name": ""})
    assert response.status_code == 422
    assert not SECRET_RE.search(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_nobody_revokes_someone_elses_token(client, auth, token_for):
    owner, other = make_user(), make_user()
    headers = token_for(owner)
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == owner.id)).one()
    auth.login(other)
    assert client.post(f"/perfil/tokens/{token.id}/revocar").status_code == 404
    assert client.post("/perfil/tokens/9999/revocar").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None
    assert client.post("/api/v1/fichas", json=ficha_data(), headers=headers).status_code == 201


# --- rate limit and language ----------------------------------------------------------------


def test_login_is_rate_limited(tmp_path):
    limited = create_app(
        {
            "CONFIG": "TestConfig",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'limited.db'}",
            "INSTANCE_PATH": str(tmp_path / "limited"),
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3 per minute",
        }
    )
    with limited.app_context():
        db.create_all()
        try:
            user = make_user()
            client = limited.test_client()
            bad = {"email": user.email, "password": "no-es-la-clave"}
            statuses = [client.post("/entrar", data=bad).status_code for _ in range(3)]
            assert statuses == [422, 422, 422]
            good = {"email": user.email, "password": PASSWORD}
            blocked = client.post("/entrar", data=good, headers={"Accept-Language": "en"})
            assert blocked.status_code == 429
            assert "Too many attempts" in blocked.get_data(as_text=True)
            spanish = client.post("/entrar", data=good)
            assert spanish.status_code == 429
            assert "Demasiados intentos" in spanish.get_data(as_text=True)
            assert client.get("/entrar").status_code == 200  # reading the form is not limited
            assert client.get("/fichas/nueva").status_code == 302  # and nobody got in
        finally:
            db.session.remove()
            db.engine.dispose()


def test_language_switch_changes_the_page_language(client):
    before = client.get("/").get_data(as_text=True)
    assert '<html lang="es"' in before and "Fichas de experiencia" in before
    response = client.post("/idioma", data={"lang": "en", "next": "/fichas/"})
    assert response.status_code == 302 and response.headers["Location"] == "/fichas/"
    after = client.get("/").get_data(as_text=True)
    assert '<html lang="en"' in after and "Experience sheets" in after
    assert "Fichas de experiencia" not in after
    client.post("/idioma", data={"lang": "fr"})  # not offered: ignored
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)
    client.post("/idioma", data={"lang": "es"})
    assert '<html lang="es"' in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
