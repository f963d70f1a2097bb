"""Pages the same for everyone but the header (home, sheet list, panorama) are rendered
once for all logged-in people: each still gets their own header and form token, a
facilitator's rendering never reaches a participant, and every change shows at once."""

from __future__ import annotations

import re

import pytest

from forum.accounts.models import Role
from forum.core.database import count_queries
from forum.extensions import db
from tests.conftest import make_ficha, make_user

pytestmark = pytest.mark.both_backends

PAGES = ("/", "/fichas/", "/panorama/")


def text(response) -> str:  # noqa: ANN001
    assert response.status_code == 200
    return response.get_data(as_text=True)


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("path", PAGES)
def test_each_person_gets_their_own_header_and_token_on_a_shared_page(client, auth, path):
    make_ficha(owner=make_user(), title="Ferias de semillas en Taraco", country="BO")
    ana, beto = make_user(name="Ana Quispe"), make_user(name="Beto Mamani")
    auth.login(ana)
    first = text(client.get(path))
    auth.logout()
    auth.login(beto)
    with count_queries(db.engine) as counter:
        second = text(client.get(path))
    assert f'data-me="{beto.id}"' in second and "Beto Mamani" in second
    assert "Ana Quispe" not in second and f'data-me="{ana.id}"' not in second
    assert token(second) != token(first)  # each session's own form token
    # the person (with their unread count) and the page's stamp: the page itself is kept
    assert counter.count <= 3, counter.statements


def test_a_new_sheet_shows_at_once_on_the_shared_pages(client, auth):
    auth.login(make_user())
    before = [text(client.get(path)) for path in PAGES]
    make_ficha(owner=make_user(), title="Caminos vecinales de Huancané", country="PE")
    after = [text(client.get(path)) for path in PAGES]
    assert all("Huancané" not in html for html in before[:2])
    assert all("Caminos vecinales de Huancané" in html for html in after[:2])
    assert "Perú" not in before[2] and "Perú" in after[2]  # the panorama's country bars


def test_a_facilitators_rendering_never_reaches_a_participant(client, auth):
    make_ficha(owner=make_user(), country="BO")
    auth.login(make_user(role=Role.FACILITATOR))
    assert "/panorama/informe" in text(client.get("/panorama/"))
    auth.logout()
    auth.login(make_user())
    assert "/panorama/informe" not in text(client.get("/panorama/"))
