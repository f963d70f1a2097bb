"""What every browser test shares: Debian's Chromium driven by Playwright, pages that record
every console error and uncaught exception, log-in through the real form, screenshots under
the run's output folder, and the check that a narrow phone needs no sideways scrolling."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"  # Debian's package (.ci/run installs it); never a download
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = [1000, 360]  # a laptop, and the small phone many rural participants use
NARROW = 360
LOCALE = "es-419"  # the interface is Spanish first


def shots_dir() -> Path:
    """Read when a screenshot is taken, so a run can point FORUM_TEST_OUTPUT elsewhere."""
    return Path(os.environ.get("FORUM_TEST_OUTPUT", "test-output")) / "screenshots"


@contextmanager
def chromium() -> Iterator[Browser]:
    """One headless Chromium for a module: launching costs more than a fresh context."""
    assert Path(CHROMIUM).exists(), "install Debian's chromium (see .ci/run)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """The fixture both browser packages import (tests/browser, tests/live/test_browser.py)."""
    with chromium() as found:
        yield found


def new_page(browser: Browser, width: int = 1000, locale: str = LOCALE,
             timezone: str | None = None) -> tuple[Page, list[str]]:
    """A page in its own context (its own cookies: one person; `timezone` the browser's
    zone), and the list that every console error and uncaught exception of that page lands
    in: tests assert it stays empty."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale,
                                  timezone_id=timezone)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    return page, errors


def log_in(page: Page, site: Any, person: Any) -> None:
    """Through the real log-in form, as a person would."""
    page.goto(site.server.url + "/entrar")
    page.fill("input[name=email]", person.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.narrow button")
    page.wait_for_url(lambda url: "/entrar" not in url)


def open_page(browser: Browser, site: Any, person: Any, width: int = 1000
              ) -> tuple[Page, list[str]]:
    """A logged-in page that records every console error and uncaught exception."""
    page, errors = new_page(browser, width)
    log_in(page, site, person)
    return page, errors


def screenshot(page: Page, journey: str, width: int) -> Path:
    """The whole page as the person saw it, kept with the run's output for a human to look at."""
    folder = shots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{journey}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_fits(page: Page, width: int) -> None:
    """On a narrow phone nothing may need sideways scrolling (a wide table, a long word, a
    fixed-width form): the page must fit its viewport."""
    if width > NARROW:
        return
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width + 1:
        culprits = page.evaluate(WIDEST, width)
        where = urlsplit(page.url).path.strip("/").replace("/", "-") or "home"
        shot = screenshot(page, f"too-wide-{where}", width)
        raise AssertionError(f"{page.url} is {wide}px wide at {width}px; "
                             f"widest: {culprits}; see {shot}")


# Names the elements that stick out, so a failure says what to fix.
WIDEST = """(width) => Array.from(document.querySelectorAll('body *'))
  .filter(el => el.getBoundingClientRect().right > width + 1).slice(-5)
  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className ? '.' + el.className : '')
    + ' ' + Math.round(el.getBoundingClientRect().right) + 'px')"""


def mark_document(page: Page) -> None:
    """Tag the document now shown, so `same_document` can tell that no reload happened
    (without relying on the URL, which may change shape)."""
    page.evaluate("window.__journeyMark = true")


def same_document(page: Page) -> bool:
    """True while the document tagged by `mark_document` is still the one shown."""
    return bool(page.evaluate("window.__journeyMark === true"))


def wait_live(page: Page) -> None:
    """Wait until the page's live script has joined its room, so nothing sent after this
    can be missed. A selector, not `wait_for_function`: Playwright's polling predicate runs
    through `eval`, which the page's CSP refuses (no 'unsafe-eval') whenever the first
    check comes too early."""
    page.wait_for_selector("[data-live-room][data-live-joined]", state="attached",
                           timeout=8000)
