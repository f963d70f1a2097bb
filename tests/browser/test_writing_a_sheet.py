"""A newcomer joins, writes the sheet of their experience, follows the completeness guide to
add what it lacks, improves it again, and compares the first and last versions."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import WIDTHS, assert_fits, screenshot
from tests.conftest import PASSWORD

LESSONS = ("Aprendimos que los acuerdos firmados con las autoridades originarias valen más "
           "que cualquier plan técnico. Los jóvenes profesionales de las comunidades pueden "
           "sumarse a los consejos consultivos y sostener el trabajo cuando cambia el "
           "personal municipal. Hace falta un equipo multidisciplinario desde el comienzo.")
KEYS = "Las asambleas comunales aprobaron cada mapa parlante antes de llevarlo al concejo."


def guide(page: Page):  # noqa: ANN201
    return page.get_by_role("complementary", name="Lo que todavía le falta a esta ficha")


def save(page: Page) -> None:
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("link", name="Mejorar esta ficha")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_newcomer_writes_a_sheet_improves_it_twice_and_reads_the_changes(site, tabs, width):
    page, errors = tabs.open(width)
    page.goto(site.server.url + "/")
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Unirse").click()

    page.get_by_label("Correo electrónico").fill(f"nueva-{width}@example.org")
    page.get_by_label("Nombre visible para los demás").fill(f"Marisol Quispe {width}")
    page.get_by_label("País").select_option("BO")
    page.get_by_label("Organización").fill("Gobierno municipal de Taraco")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_label("Repite la contraseña").fill(PASSWORD)
    assert_fits(page, width)
    page.get_by_role("main").get_by_role("button", name="Unirse").click()

    # straight to the sheet form, with the first-time instructions
    expect(page.get_by_role("heading", name="Escribe la ficha de tu experiencia")).to_be_visible()
    expect(page.get_by_role("complementary", name="Cómo escribir una ficha útil")).to_be_visible()
    title = f"Mapas parlantes en los ayllus de Taraco ({width})"
    page.get_by_label("Título").fill(title)
    page.get_by_label("Resumen en una o dos frases").fill(
        "Planes de gestión territorial por ayllu hechos con mapas parlantes.")
    page.locator("#f-country").select_option("BO")
    page.get_by_label("Ordenamiento territorial").check()
    page.get_by_label("Problema de partida").fill(
        "Conflictos por el uso del agua y de las parcelas colectivas entre comunidades.")
    assert_fits(page, width)
    save(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(guide(page)).to_contain_text("Lecciones aprendidas: falta")
    assert_fits(page, width)
    screenshot(page, "sheet-guide", width)

    # first improvement: what the guide asked for first
    page.get_by_role("link", name="Mejorar esta ficha").click()
    page.get_by_label("Lecciones aprendidas").fill(LESSONS)
    page.get_by_label("¿Qué cambiaste?").fill("Agrego las lecciones aprendidas")
    assert_fits(page, width)
    save(page)
    expect(page.get_by_role("region", name="Lecciones aprendidas")).to_contain_text(LESSONS)
    expect(guide(page)).not_to_contain_text("Lecciones aprendidas")

    # second improvement: something else
    page.get_by_role("link", name="Mejorar esta ficha").click()
    expect(page.get_by_label("Lecciones aprendidas")).to_have_value(LESSONS)  # nothing lost
    page.get_by_label("Claves que resolvieron los problemas").fill(KEYS)
    save(page)
    expect(page.get_by_role("region", name="Claves que resolvieron los problemas")
           ).to_contain_text(KEYS)

    page.get_by_role("link", name="3 versiones").click()
    expect(page.get_by_role("heading", name="Historial de la ficha")).to_be_visible()
    expect(page.get_by_role("cell", name="Agrego las lecciones aprendidas")).to_be_visible()
    page.get_by_label("Comparar desde la versión 1", exact=True).check()
    page.get_by_label("Comparar hasta la versión 3", exact=True).check()
    assert_fits(page, width)
    page.get_by_role("button", name="Comparar las versiones elegidas").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cambios de la versión 1 a la versión 3")
    lessons = page.locator("section.diff", has=page.get_by_role(
        "heading", name="Lecciones aprendidas"))
    expect(lessons.locator("ins")).to_contain_text(["consejos consultivos"])
    keys = page.locator("section.diff", has=page.get_by_role(
        "heading", name="Claves que resolvieron los problemas"))
    expect(keys.locator("ins")).to_contain_text(["mapa parlante"])
    assert_fits(page, width)
    screenshot(page, "sheet-diff", width)
    assert errors == []
