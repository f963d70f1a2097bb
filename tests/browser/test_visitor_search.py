"""A visitor, with no account, finds a sheet by typing a word without its accent and reads
what that experience learned."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import WIDTHS, assert_fits, screenshot
from tests.conftest import make_ficha, make_user

# one sheet per run: the two widths share this module's server (and its index)
PLACE = {1000: "Taraco", 360: "Guaqui"}
LESSON = ("Los acuerdos entre el municipio y las autoridades originarias fueron la llave para "
          "manejar el agua y las parcelas colectivas.")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_visitor_finds_a_sheet_without_typing_its_accent_and_reads_its_lessons(
        site, tabs, width):
    title = f"Gestión territorial con los ayllus de {PLACE[width]}"
    make_ficha(owner=make_user(), title=title, municipality=PLACE[width], lessons=LESSON)
    page, errors = tabs.open(width)

    page.goto(site.server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits(page, width)
    page.get_by_role("searchbox", name="Buscar").fill("gestion")
    page.get_by_role("search").get_by_role("button", name="Buscar").click()

    result = page.locator(".results article", has=page.get_by_role("link", name=title))
    expect(result).to_have_count(1)
    expect(page.get_by_role("status")).to_contain_text("resultado")
    # the accent-less word found the accented one, and the page shows where
    expect(result.locator("mark", has_text="Gestión").first).to_be_visible()
    expect(result.locator("p mark").first).to_be_visible()  # the snippet, not only the title
    assert_fits(page, width)
    screenshot(page, "visitor-search-results", width)

    result.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    lessons = page.get_by_role("region", name="Lecciones aprendidas")
    expect(lessons).to_contain_text(LESSON)
    lessons.scroll_into_view_if_needed()
    assert_fits(page, width)
    screenshot(page, "visitor-sheet", width)
    assert errors == []
