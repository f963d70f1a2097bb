"""A facilitator hides a reply with a reason from the thread page: it vanishes from the page
another participant is reading, without a reload, stays marked on its author's page, and the
audit log records why."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from forum.accounts.models import Role
from tests.browser.pages import (
    WIDTHS,
    assert_fits,
    mark_document,
    same_document,
    screenshot,
    wait_live,
)
from tests.conftest import make_user
from tests.spaces.factories import make_reply, make_root, make_space

THREAD = {1000: "Ferias de semillas nativas", 360: "Compras públicas a productores locales"}
# the two widths share this module's server and so its audit log: one reason each
REASON = {1000: "Publicidad ajena al tema del espacio", 360: "Venta de productos sin relación"}


def open_thread(page: Page, space: str, thread: str) -> None:
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Espacios").click()
    page.get_by_role("link", name=space).click()
    page.get_by_role("link", name=thread).click()
    expect(page.get_by_role("heading", name=thread)).to_be_visible()
    wait_live(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_hidden_reply_vanishes_live_and_is_in_the_audit_log(site, tabs, width):
    facilitator = make_user(name="Facilitadora Ruth", role=Role.FACILITATOR)
    space_title = f"Aportes sobre economía local ({width})"
    space = make_space(kind="contribution", by=facilitator, title=space_title)
    root = make_root(space=space, by=make_user(), title=THREAD[width],
                     body="Cada mes las familias intercambian semillas en la plaza.")
    kept = "En Taraco la feria ya cumplió tres años."
    make_reply(to=root, by=make_user(), body=kept)
    offending = f"Compren mis productos milagrosos, escriban a mi número ({width})."
    author = make_user(name="Vendedor Ajeno")
    make_reply(to=root, by=author, body=offending)
    reason = REASON[width]

    reader, r_errors = tabs.open(width, make_user(name="Carla Ticona"))
    open_thread(reader, space_title, THREAD[width])
    expect(reader.locator("article.post", has_text=offending)).to_be_visible()
    mark_document(reader)
    own, o_errors = tabs.open(width, author)
    open_thread(own, space_title, THREAD[width])
    mark_document(own)

    mod, m_errors = tabs.open(width, facilitator)
    open_thread(mod, space_title, THREAD[width])
    assert_fits(mod, width)
    target = mod.locator("article.post", has_text=offending)
    target.get_by_text("Ocultar", exact=True).click()  # the disclosure that holds the form
    target.get_by_label("Motivo (el autor/a lo leerá)").fill(reason)
    assert_fits(mod, width)
    target.get_by_role("button", name="Ocultar esta publicación").click()
    expect(mod.get_by_text("Publicación ocultada. Su autor/a ve el motivo.")).to_be_visible()
    expect(mod.locator("article.post", has_text=offending)).to_contain_text(
        f"Ocultada por un facilitador/a: {reason}")  # facilitators still see it, marked

    expect(reader.locator("article.post", has_text=offending)).to_have_count(0, timeout=8000)
    expect(reader.locator("article.post", has_text=kept)).to_be_visible()
    assert same_document(reader), "the post should vanish without a reload"
    assert_fits(reader, width)
    screenshot(reader, "moderation-reader", width)
    # its author keeps it, marked as a reload would show it; the reason is in their notices
    expect(own.locator("article.post", has_text=offending)).to_contain_text(
        "Un facilitador/a ocultó esta publicación", timeout=8000)
    assert same_document(own)
    expect(own.locator("article.post", has_text=offending)).not_to_contain_text(reason)

    mod.get_by_role("navigation", name="Principal").get_by_role("link", name="Moderación").click()
    mod.get_by_role("link", name="Registro de las acciones de moderación").click()
    expect(mod.get_by_role("heading", level=1)).to_have_text("Registro de moderación")
    row = mod.get_by_role("row").filter(has_text=reason)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Publicación ocultada")
    expect(row).to_contain_text("Facilitadora Ruth")
    assert_fits(mod, width)
    screenshot(mod, "moderation-audit", width)
    assert r_errors == [] and m_errors == [] and o_errors == []


def test_a_hidden_thread_stays_marked_on_its_authors_space_page(site, tabs):
    facilitator = make_user(name="Facilitador Iván", role=Role.FACILITATOR)
    space_title = "Aportes sobre caminos vecinales"
    space = make_space(kind="contribution", by=facilitator, title=space_title)
    author, other = make_user(name="Autora Nilda"), make_user(name="Lector Saúl")
    thread = "Oferta de maquinaria en alquiler"
    make_root(space=space, by=author, title=thread, body="Alquilo retroexcavadora barata.")
    watching = {}
    for who in (author, other):
        page, errors = tabs.open(1000, who)
        page.get_by_role("navigation", name="Principal").get_by_role("link",
                                                                     name="Espacios").click()
        page.get_by_role("link", name=space_title).click()
        wait_live(page)
        mark_document(page)
        watching[who.id] = (page, errors)

    mod, m_errors = tabs.open(1000, facilitator)
    open_thread(mod, space_title, thread)
    target = mod.locator("article.post", has_text="Alquilo retroexcavadora")
    target.get_by_text("Ocultar", exact=True).click()
    target.get_by_label("Motivo (el autor/a lo leerá)").fill("Publicidad comercial")
    target.get_by_role("button", name="Ocultar esta publicación").click()
    expect(mod.get_by_text("Publicación ocultada. Su autor/a ve el motivo.")).to_be_visible()

    reader, r_errors = watching[other.id]
    expect(reader.locator("li.thread-card", has_text=thread)).to_have_count(0, timeout=8000)
    own, o_errors = watching[author.id]
    card = own.locator("li.thread-card", has_text=thread)
    expect(card).to_contain_text("Un facilitador/a ocultó esta publicación")
    assert same_document(own) and same_document(reader)
    own.reload()  # what a reload shows agrees, with the reason
    expect(own.locator("li.thread-card", has_text=thread)).to_contain_text(
        "Ocultada por un facilitador/a: Publicidad comercial")
    screenshot(own, "moderation-own-card", 1000)
    assert r_errors == [] and o_errors == [] and m_errors == []
