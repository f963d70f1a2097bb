"""Calls for experiences as people use them: publish one, read it, send a sheet, withdraw."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from forum.communities import services
from forum.communities.models import Call, CallSubmission
from forum.core.database import count_queries
from forum.extensions import db
from forum.fichas import services as fichas
from tests.communities.factories import make_call, make_facilitator, now
from tests.conftest import make_ficha, make_user

LOCAL = "%Y-%m-%dT%H:%M"


def text(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def call_form(**changes) -> dict:
    start = now() + timedelta(days=1)
    data = {
        "title": "Experiencias de turismo comunitario",
        "instructions": "Cuenten **qué aprendieron** con las comunidades.",
        "themes": ["tourism_culture", "gender"],
        "opens_at": start.strftime(LOCAL),
        "closes_at": (start + timedelta(days=30)).strftime(LOCAL),
    }
    return data | changes


def submit(client, call_id: int, ficha_id):  # noqa: ANN201
    return client.post(f"/convocatorias/{call_id}/enviar", data={"ficha_id": ficha_id})


def test_facilitator_publishes_a_call(client, auth):
    auth.login(make_facilitator(country=""))  # no country: times are typed and shown in UTC
    assert client.get("/convocatorias/nueva").status_code == 200
    data = call_form()
    response = client.post("/convocatorias/nueva", data=data)
    assert response.status_code == 302
    call = db.session.scalar(select(Call))
    assert call.themes == ["tourism_culture", "gender"]
    assert call.opens_at.strftime(LOCAL) == data["opens_at"]
    page = text(client.get(response.headers["Location"]))
    assert "<strong>qué aprendieron</strong>" in page and "Not open yet" in page
    assert "Rural, community and eco-tourism" in page


def test_typed_times_are_in_the_viewers_zone_and_shown_in_it(app, client, auth, monkeypatch):
    monkeypatch.setattr(app.extensions["babel"], "timezone_selector", lambda: "America/La_Paz")
    auth.login(make_facilitator())
    data = call_form(opens_at="2030-01-10T12:00", closes_at="2030-02-10T18:30")
    response = client.post("/convocatorias/nueva", data=data)
    call = db.session.scalar(select(Call))
    assert call.opens_at == datetime(2030, 1, 10, 16, 0)  # La Paz is UTC-4
    assert call.closes_at == datetime(2030, 2, 10, 22, 30)
    page = text(client.get(response.headers["Location"]))
    assert "12:00" in page and "18:30" in page and "America/La_Paz" in page


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": ""}, "title"),
        ({"title": "t" * 300}, "title"),
        ({"closes_at": (now() - timedelta(days=3)).strftime(LOCAL)}, "closes_at"),
        ({"opens_at": "mañana"}, "opens_at"),
    ],
)
def test_bad_input_keeps_typed_text_and_writes_nothing(client, auth, changes, field):
    auth.login(make_facilitator())
    data = call_form(instructions="Mis instrucciones <largas> para la convocatoria") | changes
    response = client.post("/convocatorias/nueva", data=data)
    body = text(response)
    assert response.status_code == 422
    assert f'id="{field}-error"' in body
    assert "Mis instrucciones &lt;largas&gt; para la convocatoria" in body
    assert f'value="{data["title"]}"' in body and f'value="{data["opens_at"]}"' in body
    assert re.search(r'value="gender"\s+checked', body)
    assert count(Call) == 0


def test_participants_cannot_publish_calls(client, auth):
    auth.login(make_user())
    assert client.get("/convocatorias/nueva").status_code == 403
    assert client.post("/convocatorias/nueva", data=call_form()).status_code == 403
    assert count(Call) == 0


def test_list_sorts_calls_into_open_coming_and_past(client):
    facilitator = make_facilitator()
    for window in ("open", "upcoming", "closed"):
        make_call(by=facilitator, window=window, title=f"Convocatoria {window}")
    body = text(client.get("/convocatorias/"))
    open_at, coming_at, past_at = (body.index(h) for h in ("Open now", "Coming soon", "Past calls"))
    assert open_at < body.index("Convocatoria open") < coming_at
    assert coming_at < body.index("Convocatoria upcoming") < past_at
    assert past_at < body.index("Convocatoria closed")


def test_list_loads_in_a_fixed_number_of_queries(client):
    facilitator = make_facilitator()
    author = make_user()

    def queries_for_list() -> int:
        with count_queries(db.engine) as counter:
            assert client.get("/convocatorias/").status_code == 200
        return counter.count

    make_call(by=facilitator)
    few = queries_for_list()
    for n in range(8):
        call = make_call(by=facilitator, window=("open", "closed", "upcoming")[n % 3])
        if n % 3 == 0:
            services.submit_to_call(db.session, author, call.id, make_ficha(owner=author).id)
    db.session.commit()
    assert queries_for_list() == few == 1


def test_visitor_reads_a_call_without_form_or_cookie(client):
    call = make_call(by=make_facilitator())
    response = client.get(f"/convocatorias/{call.id}")
    body = text(response)
    assert response.status_code == 200 and "Log in to send your sheet" in body
    assert 'name="ficha_id"' not in body
    assert "Set-Cookie" not in response.headers
    assert client.get("/convocatorias/999").status_code == 404


def test_author_sends_a_sheet_and_the_call_lists_it(client, auth):
    call = make_call(by=make_facilitator())
    owner, colleague = make_user(), make_user()
    mine = make_ficha(owner=owner, title="Lecherías de Guaqui")
    shared = make_ficha(owner=colleague, title="Mapas parlantes")
    fichas.add_editor(db.session, colleague, shared.id, owner.email)
    make_ficha(owner=colleague, title="Solo de otra persona")
    db.session.commit()
    auth.login(owner)
    form = text(client.get(f"/convocatorias/{call.id}"))
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', form)
    assert {title for _id, title in options} == {"Lecherías de Guaqui", "Mapas parlantes"}
    response = submit(client, call.id, mine.id)
    assert response.status_code == 302
    page = text(client.get(f"/convocatorias/{call.id}"))
    assert f'<a href="/fichas/{mine.id}-lecherias-de-guaqui">Lecherías de Guaqui</a>' in page
    assert f'<option value="{mine.id}"' not in page  # sent: not offered again
    assert "Withdraw from this call" in page


def test_sending_the_same_sheet_twice_is_a_conflict(client, auth):
    call = make_call(by=make_facilitator())
    owner = make_user()
    ficha = make_ficha(owner=owner)
    auth.login(owner)
    assert submit(client, call.id, ficha.id).status_code == 302
    response = submit(client, call.id, ficha.id)
    assert response.status_code == 409
    assert "already sent to this call" in text(response)
    assert count(CallSubmission) == 1


def test_stranger_cannot_send_someone_elses_sheet(client, auth):
    call = make_call(by=make_facilitator())
    ficha = make_ficha(owner=make_user())
    auth.login(make_user())
    assert submit(client, call.id, ficha.id).status_code == 403
    assert count(CallSubmission) == 0


@pytest.mark.parametrize("window, message", [("closed", "This call is closed"),
                                             ("upcoming", "This call is not open yet")])
def test_a_call_out_of_its_window_takes_nothing(client, auth, window, message):
    call = make_call(by=make_facilitator(), window=window)
    owner = make_user()
    ficha = make_ficha(owner=owner)
    auth.login(owner)
    page = text(client.get(f"/convocatorias/{call.id}"))
    assert message in page and 'name="ficha_id"' not in page
    response = submit(client, call.id, ficha.id)
    assert response.status_code == 409 and message in text(response)
    assert count(CallSubmission) == 0


def test_a_call_that_closed_keeps_its_sheets_and_takes_no_more(client, auth):
    call = make_call(by=make_facilitator())
    owner = make_user()
    first, second = make_ficha(owner=owner, title="Primera"), make_ficha(owner=owner)
    auth.login(owner)
    assert submit(client, call.id, first.id).status_code == 302
    db.session.get(Call, call.id).closes_at = now() - timedelta(minutes=1)
    db.session.commit()
    assert submit(client, call.id, second.id).status_code == 409
    page = text(client.get(f"/convocatorias/{call.id}"))
    assert f'<a href="/fichas/{first.id}-primera">Primera</a>' in page
    assert "Withdraw from this call" not in page
    assert count(CallSubmission) == 1


def test_choosing_no_sheet_is_explained(client, auth):
    call = make_call(by=make_facilitator())
    owner = make_user()
    make_ficha(owner=owner)
    auth.login(owner)
    response = submit(client, call.id, "")
    assert response.status_code == 422 and 'id="ficha_id-error"' in text(response)


def test_author_withdraws_a_sheet(client, auth):
    call = make_call(by=make_facilitator())
    owner = make_user()
    ficha = make_ficha(owner=owner)
    auth.login(owner)
    submit(client, call.id, ficha.id)
    response = client.post(f"/convocatorias/{call.id}/retirar", data={"ficha_id": ficha.id})
    assert response.status_code == 302
    assert count(CallSubmission) == 0
    auth.logout()
    auth.login(make_user())
    response = client.post(f"/convocatorias/{call.id}/retirar", data={"ficha_id": ficha.id})
    assert response.status_code == 404


def test_call_page_queries_do_not_grow_with_sheets(client, auth):
    call = make_call(by=make_facilitator())
    owner = make_user()
    auth.login(owner)

    def queries_for_page() -> int:
        with count_queries(db.engine) as counter:
            assert client.get(f"/convocatorias/{call.id}").status_code == 200
        return counter.count

    services.submit_to_call(db.session, owner, call.id, make_ficha(owner=owner).id)
    db.session.commit()
    few = queries_for_page()
    for n in range(6):
        author = make_user()
        ficha = make_ficha(owner=author, title=f"Ficha {n}", themes=["gender", "mining"])
        fichas.add_editor(db.session, author, ficha.id, owner.email)
        services.submit_to_call(db.session, author, call.id, ficha.id)
        make_ficha(owner=owner, title=f"Propia {n}")
    db.session.commit()
    assert queries_for_page() == few


def test_facilitator_corrects_a_call_and_closes_it_early(app, client, auth, monkeypatch):
    monkeypatch.setattr(app.extensions["babel"], "timezone_selector", lambda: "America/La_Paz")
    facilitator, owner = make_facilitator(), make_user()
    call = make_call(by=facilitator, title="Agua y territorio")
    sent, late = make_ficha(owner=owner, title="Enviada"), make_ficha(owner=owner)
    auth.login(owner)
    assert submit(client, call.id, sent.id).status_code == 302
    auth.logout()
    auth.login(facilitator)
    assert "/editar" in text(client.get(f"/convocatorias/{call.id}"))
    form = text(client.get(f"/convocatorias/{call.id}/editar"))
    shown = (call.opens_at - timedelta(hours=4)).strftime(LOCAL)  # in La Paz, UTC-4
    assert 'value="Agua y territorio"' in form and f'value="{shown}"' in form
    closing = now() - timedelta(hours=4, minutes=5)  # five minutes ago, typed in La Paz
    data = call_form(title="Agua, riego y territorio", opens_at=shown,
                     closes_at=closing.strftime(LOCAL))
    response = client.post(f"/convocatorias/{call.id}/editar", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Call, call.id)
    assert edited.title == "Agua, riego y territorio" and edited.closes_at < now()
    assert "<strong>qué aprendieron</strong>" in edited.instructions_html
    auth.logout()
    auth.login(owner)
    assert submit(client, call.id, late.id).status_code == 409  # closed: no more sheets
    assert '-enviada">Enviada</a>' in text(client.get(f"/convocatorias/{call.id}"))
    assert count(CallSubmission) == 1


def test_editing_a_call_badly_keeps_the_typed_text_and_changes_nothing(client, auth):
    call = make_call(by=make_facilitator(country=""), title="Agua y territorio")
    auth.login(db.session.get(Call, call.id).created_by)
    data = call_form(title="", instructions="Nuevas instrucciones <con cuidado>")
    response = client.post(f"/convocatorias/{call.id}/editar", data=data)
    body = text(response)
    assert response.status_code == 422 and 'id="title-error"' in body
    assert "Nuevas instrucciones &lt;con cuidado&gt;" in body
    db.session.expire_all()
    kept = db.session.get(Call, call.id)
    assert kept.title == "Agua y territorio" and kept.instructions == ""


def test_only_facilitators_edit_calls(client, auth):
    call = make_call(by=make_facilitator(), title="Agua y territorio")
    path = f"/convocatorias/{call.id}/editar"
    assert client.get(path).status_code == 302  # a visitor is sent to log in
    auth.login(make_user())
    assert "/editar" not in text(client.get(f"/convocatorias/{call.id}"))
    assert client.get(path).status_code == 403
    assert client.post(path, data=call_form(title="Tomada")).status_code == 403
    assert client.get("/convocatorias/999999/editar").status_code == 403
    db.session.expire_all()
    assert db.session.get(Call, call.id).title == "Agua y territorio"
