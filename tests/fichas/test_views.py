"""The sheet pages as people use them: read, write, fail, conflict, history, files."""

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.core.database import count_queries
from forum.extensions import db
from forum.fichas import schema, services
from forum.fichas.models import Attachment, Ficha
from tests.conftest import PASSWORD, ficha_data, make_ficha, make_user
from tests.core.test_content import ALLOWED_TAGS, XSS, href_is_safe, parse

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_of(data: dict) -> dict:
    """A sheet dict as the browser posts it (lists become repeated fields)."""
    return {k: ("" if v is None else v) for k, v in data.items()}


def text(response) -> str:
    return response.get_data(as_text=True)


def test_visitor_reads_list_and_sheet_without_account(client):
    owner = make_user(name="Rosa Mamani")
    ficha = make_ficha(owner=owner, lessons="Los acuerdos comunales importan más que los papeles.")
    listing = client.get("/fichas/")
    assert listing.status_code == 200 and ficha.title in text(listing)
    page = client.get(f"/fichas/{ficha.id}")
    body = text(page)
    assert page.status_code == 200
    assert "Los acuerdos comunales" in body and "Rosa Mamani" in body
    assert "/editar" not in body  # no edit button for a visitor
    assert client.get("/fichas/999").status_code == 404


@pytest.mark.parametrize("args, expected", [
    ({"country": "PE"}, {"Perú"}),
    ({"theme": "tourism_culture"}, {"Turismo"}),
    ({"status": "in_progress"}, {"Perú"}),
    ({"modality": "triangular"}, {"Turismo"}),
    ({"actor": "ngo"}, {"Turismo"}),
    ({"missing_lessons": "1"}, {"Perú", "Turismo"}),
])
def test_list_filters(client, args, expected):
    owner = make_user()
    make_ficha(owner=owner, title="Bolivia", lessons="Aprendimos mucho.")
    make_ficha(owner=owner, title="Perú", country="PE", status="in_progress", end_year=None)
    make_ficha(owner=owner, title="Turismo", themes=["tourism_culture"], modality="triangular",
               actors=["ngo"])
    titles = set(re.findall(r'<h3><a href="/fichas/\d+-[^"]*">([^<]+)</a>', text(client.get(
        "/fichas/", query_string=args))))
    assert titles == expected


def test_unknown_filter_is_explained_not_crashing(client):
    response = client.get("/fichas/?country=ZZ&page=abc")
    assert response.status_code == 422
    assert "ZZ" in text(response)


def test_list_paginates(client):
    owner = make_user()
    for n in range(25):
        make_ficha(owner=owner, title=f"Experiencia {n:02d}")
    first = text(client.get("/fichas/?sort=title"))
    second = text(client.get("/fichas/?sort=title&page=2"))
    assert "Experiencia 00" in first and "Experiencia 24" not in first
    assert "Experiencia 24" in second and 'rel="prev"' in second


def test_writing_requires_login(client):
    response = client.get("/fichas/nueva")
    assert response.status_code == 302 and "/entrar" in response.headers["Location"]


def test_first_time_author_sees_instructions_then_creates(client, auth):
    user = make_user()
    auth.login(user)
    page = text(client.get("/fichas/nueva"))
    assert 'class="instructions"' in page
    data = ficha_data(lessons="Sin acuerdos no hay gestión del agua.")
    response = client.post("/fichas/nueva", data=form_of(data))
    assert response.status_code == 302
    ficha = db.session.scalar(select(Ficha))
    assert ficha.owner_id == user.id and ficha.actors == ["municipality", "indigenous_authority"]
    assert 'class="instructions"' not in text(client.get("/fichas/nueva"))


def test_bad_input_keeps_typed_text_and_saves_nothing(client, auth):
    auth.login(make_user())
    typed = "Mi texto largo sobre lo que aprendimos con las comunidades <y sus acuerdos>"
    data = ficha_data(title="", country="XX", lessons=typed, benefits="b" * 20_001)
    response = client.post("/fichas/nueva", data=form_of(data))
    body = text(response)
    assert response.status_code == 422
    assert "lo que aprendimos con las comunidades &lt;y sus acuerdos&gt;" in body
    assert 'id="title-error"' in body and 'id="country-error"' in body
    assert 'id="benefits-error"' in body
    assert db.session.scalar(select(func.count()).select_from(Ficha)) == 0


