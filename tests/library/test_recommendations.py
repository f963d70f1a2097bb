"""Recommended readings on sheets and spaces, and the completeness guide's reading links:
shown to visitors and to logged-in people alike, right after every change even though both
pages are served from the page cache."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from forum.accounts.models import Role, User
from forum.extensions import db
from forum.library import services
from forum.library.models import Recommendation
from tests.conftest import Auth, make_ficha, make_user
from tests.library.conftest import make_item, storage
from tests.spaces.factories import make_space


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def person_client(app: Flask, person: User) -> FlaskClient:
    """A client logged in through the real form."""
    client = app.test_client()
    Auth(client).login(person)
    return client


def sheet_page(client: FlaskClient, ficha_id: int) -> str:
    return text(client.get(f"/fichas/{ficha_id}", follow_redirects=True))


def space_page(client: FlaskClient, space_id: int) -> str:
    return text(client.get(f"/espacios/{space_id}", follow_redirects=True))


def test_a_sheet_editor_recommends_a_reading_and_everyone_sees_it_at_once(app):
    owner, reader = make_user(), make_user()
    ficha = make_ficha(owner=owner, title="Riego por turnos en Taraco")
    item = make_item(title="Para sistematizar experiencias")
    visitor, person = app.test_client(), person_client(app, reader)
    for client in (visitor, person):  # both pages are now cached
        assert "Lecturas recomendadas" not in sheet_page(client, ficha.id)
    editor = person_client(app, owner)
    made = editor.post(f"/biblioteca/recomendaciones/ficha/{ficha.id}",
                       data={"item_id": str(item.id), "note": "Lee el capítulo 3."})
    assert made.status_code == 302
    assert made.headers["Location"].endswith(f"/biblioteca/recomendaciones/ficha/{ficha.id}")
    for client in (visitor, person, editor):
        page = sheet_page(client, ficha.id)
        assert "Lecturas recomendadas" in page and item.title in page
        assert "Lee el capítulo 3." in page and f'href="/biblioteca/{item.id}"' in page
    # the item's page says where it is recommended
    assert "Riego por turnos en Taraco" in text(visitor.get(f"/biblioteca/{item.id}"))
    rec = db.session.scalar(select(Recommendation))
    gone = editor.post(f"/biblioteca/recomendaciones/{rec.id}/quitar")
    assert gone.status_code == 302
    for client in (visitor, person, editor):
        page = sheet_page(client, ficha.id)
        assert "Lecturas recomendadas" not in page and "Lee el capítulo 3." not in page


def test_changing_or_removing_an_item_updates_the_cached_sheet_page(app):
    owner = make_user()
    ficha = make_ficha(owner=owner)
    curator = make_user(role=Role.FACILITATOR)
    item = make_item(by=curator, title="Título primero")
    services.recommend(db.session, owner, item.id, ficha_id=ficha.id)
    db.session.commit()
    visitor, person = app.test_client(), person_client(app, make_user())
    for client in (visitor, person):
        assert "Título primero" in sheet_page(client, ficha.id)
    services.update_item(db.session, curator, item.id,
                         {"title": "Título revisado", "language": "es", "source": "link",
                          "url": "https://example.org/"}, None, storage())
    db.session.commit()
    for client in (visitor, person):
        page = sheet_page(client, ficha.id)
        assert "Título revisado" in page and "Título primero" not in page
    services.remove_item(db.session, curator, item.id, storage())
    db.session.commit()
    for client in (visitor, person):
        assert "Título revisado" not in sheet_page(client, ficha.id)
    assert db.session.scalar(select(Recommendation.id)) is None


def test_a_facilitator_recommends_on_a_space_and_everyone_sees_it_at_once(app):
    facilitator = make_user(role=Role.FACILITATOR)
    space = make_space(kind="contribution", by=facilitator, title="Aporte sobre lecciones")
    item = make_item(by=facilitator, title="Guía de lecciones aprendidas")
    visitor, person = app.test_client(), person_client(app, make_user())
    for client in (visitor, person):
        assert "Lecturas recomendadas" not in space_page(client, space.id)
    curator = person_client(app, facilitator)
    assert "Recomendar lecturas de la biblioteca" in space_page(curator, space.id)
    # from the item's page this time: the picker names the space
    made = curator.post(f"/biblioteca/{item.id}/recomendar",
                        data={"target": f"space:{space.id}", "note": "Para empezar."})
    assert made.status_code == 302
    for client in (visitor, person, curator):
        page = space_page(client, space.id)
        assert "Lecturas recomendadas" in page and item.title in page and "Para empezar." in page
    assert "Gestionar las lecturas recomendadas" in space_page(curator, space.id)
    assert "Gestionar las lecturas recomendadas" not in space_page(person, space.id)
    rec = db.session.scalar(select(Recommendation))
    assert curator.post(f"/biblioteca/recomendaciones/{rec.id}/quitar").status_code == 302
    for client in (visitor, person, curator):
        assert item.title not in space_page(client, space.id)


def test_only_editors_and_facilitators_recommend(app, client, auth):
    owner, stranger = make_user(), make_user()
    ficha = make_ficha(owner=owner)
    facilitator = make_user(role=Role.FACILITATOR)
    space = make_space(kind="debate", by=facilitator)
    item = make_item(by=facilitator)
    sheet_url = f"/biblioteca/recomendaciones/ficha/{ficha.id}"
    space_url = f"/biblioteca/recomendaciones/espacio/{space.id}"
    data = {"item_id": str(item.id)}
    for url in (sheet_url, space_url):
        assert "/entrar" in client.post(url, data=data).headers["Location"]
    auth.login(stranger)
    for url in (sheet_url, space_url):
        assert client.get(url).status_code == 403
        assert client.post(url, data=data).status_code == 403
    assert client.post(f"/biblioteca/{item.id}/recomendar",
                       data={"target": f"ficha:{ficha.id}"}).status_code == 403
    auth.logout()
    auth.login(owner)  # a sheet's editor: their sheet, not a space
    assert client.post(space_url, data=data).status_code == 403
    assert db.session.scalar(select(Recommendation.id)) is None
    assert client.post(sheet_url, data=data).status_code == 302
    rec = db.session.scalar(select(Recommendation))
    auth.logout()
    auth.login(stranger)
    assert client.post(f"/biblioteca/recomendaciones/{rec.id}/quitar").status_code == 403
    assert db.session.scalar(select(Recommendation.id)) == rec.id
    auth.logout()
    auth.login(facilitator)  # facilitators may help on any sheet
    assert client.get(sheet_url).status_code == 200


def test_a_refused_recommendation_keeps_the_note_and_writes_nothing(client, auth):
    owner = make_user()
    ficha = make_ficha(owner=owner)
    item = make_item()
    services.recommend(db.session, owner, item.id, ficha_id=ficha.id)
    db.session.commit()
    auth.login(owner)
    url = f"/biblioteca/recomendaciones/ficha/{ficha.id}"
    again = client.post(url, data={"item_id": str(item.id), "note": "Mi nota escrita"})
    body = again.get_data(as_text=True)
    assert again.status_code == 422 and "Esta lectura ya está recomendada aquí." in body
    assert 'value="Mi nota escrita"' in body and 'id="item_id-error"' in body
    long = client.post(url, data={"item_id": str(item.id), "note": "x" * 201})
    assert long.status_code == 422 and 'id="note-error"' in long.get_data(as_text=True)
    missing = client.post(url, data={"item_id": "99999", "note": "otra"})
    assert missing.status_code == 422
    assert len(db.session.scalars(select(Recommendation)).all()) == 1


def test_the_completeness_guide_links_the_guide_for_the_missing_part(app):
    owner = make_user()
    ficha = make_ficha(owner=owner, lessons="")  # lessons missing
    item = make_item(title="Cómo escribir lecciones", helps_with=["lessons"])
    make_item(title="Guía de objetivos", helps_with=["objectives"])
    editor = person_client(app, owner)
    page = sheet_page(editor, ficha.id)
    assert "Lo que todavía le falta a esta ficha" in page
    lessons = page[page.index("Lecciones aprendidas</strong>"):]
    lessons = lessons[:lessons.index("</li>")]
    assert "Leer:" in lessons and f'<a href="/biblioteca/{item.id}">Cómo escribir lecciones</a>' \
        in lessons and "Guía de objetivos" not in lessons
    # the page is cached; a new guide for lessons shows at once
    newer = make_item(title="Otra guía de lecciones", helps_with=["lessons", "keys"])
    page = sheet_page(editor, ficha.id)
    lessons = page[page.index("Lecciones aprendidas</strong>"):]
    assert "Otra guía de lecciones" in lessons[:lessons.index("</li>")]
    assert f'href="/biblioteca/{newer.id}"' in page
    # readers see no completeness guide at all
    assert "Leer:" not in sheet_page(app.test_client(), ficha.id)


def test_a_sheet_never_recommended_on_costs_visitors_no_library_query(app):
    ficha = make_ficha(owner=make_user())
    make_item(title="Una guía cualquiera")
    url = f"/fichas/{ficha.id}"
    seen: list[str] = []

    def log(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", log)
    try:
        assert "Lecturas recomendadas" not in sheet_page(app.test_client(), ficha.id)
    finally:
        event.remove(db.engine, "before_cursor_execute", log)
    assert seen and not any("library_" in s for s in seen), url
