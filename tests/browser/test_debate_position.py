"""At a debate table a person takes a position with the plain form (it works without
script) and finds it on the page and counted in the balance, chart and table alike."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import WIDTHS, assert_fits, screenshot, wait_live
from tests.conftest import make_user
from tests.spaces.factories import make_root, make_space

TOPIC = {1000: "¿Mancomunidades o municipios solos?", 360: "¿Planes por ayllu o por municipio?"}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_position_taken_with_the_form_is_shown_and_counted(site, tabs, width):
    title = f"Mesa: {TOPIC[width]}"
    table = make_space(kind="debate", title=title)
    make_root(space=table, by=make_user(country="BO"), kind="position", stance="for",
              body="Juntos compramos la maquinaria que ninguno podía pagar.")
    make_root(space=table, by=make_user(country="PE"), kind="position", stance="nuanced",
              body="Depende de la distancia entre los municipios.")
    argument = f"En Guaqui la mancomunidad se deshizo al cambiar las autoridades ({width})."
    page, errors = tabs.open(width, make_user(name="Carmen Flores", country="BO"))

    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Espacios").click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    wait_live(page)
    assert_fits(page, width)
    position = page.get_by_role("group", name="Tu posición")
    position.get_by_label("En contra").check()
    page.get_by_label("Argumenta desde tu propia práctica").fill(argument)
    page.get_by_role("button", name="Publicar").click()

    expect(page.get_by_text("Tomaste posición en esta mesa.")).to_be_visible()
    expect(page.get_by_role("group", name="Tu posición")).to_have_count(0)  # one per person
    mine = page.locator("article.post", has_text=argument)
    expect(mine.locator(".stance")).to_have_text("En contra")
    expect(mine).to_contain_text("Carmen Flores")

    balance = page.get_by_role("region", name="Balance de posiciones")
    labels = balance.locator("svg .chart-label")
    expect(labels).to_have_text(["A favor", "En contra", "Con matices"])
    expect(balance.locator("svg .chart-n")).to_have_text(["1", "1", "1"])
    table_ = balance.get_by_role("table", name="Por país")
    expect(table_.get_by_role("columnheader")).to_have_text(
        ["País", "A favor", "En contra", "Con matices"])
    expect(table_.get_by_role("row", name="Bolivia").get_by_role("cell")).to_have_text(
        ["1", "1", "0"])
    expect(table_.get_by_role("row", name="Perú").get_by_role("cell")).to_have_text(
        ["0", "0", "1"])
    assert_fits(page, width)
    screenshot(page, "debate-position", width)
    assert errors == []
