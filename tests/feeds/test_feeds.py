"""Feeds, the sitemap and link previews, parsed as the machines that read them would."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from flask import Flask

from forum.accounts.models import Role
from forum.communities.models import Community
from forum.extensions import db
from forum.spaces import moderation, services
from tests.conftest import make_ficha, make_user
from tests.spaces.factories import make_reply, make_root, make_space

pytestmark = pytest.mark.both_backends
A = "{http://www.w3.org/2005/Atom}"


def atom(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.data)  # well-formed XML, or this raises
    assert root.tag == f"{A}feed"
    for tag in ("id", "title", "updated"):
        assert root.find(f"{A}{tag}") is not None and root.find(f"{A}{tag}").text
    assert root.find(f"{A}link[@rel='self']").get("href").endswith(url)
    for entry in root.findall(f"{A}entry"):  # what RFC 4287 requires of each entry
        for tag in ("id", "title", "updated"):
            assert entry.find(f"{A}{tag}").text, tag
        assert entry.find(f"{A}author/{A}name").text
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith("http")
        assert entry.find(f"{A}updated").text.endswith("Z")
    return root


def titles(root: ET.Element) -> list[str]:
    return [e.find(f"{A}title").text for e in root.findall(f"{A}entry")]


def test_the_sheets_feed_lists_the_newest_sheets_first_with_text_escaped(client, backend):
    owner = make_user(name="Ana Quispe")
    make_ficha(owner=owner, title="Ferias en Sucre")
    make_ficha(owner=owner, title="Riego <script>alert(1)</script> & turnos")
    raw = client.get("/fichas/feed.atom").get_data(as_text=True)
    assert "<script>" not in raw  # escaped as text, never markup
    root = atom(client, "/fichas/feed.atom")
    assert titles(root) == ["Riego <script>alert(1)</script> & turnos", "Ferias en Sucre"]
    assert root.find(f"{A}entry/{A}author/{A}name").text == "Ana Quispe"


def test_a_space_feed_leaves_out_what_visitors_may_not_read(client):
    space = make_space(kind="contribution")
    facilitator = make_user(role=Role.FACILITATOR)
    root_post = make_root(space=space, by=make_user(), title="Lo que aprendimos del riego")
    make_reply(to=root_post, by=make_user(), body="Gracias, muy útil")
    hidden = make_reply(to=root_post, by=make_user(), body="Fuera de lugar")
    moderation.hide_post(db.session, facilitator, hidden.id, "Ofende a otra persona")
    db.session.commit()
    feed = atom(client, f"/espacios/{space.id}/feed.atom")
    contents = [e.find(f"{A}content").text for e in feed.findall(f"{A}entry")]
    assert "Lo que aprendimos del riego" in titles(feed)
    assert any("Gracias, muy útil" in c for c in contents)
    assert not any("Fuera de lugar" in c for c in contents)
    links = [e.find(f"{A}link").get("href") for e in feed.findall(f"{A}entry")]
    assert all(f"/hilos/{root_post.id}#post-" in link for link in links)


def test_members_only_and_draft_spaces_have_no_feed(client):
    facilitator = make_user(role=Role.FACILITATOR)
    group = Community(name="Red andina", created_by_id=facilitator.id)
    db.session.add(group)
    db.session.commit()
    closed = make_space(kind="conference", community_id=group.id, members_only=True)
    make_root(space=closed, by=facilitator, body="Solo para la red")
    assert client.get(f"/espacios/{closed.id}/feed.atom").status_code == 404
    open_space = make_space(kind="debate", community_id=group.id)
    make_root(space=open_space, by=make_user(), kind="position", stance="for",
              body="Una posición pública")
    feed = atom(client, f"/comunidades/{group.id}/feed.atom")
    contents = " ".join(e.find(f"{A}content").text for e in feed.findall(f"{A}entry"))
    assert "Una posición pública" in contents and "Solo para la red" not in contents
    assert client.get("/comunidades/999/feed.atom").status_code == 404


def test_the_sitemap_lists_what_visitors_can_read(client, app: Flask):
    app.config["BASE_URL"] = "https://foro.example.org"
    ficha = make_ficha(owner=make_user())
    public = make_space(kind="debate")
    facilitator = make_user(role=Role.FACILITATOR)
    draft = make_space(kind="debate", by=facilitator)
    services.set_state(db.session, facilitator, draft.id, "draft")
    db.session.commit()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    locs = [n.text for n in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"https://foro.example.org/fichas/{ficha.id}-{ficha.slug}" in locs
    assert f"https://foro.example.org/espacios/{public.id}-{public.slug}" in locs
    assert not [loc for loc in locs if f"/espacios/{draft.id}" in loc]
    assert "https://foro.example.org/" in locs


def test_sheet_and_space_pages_say_how_to_show_them_elsewhere(client):
    ficha = make_ficha(owner=make_user(), title="Turismo comunitario en Taraco",
                       summary="Familias que reciben visitantes", country="BO")
    page = client.get(f"/fichas/{ficha.id}").get_data(as_text=True)
    assert '<meta property="og:title" content="Turismo comunitario en Taraco">' in page
    assert "Familias que reciben visitantes · Bolivia" in page
    canonical = f"http://localhost/fichas/{ficha.id}-turismo-comunitario-en-taraco"
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert 'type="application/atom+xml"' in page
    space = make_space(kind="conference", summary="Resumen para enlaces")
    shown = client.get(f"/espacios/{space.id}").get_data(as_text=True)
    assert 'property="og:description" content="Resumen para enlaces"' in shown
    assert f'href="/espacios/{space.id}/feed.atom"' in shown
