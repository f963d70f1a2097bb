"""The library as people use it: browse and filter, read an item, download its file, and
facilitators' forms (others refused; bad input refused with the typed text kept)."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.core.database import count_queries
from forum.extensions import db
from forum.library.models import LibraryFile, LibraryItem
from tests.conftest import make_user
from tests.core.test_content import XSS
from tests.fichas.test_uploads import DOCX, HTML, PNG
from tests.library.conftest import PDF, make_item


def text(response) -> str:
    return response.get_data(as_text=True)


def items() -> int:
    return db.session.scalar(select(func.count(LibraryItem.id))) or 0


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"])
    return [p for p in folder.iterdir() if p.is_file()] if folder.exists() else []


def form(**overrides) -> dict:
    data = {"title": "Guía de sistematización", "authors": "Equipo técnico de Taraco",
            "year": "2019", "language": "es", "summary": "Cómo **ordenar** lo vivido.",
            "source": "link", "url": "https://example.org/guia", "themes": ["education"],
            "helps_with": ["lessons", "keys"]}
    data.update(overrides)
    return data


# --- browsing ---------------------------------------------------------------------------


def test_visitors_browse_and_filter_the_library(client):
    facilitator = make_user(role=Role.FACILITATOR)
    jara = make_item(by=facilitator, title="Para sistematizar experiencias", year=1994,
                     themes=["education"])
    segib = make_item(by=facilitator, title="Relatório da Cooperação Sul-Sul", year=2022,
                      language="pt", themes=["innovation"])
    guia = make_item(by=facilitator, title="Guía breve de lecciones", year=2026, pdf=PDF,
                     themes=["education", "gender"])
    listing = text(client.get("/biblioteca/"))
    assert all(i.title in listing for i in (jara, segib, guia))
    assert "3 guías y documentos" in listing and "Biblioteca" in listing  # nav and Spanish

    def titles(query: str) -> set[str]:
        page = text(client.get(f"/biblioteca/?{query}"))
        return {i.title for i in (jara, segib, guia) if i.title in page}

    assert titles("theme=education") == {jara.title, guia.title}
    assert titles("language=pt") == {segib.title}
    assert titles("year=1994") == {jara.title}
    assert titles("kind=file") == {guia.title}
    assert titles("kind=link") == {jara.title, segib.title}
    assert titles("theme=education&kind=link") == {jara.title}
    first = text(client.get("/biblioteca/?per_page=2"))
    second = text(client.get("/biblioteca/?per_page=2&page=2"))
    # (the pagination macro's own words live in templates/_macros, which babel skips)
    assert 'rel="next"' in first and "page=2" in first and 'rel="prev"' in second
    assert guia.title in first and segib.title in first and jara.title in second  # newest first
    bad = client.get("/biblioteca/?language=xx&year=3000")
    assert bad.status_code == 422 and "Valor desconocido" in text(bad)
    assert all(i.title in text(bad) for i in (jara, segib, guia))  # the rest still applies


def test_the_list_uses_the_same_queries_for_few_or_many_items(client):
    facilitator = make_user(role=Role.FACILITATOR)
    for n in range(12):
        make_item(by=facilitator, title=f"Guía {n}", pdf=PDF if n % 2 else None)

    def queries(url: str) -> int:
        with count_queries(db.engine) as counter:
            assert client.get(url).status_code == 200
        return counter.count

    assert queries("/biblioteca/?per_page=3&theme=education") == \
        queries("/biblioteca/?per_page=12&theme=education") <= 5


def test_an_item_page_shows_its_summary_and_where_it_is_recommended(client):
    item = make_item(title="Para sistematizar experiencias",
                     summary="Los **cinco tiempos** de la sistematización.")
    page = text(client.get(f"/biblioteca/{item.id}"))
    assert "<strong>cinco tiempos</strong>" in page and "Oscar Jara Holliday" in page
    assert 'href="https://www.cepalforja.org/"' in page and 'rel="noopener nofollow' in page
    assert "Ayuda a escribir" in page and "Lecciones aprendidas" in page
    assert "/editar" not in page and "Recomendar esta lectura" not in page  # a visitor
    assert client.get("/biblioteca/999").status_code == 404


@pytest.mark.parametrize("payload", XSS[:12] + ["[clic](javascript:alert(1))",
                                                "<img src=x onerror=alert(1)>"])
def test_markdown_in_the_summary_never_becomes_script(client, payload):
    item = make_item(summary=f"Resumen {payload} fin")
    stored = item.summary_html.lower()
    assert "<script" not in stored and "javascript:" not in stored
    assert "onerror" not in stored and "<img" not in stored
    page = text(client.get(f"/biblioteca/{item.id}"))
    assert item.summary_html in page and payload not in page


def test_the_file_is_served_as_a_download(client, app):
    item = make_item(pdf=PDF, title="Guía en PDF")
    file = db.session.scalar(select(LibraryFile))
    assert file.display_name == "guia.pdf" and file.stored_name != "guia.pdf"
    response = client.get(f"/biblioteca/archivos/{item.id}/guia.pdf")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "guia.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
    link_only = make_item(title="Solo enlace")
    assert client.get(f"/biblioteca/archivos/{link_only.id}/x.pdf").status_code == 404


# --- facilitators' forms ------------------------------------------------------------------


def test_a_facilitator_creates_edits_and_removes_an_item(client, auth, app):
    auth.login(make_user(role=Role.FACILITATOR))
    assert client.get("/biblioteca/nueva").status_code == 200
    made = client.post("/biblioteca/nueva", content_type="multipart/form-data",
                       data=form(source="file", url="", file=(io.BytesIO(PDF), "Guía año.pdf")))
    assert made.status_code == 302, text(made)[:500]
    item = db.session.scalar(select(LibraryItem))
    assert made.headers["Location"].endswith(f"/biblioteca/{item.id}")
    assert item.source == "file" and item.file.display_name == "Guía año.pdf"
    assert item.themes == ["education"] and item.helps_with == ["keys", "lessons"]
    assert item.summary_html == "<p>Cómo <strong>ordenar</strong> lo vivido.</p>"
    [first] = stored_files(app)
    # a new file replaces the old one, whose bytes go once the change is committed
    edited = client.post(f"/biblioteca/{item.id}/editar", content_type="multipart/form-data",
                         data=form(title="Guía revisada", source="file", url="",
                                   file=(io.BytesIO(DOCX), "guia.docx")))
    assert edited.status_code == 302
    db.session.expire_all()
    item = db.session.get(LibraryItem, item.id)
    assert item.title == "Guía revisada" and item.file.kind == "docx"
    assert not first.exists() and len(stored_files(app)) == 1
    # keeping the file: no new upload, the same file stays
    assert client.post(f"/biblioteca/{item.id}/editar", content_type="multipart/form-data",
                       data=form(source="file", url="")).status_code == 302
    assert len(stored_files(app)) == 1
    # switching to a link drops the file: exactly one source
    assert client.post(f"/biblioteca/{item.id}/editar",
                       data=form(url="https://example.org/otra")).status_code == 302
    db.session.expire_all()
    item = db.session.get(LibraryItem, item.id)
    assert item.source == "link" and item.file is None and stored_files(app) == []
    assert client.post(f"/biblioteca/{item.id}/borrar").status_code == 302
    assert items() == 0


@pytest.mark.parametrize("method, url", [
    ("get", "/biblioteca/nueva"), ("post", "/biblioteca/nueva"),
    ("get", "/biblioteca/{id}/editar"), ("post", "/biblioteca/{id}/editar"),
    ("post", "/biblioteca/{id}/borrar"),
])
def test_only_facilitators_curate(client, auth, method, url):
    item = make_item(title="Intocable")
    url = url.format(id=item.id)
    visitor = getattr(client, method)(url, data=form(title="Cambiado"))
    assert visitor.status_code == 302 and "/entrar" in visitor.headers["Location"]
    auth.login(make_user())
    refused = getattr(client, method)(url, data=form(title="Cambiado"))
    assert refused.status_code == 403
    assert "Solo las personas facilitadoras cuidan la biblioteca." in text(refused)
    db.session.expire_all()
    assert [i.title for i in db.session.scalars(select(LibraryItem))] == ["Intocable"]


@pytest.mark.parametrize("changes, field, message", [
    ({"title": "  "}, "title", "Este campo es obligatorio."),
    ({"source": "file", "url": "", "file": (io.BytesIO(HTML), "guia.pdf")}, "file",
     "Solo se aceptan PDF y documentos de oficina."),
    ({"source": "file", "url": "", "file": (io.BytesIO(PNG), "foto.png")}, "file",
     "Solo se aceptan PDF y documentos de oficina."),
    ({"source": "file", "url": "", "file": (io.BytesIO(PDF), "guia.docx")}, "file",
     "El contenido del archivo no corresponde a su extensión."),
    ({"source": "file", "url": ""}, "file", "Elige el archivo que vas a subir"),
    ({"url": "javascript:alert(1)"}, "url", "Escribe una dirección web que empiece por"),
    ({"url": "ftp://example.org/guia.pdf"}, "url", "Escribe una dirección web que empiece por"),
    ({"url": ""}, "url", "Escribe la dirección del documento."),
    ({"year": "1800"}, "year", "El año debe estar entre 1900 y"),
    ({"year": "3000"}, "year", "El año debe estar entre 1900 y"),
    ({"year": "dos mil"}, "year", "Escribe el año con cuatro cifras"),
    ({"language": "xx"}, "language", "Valor desconocido"),
    ({"themes": ["astrologia"]}, "themes", "Valor desconocido"),
])
def test_bad_input_is_refused_beside_its_field_keeping_the_text(client, auth, app, changes,
                                                                field, message):
    auth.login(make_user(role=Role.FACILITATOR))
    data = form(summary="Texto que escribí con cuidado", **changes)
    response = client.post("/biblioteca/nueva", data=data, content_type="multipart/form-data")
    body = text(response)
    assert response.status_code == 422
    assert message in body and f'id="{field}-error"' in body
    assert "Texto que escribí con cuidado" in body and "Equipo técnico de Taraco" in body
    assert items() == 0 and stored_files(app) == []  # nothing written
    assert 'href="javascript:' not in body


def test_a_refused_edit_changes_nothing(client, auth):
    item = make_item(title="Original", pdf=PDF)
    auth.login(make_user(role=Role.FACILITATOR))
    refused = client.post(f"/biblioteca/{item.id}/editar", content_type="multipart/form-data",
                          data=form(title="Nuevo título", source="file", url="",
                                    file=(io.BytesIO(HTML), "x.pdf")))
    assert refused.status_code == 422 and "Nuevo título" in text(refused)
    db.session.expire_all()
    again = db.session.get(LibraryItem, item.id)
    assert again.title == "Original" and again.file.kind == "pdf"
