"""Library items in the search, on both backends: found by a word typed without accents, by
their authors, narrowed to guides, and following edits and removal."""

from __future__ import annotations

import pytest

from forum.accounts.models import Role
from forum.extensions import db
from forum.library import services
from tests.conftest import make_ficha, make_user
from tests.library.conftest import item_data, make_item, storage
from tests.search.conftest import facet, keys

pytestmark = pytest.mark.both_backends


def test_an_item_is_found_by_a_word_without_accents(find):
    item = make_item(title="Guía de sistematización",
                     summary="Cómo ordenar la **cooperación** entre pares.")
    sheet = make_ficha(owner=make_user(), lessons="La cooperación entre municipios.")
    key = f"guide:{item.id}"
    for typed in ("sistematizacion", "SISTEMATIZACIÓN", "Jara"):
        assert keys(find(typed)) == [key], typed
    assert set(keys(find("cooperacion"))) == {key, f"ficha:{sheet.id}"}
    assert keys(find("cooperacion", kind="guide")) == [key]
    assert facet(find("cooperacion"), "kind").get("guide") == 1


def test_the_index_follows_edits_and_removal(find):
    curator = make_user(role=Role.FACILITATOR)
    item = make_item(by=curator, title="Guía de riego", summary="Turnos de riego.")
    assert keys(find("bofedales")) == []
    services.update_item(db.session, curator, item.id,
                         item_data(title="Guía de riego", summary="Cuidar los bofedales."),
                         None, storage())
    db.session.commit()
    assert keys(find("bofedales")) == [f"guide:{item.id}"]
    assert keys(find("turnos")) == []
    services.remove_item(db.session, curator, item.id, storage())
    db.session.commit()
    assert keys(find("bofedales")) == []


def test_the_search_page_links_the_item(app, client):
    item = make_item(title="Guía de sistematización")
    page = client.get("/buscar/?q=sistematizacion&kind=guide").get_data(as_text=True)
    assert f'href="/biblioteca/{item.id}"' in page and "Guía o documento" in page
    library = client.get("/biblioteca/").get_data(as_text=True)
    assert 'name="kind" value="guide"' in library  # the library's own search box
