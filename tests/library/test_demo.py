"""The demo's library (forum/demo_data/library.json), loaded by `flask demo load` through
the same use cases facilitators use."""

from __future__ import annotations

import io

from flask import Flask
from sqlalchemy import func, select

from forum.extensions import db
from forum.fichas import uploads
from forum.library.demo import tiny_pdf
from forum.library.models import LibraryItem, Recommendation
from forum.spaces.models import Space


def test_the_demo_fills_the_library_and_recommends_from_it(app: Flask, client):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    items = db.session.scalars(select(LibraryItem)).all()
    assert 5 <= len(items) <= 8
    assert any(i.file and i.file.kind == "pdf" for i in items)
    assert any("Jara" in i.authors for i in items) and {"es", "pt"} <= {i.language for i in items}
    assert any("lessons" in i.helps_with for i in items)
    recs = db.session.scalars(select(Recommendation)).all()
    on_sheets = {r.ficha_id for r in recs if r.ficha_id}
    on_spaces = {r.space_id for r in recs if r.space_id}
    assert len(on_sheets) >= 2 and len(on_spaces) >= 2
    space = db.session.get(Space, min(on_spaces))
    page = client.get(f"/espacios/{space.id}", follow_redirects=True).get_data(as_text=True)
    assert "Lecturas recomendadas" in page
    sheet = client.get(f"/fichas/{min(on_sheets)}", follow_redirects=True).get_data(as_text=True)
    assert "Lecturas recomendadas" in sheet
    listing = client.get("/biblioteca/").get_data(as_text=True)
    assert db.session.scalar(select(func.count(LibraryItem.id))) == len(items)
    assert all(i.title in listing for i in items)


def test_the_demo_pdf_passes_the_upload_check():
    data = tiny_pdf(["Una linea", "Otra (con parentesis)"])
    sniffed = uploads.check_upload("guia.pdf", io.BytesIO(data), 1_000_000)
    assert sniffed.kind == "pdf" and data.endswith(b"%%EOF\n")
