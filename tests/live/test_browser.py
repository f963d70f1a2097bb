"""Two real browsers (Debian's Chromium, driven by Playwright) on a real server: what one
posts appears on the other's page without a reload, and typing is never disturbed."""

from __future__ import annotations

import pytest

from tests.browser import pages
from tests.browser.pages import mark_document, open_page, same_document, screenshot
from tests.conftest import make_user
from tests.spaces.factories import make_root, make_space

browser = pages.browser  # the shared Chromium fixture, one per module


@pytest.mark.parametrize("width", [1000, 360])
def test_a_position_appears_on_the_other_page_without_reload(site, browser, width):
    table = make_space(kind="debate")
    make_root(space=table, by=make_user(), kind="position", stance="for", body="Primera razón")
    reader, author = make_user(name="Rosa Condori"), make_user(name="Juan Pérez")
    url = f"{site.server.url}/espacios/{table.id}"
    watching, watch_errors = open_page(browser, site, reader, width)
    watching.goto(url)
    pages.wait_live(watching)
    watching.fill("#new-body", "Estoy escribiendo mi propia posición")  # typing, not sent
    mark_document(watching)
    posting, post_errors = open_page(browser, site, author, width)
    posting.goto(url)
    posting.check("input[name=stance][value=against]")
    posting.fill("#new-body", "La consulta previa llegó tarde")
    posting.click("#new-post button")
    posting.wait_for_url(lambda u: f"/espacios/{table.id}" in u)
    arrived = watching.locator("article.post", has_text="La consulta previa llegó tarde")
    arrived.wait_for(timeout=8000)
    assert watching.locator(".live-new").count() >= 1  # shown as new
    assert watching.input_value("#new-body") == "Estoy escribiendo mi propia posición"
    assert same_document(watching)  # no reload happened
    screenshot(watching, "live-position", width)
    watching.reload()  # the draft survives a reload (kept in this browser)
    assert watching.input_value("#new-body") == "Estoy escribiendo mi propia posición"
    assert watch_errors == [] and post_errors == []
    watching.context.close()
    posting.context.close()