def test_stranger_cannot_edit(client, auth):
    owner = make_user()
    ficha = make_ficha(owner=owner)
    auth.login(make_user())
    assert client.get(f"/fichas/{ficha.id}/editar").status_code == 403
    data = form_of(ficha.values() | {"lessons": "intruso", "base_version": 1})
    assert client.post(f"/fichas/{ficha.id}/editar", data=data).status_code == 403
    db.session.expire_all()
    assert db.session.get(Ficha, ficha.id).lessons == ""


def test_edit_twice_then_history_diff_and_old_version(client, auth):
    owner = make_user()
    ficha = make_ficha(owner=owner, lessons="Primera lección.")
    auth.login(owner)
    for version, lesson in ((1, "Primera lección corregida."), (2, "Segunda lección nueva.")):
        data = form_of(ficha.values() | {"lessons": lesson, "base_version": version,
                                         "edit_summary": f"edición {version}"})
        assert client.post(f"/fichas/{ficha.id}/editar", data=data).status_code == 302
    history = text(client.get(f"/fichas/{ficha.id}/historial"))
    assert "edición 1" in history and "edición 2" in history
    diff = text(client.get(f"/fichas/{ficha.id}/diferencias?de=1&a=3"))
    assert "<del>Primera</del>" in diff and "<ins>Segunda</ins>" in diff
    old = text(client.get(f"/fichas/{ficha.id}/revisiones/1"))
    assert "Primera lección." in old
    assert client.get(f"/fichas/{ficha.id}/revisiones/9").status_code == 404


def test_conflict_page_keeps_my_text_and_shows_theirs(client, app, auth):
    owner, editor = make_user(), make_user()
    ficha = make_ficha(owner=owner)
    services.add_editor(db.session, owner, ficha.id, editor.email)
    db.session.commit()
    other = app.test_client()
    other.post("/entrar", data={"email": editor.email, "password": "clave-de-prueba-123"})
    start = ficha.values()
    theirs = form_of(start | {"keys": "La clave fue la asamblea.", "base_version": 1})
    assert other.post(f"/fichas/{ficha.id}/editar", data=theirs).status_code == 302
    auth.login(owner)
    mine = form_of(start | {"lessons": "Mi lección escrita con cuidado.", "base_version": 1})
    response = client.post(f"/fichas/{ficha.id}/editar", data=mine)
    body = text(response)
    assert response.status_code == 409
    assert "Mi lección escrita con cuidado." in body  # my text, ready to resubmit
    assert "<ins>La clave fue la asamblea.</ins>" in body  # what the other person did
    assert 'name="base_version" value="2"' in body
    db.session.expire_all()
    saved = db.session.get(Ficha, ficha.id)
    assert saved.lessons == "" and saved.keys == "La clave fue la asamblea."


def test_revert_through_the_history_page(client, auth):
    owner = make_user()
    ficha = make_ficha(owner=owner, lessons="Original.")
    services.revise_ficha(db.session, owner, ficha.id, ficha.values() | {"lessons": "Nuevo."},
                          base_version=1)
    db.session.commit()
    auth.login(owner)
    response = client.post(f"/fichas/{ficha.id}/revisiones/1/revertir", data={"base_version": 2})
    assert response.status_code == 302
    db.session.expire_all()
    ficha = db.session.get(Ficha, ficha.id)
    assert ficha.lessons == "Original." and ficha.version == 3
    stale = client.post(f"/fichas/{ficha.id}/revisiones/2/revertir", data={"base_version": 2})
    assert stale.status_code == 409 and 'class="flash error"' in text(stale)
    db.session.expire_all()
    assert db.session.get(Ficha, ficha.id).version == 3


