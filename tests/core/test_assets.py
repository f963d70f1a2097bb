"""A repeat visit does not ask for the style sheet or the scripts again."""

from __future__ import annotations

import re

from forum.core.assets import YEAR, file_hash


def test_pages_link_versioned_assets_served_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert re.fullmatch(r"/static/style\.css\?v=[0-9a-f]{10}", href)
    with client.get(href) as css:
        assert css.status_code == 200 and b"{" in css.data
        assert css.headers["Cache-Control"] == f"public, max-age={YEAR}, immutable"


def test_an_unversioned_url_is_still_served_but_revalidated(client):
    with client.get("/static/style.css") as css:
        assert css.status_code == 200
        assert "immutable" not in css.headers.get("Cache-Control", "")
        assert css.headers.get("ETag")


def test_a_changed_file_gets_a_new_version(tmp_path):
    path = tmp_path / "a.css"
    path.write_text("body{color:red}")
    first = file_hash(path)
    path.write_text("body{color:blue}")
    assert file_hash(path) != first and len(first) == 10
