"""A person edits what others see of them and changes their password; the pages, caches
and search results that show their name follow."""

from __future__ import annotations

from flask.testing import FlaskClient

from forum.accounts import services as accounts
from forum.accounts.models import User
from forum.extensions import db
from tests.conftest import PASSWORD, make_ficha, make_user
from tests.spaces.factories import make_root, make_space

NEW = "otra frase larga y nueva"


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def fresh(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_a_person_renames_themselves_and_every_page_follows(app, client, auth):
    person = make_user(name="Rosa Quispe", country="BO")
    accounts.update_profile(db.session, person, name="Rosa Quispe", country="BO",
                            organisation="Ayllu Taraco")
    db.session.commit()
    sheet = make_ficha(owner=person, title="Mapas parlantes en Taraco")
    space = make_space(kind="contribution", title="Aportes")
    make_root(space=space, by=person, title="Mi aporte", body="Texto con agua y riego.")
    visitor = app.test_client()
    before = [text(visitor.get(f"/fichas/{sheet.id}")), text(visitor.get(f"/espacios/{space.id}"))]
    assert all("Rosa Quispe" in page for page in before)  # and now cached for visitors

    auth.login(person)
    form = text(client.get("/perfil/editar"))
    assert 'value="Rosa Quispe"' in form and 'value="Ayllu Taraco"' in form
    response = client.post("/perfil/editar", data={
        "display_name": "Rosa Quispe Mamani", "country": "PE", "organisation": "Red de Puno"})
    assert response.status_code == 302
    assert response.location == f"/personas/{person.id}"
    profile = text(client.get(response.location))
    assert "Rosa Quispe Mamani" in profile and "Red de Puno" in profile

    for path in (f"/fichas/{sheet.id}", f"/espacios/{space.id}"):
        assert "Rosa Quispe Mamani" in text(visitor.get(path)), path  # not the cached page
    found = visitor.get("/api/v1/search?q=riego+agua&kind=contribution").get_json()["items"]
    assert [r["author"]["name"] for r in found] == ["Rosa Quispe Mamani"]
    moved = visitor.get("/api/v1/search?q=riego+agua&kind=contribution&country=PE").get_json()
    assert moved["total"] == 1  # a post is filed under its author's country


def test_bad_profile_input_is_explained_keeps_the_typed_text_and_changes_nothing(client, auth):
    person = make_user(name="Rosa Quispe", country="BO")
    before = (person.display_name, person.country, person.organisation)
    auth.login(person)
    response = client.post("/perfil/editar", data={
        "display_name": "R", "country": "XX", "organisation": "Mi organización <nueva>"})
    page = text(response)
    assert response.status_code == 422
    assert "Tu nombre debe tener entre 2 y 80 caracteres." in page  # every reason at once
    assert "Elige un país de la lista." in page
    assert "Mi organización &lt;nueva&gt;" in page and 'value="R"' in page
    kept = fresh(person.id)
    assert (kept.display_name, kept.country, kept.organisation) == before


def test_visitors_are_sent_to_log_in(client):
    for path in ("/perfil/editar", "/perfil/contrasena"):
        assert client.get(path).status_code == 302
        assert client.post(path, data={"display_name": "Nadie"}).status_code == 302


def login_elsewhere(app, person: User) -> FlaskClient:  # noqa: ANN001
    other = app.test_client()
    assert other.post("/entrar", data={"email": person.email,
                                       "password": PASSWORD}).status_code == 302
    assert other.get("/avisos").status_code == 200
    return other


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, client, auth):
    person = make_user()
    other_device = login_elsewhere(app, person)
    auth.login(person)
    assert client.get("/perfil/contrasena").status_code == 200
    response = client.post("/perfil/contrasena", data={
        "current": PASSWORD, "password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert client.get("/avisos").status_code == 200  # still logged in here
    assert other_device.get("/avisos").status_code == 302  # logged out there
    db.session.expire_all()
    assert accounts.authenticate(db.session, person.email, NEW) is not None
    assert accounts.authenticate(db.session, person.email, PASSWORD) is None


def test_a_wrong_current_password_or_a_short_new_one_changes_nothing(client, auth):
    person = make_user()
    auth.login(person)
    before = fresh(person.id).password_hash
    wrong = client.post("/perfil/contrasena", data={
        "current": "no-es-la-clave", "password": NEW, "confirm": NEW})
    assert wrong.status_code == 422
    assert "Esa no es tu contraseña actual." in text(wrong)
    short = client.post("/perfil/contrasena", data={
        "current": PASSWORD, "password": "corta", "confirm": "corta"})
    assert short.status_code == 422
    assert 'name="password"' in text(short) and 'value="corta"' not in text(short)
    assert fresh(person.id).password_hash == before
    assert client.get("/avisos").status_code == 200