def test_owner_invites_coeditor_who_can_then_edit(client, app, auth):
    owner, colleague = make_user(), make_user()
    ficha = make_ficha(owner=owner)
    auth.login(owner)
    assert client.post(f"/fichas/{ficha.id}/coeditores", data={"email": colleague.email}
                       ).status_code == 302
    bad = client.post(f"/fichas/{ficha.id}/coeditores", data={"email": "nadie@example.org"})
    assert bad.status_code == 422
    assert 'id="email-error"' in text(bad) and 'value="nadie@example.org"' in text(bad)
    other = app.test_client()
    other.post("/entrar", data={"email": colleague.email, "password": "clave-de-prueba-123"})
    assert other.get(f"/fichas/{ficha.id}/editar").status_code == 200


def test_attachment_upload_and_download_as_file(client, auth, app):
    owner = make_user()
    ficha = make_ficha(owner=owner)
    auth.login(owner)
    response = client.post(f"/fichas/{ficha.id}/adjuntos", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PDF), "Informe Año 2021.pdf")})
    assert response.status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert attachment.display_name == "Informe Año 2021.pdf" and attachment.kind == "pdf"
    download = client.get(f"/fichas/adjuntos/{attachment.id}/x")
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()


@pytest.mark.parametrize("name, content", [
    ("informe.pdf", b"<html><script>alert(1)</script></html>"),
    ("foto.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("vacio.pdf", b""),
    ("grande.pdf", PDF + b"0" * 3000),
])
def test_disguised_empty_or_oversized_upload_is_refused(client, auth, app, name, content):
    app.config["MAX_ATTACHMENT_BYTES"] = 2000
    owner = make_user()
    ficha = make_ficha(owner=owner)
    auth.login(owner)
    response = client.post(f"/fichas/{ficha.id}/adjuntos", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(content), name)})
    assert response.status_code == 422 and 'id="file-error"' in text(response)
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_stranger_cannot_attach(client, auth):
    ficha = make_ficha(owner=make_user())
    auth.login(make_user())
    response = client.post(f"/fichas/{ficha.id}/adjuntos", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PDF), "a.pdf")})
    assert response.status_code == 403


def test_export_follows_filters(client):
    owner = make_user()
    make_ficha(owner=owner, title="Lago Titicaca")
    make_ficha(owner=owner, title="Cusco", country="PE")
    csv_body = client.get("/fichas/exportar.csv?country=PE").get_data(as_text=True)
    assert csv_body.startswith("\ufeffid,title") and "Cusco" in csv_body
    assert "Lago Titicaca" not in csv_body
    data = client.get("/fichas/exportar.json").get_json()
    assert {d["title"] for d in data} == {"Lago Titicaca", "Cusco"}


@pytest.mark.parametrize("field", schema.MARKDOWN_FIELDS)
def test_no_xss_survives_in_any_markdown_field(app, field):
    owner = make_user()
    for payload in XSS:
        ficha = services.create_ficha(db.session, owner, ficha_data(**{field: payload}))
        doc = parse(ficha.html(field))
        assert set(doc.tags()) <= ALLOWED_TAGS, (payload, ficha.html(field))
        assert all(href_is_safe(h) for h in doc.hrefs()), payload
        assert not any(n.startswith("on") or n in ("style", "formaction")
                       for _t, attrs in doc.elements for n in attrs), payload
    db.session.rollback()


def _queries(client, path: str) -> int:
    with count_queries(db.engine) as counter:
        assert client.get(path).status_code == 200
    return counter.count


def test_sheet_page_and_list_stay_within_query_budget(client, auth):
    owner = make_user()
    editors = [make_user() for _ in range(3)]
    ficha = make_ficha(owner=owner, actors=["ngo", "municipality", "university"])
    for e in editors:
        services.add_editor(db.session, owner, ficha.id, e.email)
    db.session.commit()
    for n in range(30):
        make_ficha(owner=editors[n % 3], title=f"Otra {n}")
    db.session.expire_all()
    assert _queries(client, f"/fichas/{ficha.id}") <= 6
    few = _queries(client, "/fichas/?per_page=5")
    many = _queries(client, "/fichas/?per_page=30")
    assert few == many
    auth.login(owner)
    db.session.expire_all()
    assert _queries(client, f"/fichas/{ficha.id}") <= 6


