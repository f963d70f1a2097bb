"""Community pages as people use them: list, open one, join, leave, read its members,
sheets and spaces."""

import re

import pytest
from sqlalchemy import func, select

from forum.communities import services
from forum.communities.models import Community, Membership
from forum.core.database import count_queries
from forum.extensions import db
from forum.spaces.models import Space
from tests.communities.factories import make_community, make_facilitator
from tests.conftest import make_ficha, make_user


def text(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_visitor_reads_the_list_with_member_counts_and_gets_no_cookie(client):
    community = make_community(by=make_facilitator(), name="Turismo comunitario")
    services.join_community(db.session, make_user(), community.id)
    db.session.commit()
    response = client.get("/comunidades/")
    body = text(response)
    assert response.status_code == 200
    assert "Turismo comunitario" in body and "2 members" in body
    assert "/comunidades/nueva" not in body
    assert "Set-Cookie" not in response.headers
    assert "Set-Cookie" not in client.get(f"/comunidades/{community.id}").headers


def test_nav_links_to_the_communities(client):
    assert 'href="/comunidades/"' in text(client.get("/"))


@pytest.mark.parametrize("login", [False, True])
def test_list_loads_in_a_fixed_number_of_queries(client, auth, login):
    facilitator = make_facilitator()
    if login:
        auth.login(facilitator)

    def queries_for_list() -> int:
        with count_queries(db.engine) as counter:
            assert client.get("/comunidades/").status_code == 200
        return counter.count

    make_community(by=facilitator, name="Comunidad 0")
    few = queries_for_list()
    for n in range(1, 12):
        community = make_community(by=facilitator, name=f"Comunidad {n}")
        services.join_community(db.session, make_user(), community.id)
    db.session.commit()
    assert queries_for_list() == few
    assert few <= 4  # the person, the list, member counts, the unread notifications


def test_facilitator_opens_a_community(client, auth):
    facilitator = make_facilitator()
    auth.login(facilitator)
    assert client.get("/comunidades/nueva").status_code == 200
    response = client.post(
        "/comunidades/nueva",
        data={"name": "Mancomunidades andinas", "theme": "intermunicipal",
              "description": "Municipios que **planifican juntos**."},
    )
    assert response.status_code == 302
    community = db.session.scalar(select(Community))
    assert response.headers["Location"].endswith(f"/comunidades/{community.id}")
    page = text(client.get(response.headers["Location"]))
    assert "<strong>planifican juntos</strong>" in page
    assert facilitator.display_name in page and "Leave this community" in page


def test_participant_cannot_open_a_community(client, auth):
    auth.login(make_user())
    assert client.get("/comunidades/nueva").status_code == 403
    response = client.post("/comunidades/nueva", data={"name": "Mía"})
    assert response.status_code == 403
    assert count(Community) == 0


def test_visitor_is_sent_to_log_in(client):
    response = client.get("/comunidades/nueva")
    assert response.status_code == 302 and "/entrar" in response.headers["Location"]
    community = make_community(by=make_facilitator())
    response = client.post(f"/comunidades/{community.id}/unirse")
    assert response.status_code == 302 and "/entrar" in response.headers["Location"]
    assert count(Membership) == 1


@pytest.mark.parametrize("name, reason_in", [("", "Give the community a name"), ("n" * 161, "160")])
def test_bad_input_keeps_typed_text_and_saves_nothing(client, auth, name, reason_in):
    auth.login(make_facilitator())
    typed = "Lo que nos reúne: <el agua> y los acuerdos"
    response = client.post("/comunidades/nueva", data={"name": name, "description": typed})
    body = text(response)
    assert response.status_code == 422
    assert 'id="name-error"' in body and reason_in in body
    assert "Lo que nos reúne: &lt;el agua&gt; y los acuerdos" in body
    assert f'value="{name}"' in body
    assert count(Community) == 0


def test_duplicate_name_is_refused_next_to_the_field(client, auth):
    facilitator = make_facilitator()
    make_community(by=facilitator, name="Gestión del agua")
    auth.login(facilitator)
    response = client.post("/comunidades/nueva", data={"name": "Gestión del agua"})
    assert response.status_code == 422 and 'id="name-error"' in text(response)
    assert count(Community) == 1


def test_join_and_leave(client, auth):
    community = make_community(by=make_facilitator())
    person = make_user(name="Julia Quispe")
    auth.login(person)
    assert "Join this community" in text(client.get(f"/comunidades/{community.id}"))
    for _ in range(2):  # the second click changes nothing
        response = client.post(f"/comunidades/{community.id}/unirse")
        assert response.status_code == 302
    page = text(client.get(f"/comunidades/{community.id}"))
    assert "Julia Quispe" in page and "Leave this community" in page
    assert services.is_member(db.session, person, community.id)
    assert client.post(f"/comunidades/{community.id}/salir").status_code == 302
    db.session.expire_all()
    assert not services.is_member(db.session, person, community.id)
    assert client.post("/comunidades/999/unirse").status_code == 404


def test_community_page_shows_members_their_sheets_and_its_spaces(client, auth):
    facilitator = make_facilitator()
    community = make_community(by=facilitator)
    member, outsider = make_user(), make_user()
    services.join_community(db.session, member, community.id)
    db.session.commit()
    make_ficha(owner=member, title="Riego en Taraco")
    make_ficha(owner=outsider, title="Ajena")
    spaces = {
        state: Space(kind="debate", title=f"Mesa {state}", state=state,
                     community_id=community.id, created_by_id=facilitator.id)
        for state in ("open", "draft", "archived")
    }
    db.session.add_all([*spaces.values(),
                        Space(kind="workshop", title="De otra", created_by_id=facilitator.id)])
    db.session.commit()
    body = text(client.get(f"/comunidades/{community.id}"))
    assert "Riego en Taraco" in body and "Ajena" not in body
    assert f'href="/espacios/{spaces["open"].id}">Mesa open</a>' in body
    assert "Debate table" in body
    assert "Mesa draft" not in body and "Mesa archived" not in body and "De otra" not in body
    assert re.search(r'href="/fichas/\d+-riego-en-taraco">Riego en Taraco', body)
    auth.login(facilitator)
    assert "Mesa draft" in text(client.get(f"/comunidades/{community.id}"))
    assert client.get("/comunidades/999").status_code == 404


def test_facilitator_edits_a_community(client, auth):
    facilitator = make_facilitator()
    community = make_community(by=facilitator)
    auth.login(make_user())
    assert client.post(f"/comunidades/{community.id}/editar",
                       data={"name": "Intruso"}).status_code == 403
    auth.logout()
    auth.login(facilitator)
    assert 'value="Gestión del agua"' in text(client.get(f"/comunidades/{community.id}/editar"))
    response = client.post(f"/comunidades/{community.id}/editar",
                           data={"name": "Agua y riego", "theme": "environment"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Community, community.id).name == "Agua y riego"


def test_community_page_queries_do_not_grow_with_members_and_sheets(client, auth):
    facilitator = make_facilitator()
    community = make_community(by=facilitator)
    auth.login(facilitator)

    def queries_for_page() -> int:
        with count_queries(db.engine) as counter:
            assert client.get(f"/comunidades/{community.id}").status_code == 200
        return counter.count

    make_ficha(owner=facilitator)
    few = queries_for_page()
    for n in range(6):
        member = make_user()
        services.join_community(db.session, member, community.id)
        make_ficha(owner=member, title=f"Ficha {n}", themes=["gender", "education"])
        db.session.add(Space(kind="contribution", title=f"Aporte {n}", state="open",
                             community_id=community.id, created_by_id=facilitator.id))
    db.session.commit()
    assert queries_for_page() == few


def test_forms_need_their_token(app, client, auth):
    community = make_community(by=make_facilitator())
    person = make_user()
    auth.login(person)
    app.config["WTF_CSRF_ENABLED"] = True
    page = text(client.get(f"/comunidades/{community.id}"))
    assert client.post(f"/comunidades/{community.id}/unirse").status_code == 400
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/comunidades/{community.id}/unirse", data={"csrf_token": token})
    assert response.status_code == 302
    assert services.is_member(db.session, person, community.id)
