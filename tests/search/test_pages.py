"""The search page and GET /api/v1/search: plain GET forms, honest status codes."""

import re

import pytest

from forum.accounts.models import Role
from forum.search import query
from tests.conftest import make_ficha, make_user
from tests.spaces.factories import make_root, make_space

pytestmark = pytest.mark.both_backends


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def test_the_search_page_shows_results_filters_and_pages(app, client):
    owner = make_user(name="Rosa Mamani")
    for n in range(23):
        make_ficha(owner=owner, title=f"Bofedal {n}", lessons="El bofedal se cuida con turnos.",
                   country="PE" if n % 2 else "BO")
    response = client.get("/buscar/?q=bofedales")
    page = text(response)
    assert response.status_code == 200
    assert 'value="bofedales"' in page  # the typed query stays in the box
    assert page.count('<article class="post">') == 20
    assert "<mark>bofedal</mark>" in page
    assert 'href="/buscar/?q=bofedales&amp;country=PE"' in page and "(11)" in page
    assert 'rel="next" href="/buscar/?q=bofedales&amp;page=2"' in page
    second = text(client.get("/buscar/?q=bofedales&page=2"))
    assert second.count('<article class="post">') == 3
    narrowed = text(client.get("/buscar/?q=bofedales&country=PE"))
    assert narrowed.count('<article class="post">') == 11 and "Rosa Mamani" in narrowed
    assert '<input type="hidden" name="country" value="PE">' in narrowed
    assert "<script" not in page  # no JavaScript needed, none sent


def test_the_header_search_form_is_on_every_page(app, client):
    ficha = make_ficha(owner=make_user())
    for path in ("/", "/fichas/", f"/fichas/{ficha.id}", "/espacios/", "/buscar/"):
        page = text(client.get(path))
        assert re.search(r'<form role="search" method="get" action="/buscar/">', page), path


def test_content_is_escaped_on_the_page(app, client):
    make_ficha(owner=make_user(), title="<script>alert(1)</script> Vicuñas",
               lessons="Las vicuñas y `<img src=x onerror=alert(2)>`.")
    page = text(client.get("/buscar/?q=vicuña"))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page and "<mark>Vicuñas</mark>" in page


@pytest.mark.parametrize("typed", [
    '"sin cerrar', "((((", "status:hidden", "x" * 5000, "agua\x00\x07", "*", "-", '"',
    "<script>alert(1)</script>", "' OR 1=1 --", "日本語", "%", "de la",
])
def test_whatever_is_typed_gets_a_page_not_an_error(app, client, typed):
    make_ficha(owner=make_user(), lessons="Agua y riego.")
    response = client.get("/buscar/", query_string={"q": typed})
    assert response.status_code == 200
    page = text(response)
    assert "<script>alert(1)</script>" not in page
    api = client.get("/api/v1/search", query_string={"q": typed})
    assert api.status_code == 200 and isinstance(api.get_json()["items"], list)


def test_notices_explain_what_was_changed(app, client):
    page = text(client.get("/buscar/", query_string={"q": '"sin cerrar'}))
    with app.test_request_context():
        assert str(query.UNCLOSED) in page
    assert 'value="&#34;sin cerrar"' in page or 'value="&quot;sin cerrar"' in page


def test_a_bad_filter_value_is_the_only_4xx(app, client):
    make_ficha(owner=make_user(), lessons="Agua y riego.")
    response = client.get("/buscar/?q=riego&country=XX&sort=sideways")
    assert response.status_code == 422
    page = text(response)
    assert 'value="riego"' in page and "XX" in page and "<mark>riego</mark>" in page
    with app.test_request_context():
        from forum.search.presenting import ARGUMENT_LABELS

        assert f"{ARGUMENT_LABELS['country']}: " in page
    api = client.get("/api/v1/search?q=riego&country=XX")
    assert api.status_code == 422
    assert set(api.get_json()["error"]["fields"]) == {"country"}
    assert client.get("/api/v1/search?q=riego&page=0").status_code == 422


def test_did_you_mean_links_to_the_corrected_search(app, client):
    make_ficha(owner=make_user(), lessons="Las cooperativas lecheras.")
    page = text(client.get("/buscar/?q=cooperatvas&country=BO"))
    assert 'href="/buscar/?q=cooperativas&amp;country=BO"' in page


def test_the_api_gives_results_facets_and_the_same_permissions(app, client, token_for):
    fac = make_user(role=Role.FACILITATOR)
    space = make_space(kind="contribution", by=fac)
    post = make_root(space=space, by=make_user(), title="Alpacas", body="Esquila de alpacas.")
    from forum.extensions import db
    from forum.spaces import moderation

    ficha = make_ficha(owner=make_user(), title="Alpacas en Puno", country="PE")
    body = client.get("/api/v1/search?q=alpaca").get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["pages"] == 1
    first = {i["key"]: i for i in body["items"]}
    assert first[f"ficha:{ficha.id}"]["url"] == f"/fichas/{ficha.id}-{ficha.slug}"
    assert first[f"post:{post.id}"]["url"] == \
        f"/espacios/{space.id}/hilos/{post.id}#post-{post.id}"
    assert "<mark>" in first[f"post:{post.id}"]["snippet_html"]
    assert {f["value"]: f["count"] for f in body["facets"]["kind"]} == {"ficha": 1,
                                                                        "contribution": 1}
    moderation.hide_post(db.session, fac, post.id, "Revisar")
    db.session.commit()
    assert client.get("/api/v1/search?q=alpaca").get_json()["total"] == 1
    as_fac = client.get("/api/v1/search?q=alpaca", headers=token_for(fac)).get_json()
    assert as_fac["total"] == 2
    bad = client.get("/api/v1/search?q=alpaca", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_the_api_is_described_in_openapi(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    search = doc["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in search["parameters"]}
    assert {"q", "kind", "space_kind", "country", "theme", "actor", "status", "modality",
            "author", "since", "until", "sort", "page", "per_page"} <= names
