"""The public panorama: what it counts, what it leaves out, and its CSV tables."""

from __future__ import annotations

import csv
import io
import re

import pytest

from forum.accounts.models import Role
from forum.communities.models import Community, Membership
from forum.extensions import db
from forum.spaces import moderation
from tests.conftest import make_ficha, make_user
from tests.spaces.factories import make_reply, make_root, make_space

pytestmark = pytest.mark.both_backends


def rows(client, name: str) -> list[dict[str, str]]:
    response = client.get(f"/panorama/{name}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_experiences_are_counted_by_country_and_theme_and_drawn(client):
    owner = make_user()
    make_ficha(owner=owner, country="BO", themes=["tourism_culture", "environment"])
    make_ficha(owner=owner, country="BO", themes=["environment"])
    make_ficha(owner=owner, country="PE", themes=["environment"])
    by_country = rows(client, "country")
    assert [(r["code"], r["sheets"]) for r in by_country] == [("BO", "2"), ("PE", "1")]
    assert by_country[0]["label"] == "Bolivia"
    themes = {r["code"]: int(r["sheets"]) for r in rows(client, "themes")}
    assert themes["environment"] == 3 and themes["tourism_culture"] == 1
    page = client.get("/panorama/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count("<svg") >= 5  # a picture per dimension
    assert "/fichas/?country=BO" in html  # each bar leads to those sheets


def test_participation_counts_only_what_visitors_may_read(client):
    facilitator = make_user(role=Role.FACILITATOR)
    group = Community(name="Red de riego", created_by_id=facilitator.id)
    db.session.add(group)
    db.session.commit()
    open_space = make_space(kind="contribution", title="Aprendizajes del riego")
    closed = make_space(kind="contribution", title="Solo la red", community_id=group.id,
                        members_only=True)
    ana, luis = make_user(), make_user()
    db.session.add(Membership(community_id=group.id, user_id=ana.id))
    db.session.commit()
    first = make_root(space=open_space, by=ana)
    make_reply(to=first, by=luis)
    make_reply(to=first, by=ana)
    make_root(space=closed, by=ana)
    spaces = rows(client, "spaces")
    assert [(r["title"], r["posts"], r["people"]) for r in spaces] == [
        ("Aprendizajes del riego", "3", "2")]
    months = rows(client, "months")
    assert sum(int(r["posts"]) for r in months) == 3
    assert "Solo la red" not in client.get("/panorama/").get_data(as_text=True)


def chart_total(html: str, title: str) -> int:
    """The sum of the bars in one chart, as the page draws them."""
    section = html.split(f'<h2 id="chart-country">{title}</h2>', 1)[1].split("</svg>", 1)[0]
    return sum(int(n) for n in re.findall(r'class="chart-n">(\d+)</text>', section))


def test_the_panorama_kept_in_memory_follows_every_change(client, auth):
    owner, facilitator = make_user(), make_user(role=Role.FACILITATOR)
    make_ficha(owner=owner, country="BO")
    space = make_space(kind="contribution", title="Aprendizajes de la feria", by=facilitator)
    root = make_root(space=space, by=owner)
    first = client.get("/panorama/")
    assert chart_total(first.get_data(as_text=True), "Experiencias por país") == 1
    seen = {"If-None-Match": first.headers["ETag"]}
    assert client.get("/panorama/", headers=seen).status_code == 304

    make_ficha(owner=owner, country="PE")  # a new sheet: a new page, not the kept one
    again = client.get("/panorama/", headers=seen)
    assert again.status_code == 200
    assert chart_total(again.get_data(as_text=True), "Experiencias por país") == 2

    def posts_shown() -> str:
        found = re.search(r"Aprendizajes de la feria</a></td><td>[^<]*</td><td>(\d+)</td>",
                          client.get("/panorama/").get_data(as_text=True))
        return found.group(1) if found else "none"

    assert posts_shown() == "1"
    make_reply(to=root, by=make_user())  # a post changes no sheet: the space's stamp moves
    assert posts_shown() == "2" and [r["posts"] for r in rows(client, "spaces")] == ["2"]
    moderation.hide_post(db.session, facilitator, root.id, "Publicidad")
    db.session.commit()
    assert posts_shown() == "1" and [r["posts"] for r in rows(client, "spaces")] == ["1"]

    auth.login(owner)  # logged in: the same figures, from the same count
    mine = client.get("/panorama/").get_data(as_text=True)
    assert chart_total(mine, "Experiencias por país") == 2


def test_an_unknown_table_is_a_clear_404(client):
    response = client.get("/panorama/secretos.csv")
    assert response.status_code == 404
    assert "No existe esa tabla" in response.get_data(as_text=True)
