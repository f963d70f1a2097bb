"""Browser journeys: each module gets one live server (the `site` of tests/live, SQLite
behind gunicorn+gevent) and one Chromium; each test opens the people it needs as tabs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser import pages
from tests.browser.pages import log_in, new_page
from tests.live import conftest as live

site = live.site  # one production-like server per module (gunicorn+gevent on SQLite)
browser = pages.browser  # one Chromium per module


@dataclass
class Tabs:
    """Opens one browser context per person and closes them all after the test."""

    browser: Browser
    site: Any
    opened: list[tuple[Page, list[str]]] = field(default_factory=list)

    def open(self, width: int, person: Any = None,
             timezone: str | None = None) -> tuple[Page, list[str]]:
        """A fresh tab at `width` (its clock in `timezone`), logged in as `person` when
        given, on the home page."""
        page, errors = new_page(self.browser, width, timezone=timezone)
        self.opened.append((page, errors))
        if person is not None:
            log_in(page, self.site, person)
        return page, errors

    def errors(self) -> list[str]:
        return [e for _page, errors in self.opened for e in errors]

    def close(self) -> None:
        for page, _errors in self.opened:
            page.context.close()


@pytest.fixture
def tabs(browser: Browser, site: Any) -> Iterator[Tabs]:
    found = Tabs(browser, site)
    yield found
    found.close()
