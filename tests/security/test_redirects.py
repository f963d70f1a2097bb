"""`next=` never sends anyone to another site: every reader of it (log-in, language, marking
notices read, moderation forms and the pages that carry it on in a hidden field) lands on a
page of this site when given somebody else's address."""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

import pytest
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, Auth, make_user
from tests.security.conftest import World, shared_site

# As typed into the address bar or a forged form; the query string carries each quoted.
HOSTILE = ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)",
           "%2F%2Fevil.example", "///evil.example", "/\t/evil.example", " //evil.example",
           "https:evil.example", "\\\\evil.example"]
LOCAL = "/fichas/?pais=BO"
HIDDEN_NEXT = re.compile(r'name="next" value="([^"]*)"')


site, app, world = shared_site("redirects")


def assert_local(location: str) -> None:
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location and "evil" not in location, location


def log_in(client: FlaskClient, world: World, target: str):  # noqa: ANN201
    return client.post(f"/entrar?next={quote(target, safe='')}",
                       data={"email": world.facilitator.email, "password": PASSWORD})


def language(client: FlaskClient, world: World, target: str):  # noqa: ANN201, ARG001
    return client.get(f"/idioma?lang=es&next={quote(target, safe='')}")


def language_form(client: FlaskClient, world: World, target: str):  # noqa: ANN201, ARG001
    return client.post("/idioma", data={"lang": "es", "next": target})


def notices_read(client: FlaskClient, world: World, target: str):  # noqa: ANN201
    Auth(client).login(world.owner)
    return client.post("/avisos/leidos", data={"id": "0", "next": target})


def moderation_action(client: FlaskClient, world: World, target: str):  # noqa: ANN201
    Auth(client).login(world.facilitator)
    return client.post(f"/moderacion/posts/{world.position.id}/fijar", data={"next": target})


def flag(client: FlaskClient, world: World, target: str):  # noqa: ANN201
    Auth(client).login(make_user())  # one flag per person and post
    return client.post(f"/posts/{world.position.id}/senalar",
                       data={"reason": "Fuera de tema", "next": target})


REDIRECTING = [log_in, language, language_form, notices_read, moderation_action, flag]


@pytest.mark.parametrize("target", HOSTILE)
@pytest.mark.parametrize("reader", REDIRECTING, ids=lambda f: f.__name__)
def test_a_foreign_next_lands_on_a_local_page(client, world, reader, target):
    response = reader(client, world, target)
    assert response.status_code == 302
    assert_local(response.location)


@pytest.mark.parametrize("reader", REDIRECTING, ids=lambda f: f.__name__)
def test_a_local_next_is_followed(client, world, reader):
    response = reader(client, world, LOCAL)
    assert response.status_code == 302 and response.location == LOCAL


def test_the_raw_quoted_forms_in_the_query_string(client, world):
    """%2F%2F decodes to // before the check; %252F%252F decodes to a text that is no path."""
    for query in ("next=%2F%2Fevil.example", "next=%252F%252Fevil.example",
                  "next=%2F%5Cevil.example", "next=%09%2F%2Fevil.example"):
        response = client.post(f"/entrar?{query}",
                               data={"email": world.owner.email, "password": PASSWORD})
        assert response.status_code == 302
        assert_local(response.location)
        client.post("/salir")


@pytest.mark.parametrize("target", HOSTILE)
def test_pages_that_carry_next_on_keep_only_a_local_one(client, world, target):
    """The flag page and a refused moderation form put `next` in a hidden field; what they
    put there is already checked, so the form they post cannot carry a foreign one."""
    Auth(client).login(world.facilitator)
    shown = client.get(f"/posts/{world.position.id}/senalar?next={quote(target, safe='')}")
    refused = client.post(f"/moderacion/posts/{world.position.id}/ocultar",
                          data={"reason": "", "next": target})
    assert (shown.status_code, refused.status_code) == (200, 422)
    for page in (shown, refused):
        values = HIDDEN_NEXT.findall(page.get_data(as_text=True))
        assert values, "the page no longer carries next"
        for value in values:
            assert_local(html.unescape(value))
