"""Two real browsers (Debian's Chromium, driven by Playwright) on a real server: what one
posts appears on the other's page without a reload, and typing is never disturbed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import PASSWORD, make_user
from tests.spaces.factories import make_root, make_space

CHROMIUM = "/usr/bin/chromium"  # Debian's package (.ci/run installs it); never a download
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("FORUM_TEST_OUTPUT", "test-output")) / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "install Debian's chromium (see .ci/run)"
    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield found
        found.close()


def open_page(browser: Browser, site, person, width: int = 1000) -> tuple[Page, list[str]]:
    """A logged-in page that records every console error and uncaught exception."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.server.url + "/entrar")
    page.fill("input[name=email]", person.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.narrow button")
    page.wait_for_url(lambda url: "/entrar" not in url)
    return page, errors


@pytest.mark.parametrize("width", [1000, 360])
def test_a_position_appears_on_the_other_page_without_reload(site, browser, width):
    table = make_space(kind="debate")
    make_root(space=table, by=make_user(), kind="position", stance="for", body="Primera razón")
    reader, author = make_user(name="Rosa Condori"), make_user(name="Juan Pérez")
    url = f"{site.server.url}/espacios/{table.id}"
    watching, watch_errors = open_page(browser, site, reader, width)
    watching.goto(url)
    watching.wait_for_function("document.querySelector('[data-live-presence]') !== null"
                               " || window.io !== undefined")
    watching.fill("#new-body", "Estoy escribiendo mi propia posición")  # typing, not sent
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
    assert watching.url == url  # no reload happened
    SHOTS.mkdir(parents=True, exist_ok=True)
    watching.screenshot(path=str(SHOTS / f"live-position-{width}.png"), full_page=True)
    watching.reload()  # the draft survives a reload (kept in this browser)
    assert watching.input_value("#new-body") == "Estoy escribiendo mi propia posición"
    assert watch_errors == [] and post_errors == []
    watching.context.close()
    posting.context.close()
