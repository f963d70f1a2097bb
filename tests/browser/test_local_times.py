"""Times in the reader's own zone: a visitor's page (shared by all visitors, so written in
UTC) shows a conference's start, a call's dates and when each version of a sheet was saved
in the browser's zone; a logged-in person's page, already in their country's zone, is left
as the server wrote it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from forum.communities import services as calls
from forum.extensions import db
from forum.fichas.models import FichaRevision
from forum.spaces.services import now
from tests.browser.pages import WIDTHS, assert_fits, screenshot
from tests.communities.factories import make_facilitator
from tests.conftest import make_ficha, make_user
from tests.spaces.factories import make_space


def tomorrow_at(hour: int) -> datetime:
    day = now() + timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_visitor_sees_a_conference_and_a_call_in_the_browsers_zone(site, tabs, width):
    start = tomorrow_at(14)  # 14:00 UTC is 10:00 in La Paz (UTC-4, no summer time)
    space = make_space(kind="conference", title=f"Conferencia a las diez ({width})",
                       starts_at=start, ends_at=start + timedelta(hours=2))
    call = calls.open_call(db.session, make_facilitator(), title=f"Convocatoria ({width})",
                           opens_at=start, closes_at=start + timedelta(days=30))
    db.session.commit()
    page, errors = tabs.open(width, timezone="America/La_Paz")

    page.goto(f"{site.server.url}/espacios/{space.id}")
    begins = page.locator(".conference-info time").first
    expect(begins).to_contain_text("10:00")
    assert "14:00" in begins.get_attribute("title")  # what the server said, at hand
    expect(page.locator(".conference-info time").nth(1)).to_have_text("12:00")
    assert_fits(page, width)
    screenshot(page, "local-times-conference", width)

    page.goto(f"{site.server.url}/convocatorias/{call.id}")
    expect(page.locator("[data-tz-label]")).to_have_text("America/La Paz")
    expect(page.locator("time").first).to_contain_text("10:00")
    screenshot(page, "local-times-call", width)

    ficha = make_ficha(owner=make_user(), title=f"Ficha con historia ({width})")
    saved = db.session.scalar(select(FichaRevision.created_at).where(
        FichaRevision.ficha_id == ficha.id)) - timedelta(hours=4)  # in La Paz
    page.goto(f"{site.server.url}/fichas/{ficha.id}/historial")
    expect(page.locator("table.history tbody time").first).to_contain_text(
        f"{saved.hour}:{saved.minute:02d}")
    assert errors == []


def test_a_logged_in_persons_times_stay_in_their_countrys_zone(site, tabs):
    start = tomorrow_at(14)
    space = make_space(kind="conference", title="Conferencia para quien entra",
                       starts_at=start, ends_at=start + timedelta(hours=2))
    person = make_user(country="BO")  # the server writes La Paz times for her
    page, errors = tabs.open(1000, person, timezone="Europe/Madrid")  # travelling
    page.goto(f"{site.server.url}/espacios/{space.id}")
    begins = page.locator(".conference-info time").first
    expect(begins).to_contain_text("10:00")
    assert page.evaluate("document.documentElement.hasAttribute('data-utc')") is False
    assert errors == []
