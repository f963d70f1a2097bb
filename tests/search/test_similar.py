"""Similar experiences: the closest other sheets by content, on every sheet page."""

import pytest

from forum.extensions import db
from forum.fichas import services as fichas
from forum.search import similar
from tests.conftest import ficha_data, make_ficha, make_user

pytestmark = pytest.mark.both_backends

QUINUA = ("La quinua orgánica se exporta con sello de comercio justo; las asociaciones de "
          "productores de quinua negocian el precio y certifican sus parcelas.")
BICI = ("Ciclovías y bicicletas públicas en el centro; la movilidad urbana mejoró con "
        "tarifas integradas del transporte.")


ONLY = {"summary": "", "problem": "", "region": "", "municipality": "", "communities": ""}


def _sheets():  # noqa: ANN202
    owner = make_user()
    a = make_ficha(owner=owner, title="Quinua orgánica en Oruro", lessons=QUINUA, **ONLY)
    b = make_ficha(owner=owner, title="Quinua para exportar", lessons=QUINUA.replace(
        "Oruro", "Puno") + " Aprendimos a vender juntos.", country="PE", **ONLY)
    c = make_ficha(owner=owner, title="Bicicletas en Rosario", lessons=BICI, country="AR",
                   themes=["urban_mobility"], **ONLY)
    d = make_ficha(owner=owner, title="Ciclovías en Cuenca", lessons=BICI + " Con escuelas.",
                   country="EC", themes=["urban_mobility"], **ONLY)
    return a, b, c, d


def test_the_closest_sheets_come_first(app):
    a, b, c, d = _sheets()
    assert [h.doc.ref_id for h in similar.similar_sheets(a.id)][:1] == [b.id]
    assert [h.doc.ref_id for h in similar.similar_sheets(c.id)][:1] == [d.id]
    assert a.id not in [h.doc.ref_id for h in similar.similar_sheets(a.id)]
    assert all(h.doc.kind == "ficha" for h in similar.similar_sheets(a.id))


def test_the_list_follows_changes_to_other_sheets(app):
    a, b, c, d = _sheets()
    assert similar.similar_sheets(c.id)[0].doc.ref_id == d.id
    fichas.revise_ficha(db.session, d.owner, d.id, ficha_data(
        title="Quinua en Cuenca", lessons=QUINUA, country="EC", **ONLY), base_version=d.version)
    db.session.commit()
    assert d.id not in [h.doc.ref_id for h in similar.similar_sheets(c.id)][:1]
    assert d.id in [h.doc.ref_id for h in similar.similar_sheets(a.id)][:2]


def test_every_sheet_page_shows_them_to_visitors_and_members(app, client, auth):
    a, b, _c, _d = _sheets()
    for _ in range(2):  # the second visit comes from the visitors' page cache
        page = client.get(f"/fichas/{a.id}").get_data(as_text=True)
        assert 'id="similar-title"' in page and f'href="/fichas/{b.id}-' in page
    auth.login(make_user())
    page = client.get(f"/fichas/{a.id}").get_data(as_text=True)
    assert 'id="similar-title"' in page and f'href="/fichas/{b.id}-' in page
    more = client.get(f"/buscar/parecidas/{a.id}")
    assert more.status_code == 200 and f'href="/fichas/{b.id}-' in more.get_data(as_text=True)
    assert client.get("/buscar/parecidas/99999").status_code == 404


def test_a_sheet_page_renders_even_if_the_index_fails(app, client, monkeypatch):
    a, *_rest = _sheets()

    def broken(*_args):  # noqa: ANN002, ANN202
        raise OSError("index unreadable")

    monkeypatch.setattr(app.extensions["forum.search"].backend, "similar", broken)
    page = client.get(f"/fichas/{a.id}")
    assert page.status_code == 200 and 'id="similar-title"' not in page.get_data(as_text=True)
