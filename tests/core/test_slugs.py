"""Readable URLs: /fichas/12-words-of-the-title; renamed rows' old links land on the page."""

from __future__ import annotations

import pytest

from forum.core.slugs import Ref, slugify
from forum.extensions import db
from tests.conftest import make_ficha, make_user
from tests.spaces.factories import make_space


@pytest.mark.parametrize(("title", "slug"), [
    ("Gestión territorial en Taraco", "gestion-territorial-en-taraco"),
    ("  ¿Niños y ñandúes?  Sí!! ", "ninos-y-nandues-si"),
    ("Agua: 2.000 familias, 3 municipios", "agua-2-000-familias-3-municipios"),
    ("", ""),
    ("中文", ""),
])
def test_slugify_keeps_ascii_words(title, slug):
    assert slugify(title) == slug


def test_long_titles_are_cut_at_a_word():
    slug = slugify("Fortalecimiento de capacidades institucionales " * 4)
    assert slug == "fortalecimiento-de-capacidades-institucionales"


def test_sheet_links_carry_the_title_and_old_words_redirect(app, client, auth):
    ficha = make_ficha(owner=make_user(), title="Gestión territorial en Taraco")
    listing = client.get("/fichas/").get_data(as_text=True)
    assert f"/fichas/{ficha.id}-gestion-territorial-en-taraco" in listing
    page = client.get(f"/fichas/{ficha.id}-gestion-territorial-en-taraco")
    assert page.status_code == 200
    assert f'rel="canonical" href="http://localhost/fichas/{ficha.id}-gestion' in page.get_data(
        as_text=True)
    assert client.get(f"/fichas/{ficha.id}").status_code == 200  # a bare number still works
    ficha.title = "Gestión del agua en Taraco"
    db.session.commit()
    old = client.get(f"/fichas/{ficha.id}-gestion-territorial-en-taraco?lang=es")
    assert old.status_code == 301
    new = f"/fichas/{ficha.id}-gestion-del-agua-en-taraco?lang=es"
    assert old.headers["Location"].endswith(new)
    auth.login(ficha.owner)  # logged-in readers are redirected too
    again = client.get(f"/fichas/{ficha.id}-gestion-territorial-en-taraco")
    assert again.status_code == 301 and "gestion-del-agua" in again.headers["Location"]


def test_space_links_carry_the_title_and_old_words_redirect(app, client):
    space = make_space(kind="debate", title="Mesa sobre consulta previa")
    assert f"/espacios/{space.id}-mesa-sobre-consulta-previa" in client.get(
        "/espacios/").get_data(as_text=True)
    assert client.get(f"/espacios/{space.id}-mesa-sobre-consulta-previa").status_code == 200
    moved = client.get(f"/espacios/{space.id}-otro-titulo")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(f"/espacios/{space.id}-mesa-sobre-consulta-previa")


def test_an_id_past_any_database_integer_is_a_404(client):
    assert client.get("/fichas/99999999999999-x").status_code == 404


def test_ref_reads_a_url_part():
    assert Ref(3, "a").moved("b") and not Ref(3, "").moved("b") and not Ref(3, "b").moved("b")