def test_removing_a_file_deletes_it_only_after_commit(client, auth, app):
    owner = make_user()
    ficha = make_ficha(owner=owner)
    auth.login(owner)
    client.post(f"/fichas/{ficha.id}/adjuntos", content_type="multipart/form-data",
                data={"file": (io.BytesIO(PDF), "acta.pdf")})
    attachment = db.session.scalar(select(Attachment))
    stored = Path(app.config["UPLOAD_DIR"]) / attachment.stored_name
    assert stored.exists()
    services.remove_attachment(db.session, owner, attachment.id, stored.parent)
    db.session.rollback()
    assert stored.exists()  # rolled back: the file must still be there
    assert client.post(f"/fichas/adjuntos/{attachment.id}/borrar").status_code == 302
    assert not stored.exists()
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_visitor_page_is_revalidated_with_etag_and_never_stale(client, app):
    owner, colleague = make_user(), make_user(name="Colega Nueva")
    ficha = make_ficha(owner=owner, lessons="Versión uno de la lección.")
    first = client.get(f"/fichas/{ficha.id}")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(f"/fichas/{ficha.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    with count_queries(db.engine) as counter:
        assert client.get(f"/fichas/{ficha.id}").status_code == 200
    assert counter.count == 1  # only the freshness check; the HTML came from memory
    services.revise_ficha(db.session, owner, ficha.id,
                          ficha.values() | {"lessons": "Versión dos de la lección."},
                          base_version=1)
    db.session.commit()
    fresh = client.get(f"/fichas/{ficha.id}", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and "Versión dos" in text(fresh)
    services.add_editor(db.session, owner, ficha.id, colleague.email)
    db.session.commit()
    assert "Colega Nueva" in text(client.get(f"/fichas/{ficha.id}"))
    assert client.get("/fichas/99999").status_code == 404


def test_logged_in_page_is_rendered_for_the_person(client, auth):
    owner = make_user()
    ficha = make_ficha(owner=owner)
    client.get(f"/fichas/{ficha.id}")  # a visitor warms the cache
    auth.login(owner)
    page = client.get(f"/fichas/{ficha.id}")
    assert "ETag" not in page.headers
    assert f"/fichas/{ficha.id}/editar" in text(page)


def test_forms_on_the_cached_sheet_page_carry_this_persons_token(app):
    """The article is cached for every editor; each must still get a CSRF token that works."""
    app.config["WTF_CSRF_ENABLED"] = True
    owner = make_user()
    ficha = make_ficha(owner=owner)
    for person in (owner, make_user(role=Role.FACILITATOR)):
        colleague = make_user()
        client = app.test_client()
        login_page = text(client.get("/entrar"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
        client.post("/entrar", data={"email": person.email, "password": PASSWORD,
                                     "csrf_token": token.group(1)})
        page = text(client.get(f"/fichas/{ficha.id}"))
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        assert len(tokens) == 1 and "\x00" not in page
        response = client.post(f"/fichas/{ficha.id}/coeditores",
                               data={"email": colleague.email, "csrf_token": tokens.pop()})
        assert response.status_code in (302, 303)
        assert client.post(f"/fichas/{ficha.id}/coeditores",
                           data={"email": colleague.email}).status_code == 400


def test_visitor_list_and_home_show_a_new_sheet_at_once(client):
    owner = make_user()
    make_ficha(owner=owner, title="Primera experiencia")
    for path in ("/", "/fichas/", "/fichas/?country=BO"):
        assert "Primera experiencia" in text(client.get(path))
    make_ficha(owner=owner, title="Segunda experiencia")
    for path in ("/", "/fichas/", "/fichas/?country=BO"):
        assert "Segunda experiencia" in text(client.get(path)), path
