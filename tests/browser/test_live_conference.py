"""A live conference: one participant asks, another sees the question arrive and supports
it, and the one who asked watches the support count change, all without reloading."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from forum.spaces.services import now
from tests.browser.pages import (
    WIDTHS,
    assert_fits,
    mark_document,
    same_document,
    screenshot,
    wait_live,
)
from tests.conftest import make_user
from tests.spaces.factories import make_space

TOPIC = {1000: "Agua y territorio en el altiplano", 360: "Turismo comunitario en el lago"}


def open_space(page: Page, title: str) -> None:
    """From wherever the person is, through the site's navigation to the space."""
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Espacios").click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    wait_live(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_question_and_its_support_travel_live_between_two_browsers(site, tabs, width):
    title = f"Conferencia: {TOPIC[width]}"
    make_space(kind="conference", title=title, starts_at=now() - timedelta(minutes=10),
               ends_at=now() + timedelta(hours=1))
    asker, supporter = make_user(name="Ana Mamani"), make_user(name="Beto Choque")
    question = f"¿Cómo se sostuvo el acuerdo cuando cambió la autoridad? ({width})"
    a, a_errors = tabs.open(width, asker)
    b, b_errors = tabs.open(width, supporter)
    open_space(b, title)
    expect(b.get_by_text("En vivo ahora")).to_be_visible()
    mark_document(b)

    open_space(a, title)
    a.get_by_label("Tu pregunta o comentario").fill(question)
    a.get_by_role("button", name="Publicar").click()
    mine = a.locator("article.post", has_text=question)
    expect(mine).to_contain_text("0 apoyos")
    wait_live(a)
    mark_document(a)

    arrived = b.locator("article.post", has_text=question)
    expect(arrived).to_be_visible(timeout=8000)
    assert same_document(b), "the question should arrive without a reload"
    assert_fits(b, width)
    arrived.get_by_role("button", name="Apoyar").click()
    expect(b.locator("article.post", has_text=question).get_by_role(
        "button", name="Apoyada")).to_contain_text("1")

    expect(mine).to_contain_text("1 apoyo", timeout=8000)
    assert same_document(a), "the support count should change without a reload"
    assert_fits(a, width)
    screenshot(a, "conference-asker", width)
    screenshot(b, "conference-supporter", width)
    assert a_errors == [] and b_errors == []
