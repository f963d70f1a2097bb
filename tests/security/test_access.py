"""Every object reachable by id, asked for by somebody with no right to it: a logged-in
stranger (on the pages with her session, on the API with her own token) and a visitor.
Each gets 403/404 or the log-in page, never the object, and nothing in the database
changes. One (route, actor, expected) table; the world is seeded once per module, which is
safe because every row asserts that its request left every table as it was."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.accounts import services as accounts
from forum.extensions import db
from tests.conftest import Auth
from tests.security.conftest import (
    DELETED_POST,
    HELD_POST,
    HIDDEN_POST,
    PDF,
    SECRET_POST,
    World,
    shared_world,
    snapshot,
)

pytestmark = pytest.mark.both_backends  # the query filters are SQL: both dialects answer

LOGIN = "login"  # a redirect to the log-in page
DENIED = (403, 404)
TOKEN_NAME = "script del municipio"  # the owner's API token: only she sees its name
SHEET_TITLE = "Riego comunal en Tiraque"  # in the owner's notification
EDIT_FORM = 'name="body"'  # the text box of a post's edit form
REASON = "Datos personales de una vecina"  # long enough for any reason a form asks


@dataclass(frozen=True)
class Case:
    """A request in templates filled from the world: "/fichas/{w.ficha.id}/editar"."""

    name: str
    method: str
    path: str
    stranger: int | tuple[int, ...] | str = DENIED
    visitor: int | tuple[int, ...] | str = LOGIN
    data: dict[str, Any] | Callable[[World], dict[str, Any]] = field(default_factory=dict)
    leaks: tuple[str, ...] = ()  # texts the answer must not contain


def upload(_world: World) -> dict[str, Any]:
    return {"file": (io.BytesIO(PDF), "intruso.pdf")}


def sheet_values(world: World) -> dict[str, Any]:
    return {**world.ficha.values(), "title": "Ficha robada", "base_version": world.ficha.version}


PRIVATE = (SECRET_POST, HIDDEN_POST, HELD_POST, DELETED_POST)
API = {"stranger": DENIED, "visitor": 401}
API_READ = {"stranger": 404, "visitor": 404}

CASES = [
    # sheets: edit, restore a revision, co-editors, attachments
    Case("sheet-edit-form", "GET", "/fichas/{w.ficha.id}/editar"),
    Case("sheet-edit", "POST", "/fichas/{w.ficha.id}/editar", data=sheet_values),
    Case("sheet-revert", "POST", "/fichas/{w.ficha.id}/revisiones/1/revertir",
         data={"base_version": "{w.ficha.version}"}),
    Case("sheet-add-coeditor", "POST", "/fichas/{w.ficha.id}/coeditores",
         data={"email": "{w.stranger.email}"}),
    Case("sheet-remove-coeditor", "POST", "/fichas/{w.ficha.id}/coeditores/{w.coeditor.id}/quitar"),
    Case("sheet-upload", "POST", "/fichas/{w.ficha.id}/adjuntos", data=upload),
    Case("sheet-remove-attachment", "POST", "/fichas/adjuntos/{w.attachment.id}/borrar"),
    Case("api-sheet-update", "PUT", "/api/v1/fichas/{w.ficha.id}", **API,
         data=lambda w: {**w.ficha.values(), "title": "Ficha robada", "version": w.ficha.version}),
    # posts: edit, delete, the author's and speakers' marks
    # the edit page lists a post's earlier versions to every reader (edits are open), but
    # its form only to those who may edit
    Case("post-edit-form", "GET", "/posts/{w.position.id}/editar", stranger=200,
         leaks=(EDIT_FORM,)),
    Case("post-edit", "POST", "/posts/{w.position.id}/editar",
         data={"body": "Texto cambiado", "stance": "against"}),
    Case("post-delete", "POST", "/posts/{w.position.id}/borrar"),
    Case("question-answered", "POST", "/posts/{w.question.id}/respondida"),
    Case("reply-helped", "POST", "/posts/{w.workshop_reply.id}/ayudo"),
    Case("dilemma-resolve", "POST", "/posts/{w.dilemma.id}/resolver", data={"will_try": "Ferias"}),
    Case("dilemma-followup", "POST", "/posts/{w.dilemma.id}/seguimiento",
         data={"followup": "Funcionó"}),
    Case("api-post-update", "PUT", "/api/v1/posts/{w.position.id}", **API,
         data={"body": "Texto cambiado"}),
    # moderation: every action, the queue, the audit log; the facilitators' report
    Case("mod-hide", "POST", "/moderacion/posts/{w.position.id}/ocultar", data={"reason": REASON}),
    Case("mod-restore", "POST", "/moderacion/posts/{w.hidden.id}/restaurar",
         data={"reason": REASON}, leaks=(HIDDEN_POST,)),
    Case("mod-pin", "POST", "/moderacion/posts/{w.position.id}/fijar"),
    Case("mod-unpin", "POST", "/moderacion/posts/{w.position.id}/desfijar"),
    Case("mod-lock", "POST", "/moderacion/posts/{w.position.id}/bloquear"),
    Case("mod-unlock", "POST", "/moderacion/posts/{w.position.id}/desbloquear"),
    Case("mod-move", "POST", "/moderacion/posts/{w.position.id}/mover",
         data={"space_id": "{w.conference.id}"}),
    Case("mod-approve", "POST", "/moderacion/posts/{w.held.id}/aprobar", leaks=(HELD_POST,)),
    Case("mod-dismiss", "POST", "/moderacion/posts/{w.held.id}/descartar", data={"reason": REASON},
         leaks=(HELD_POST,)),
    Case("mod-keep", "POST", "/moderacion/posts/{w.position.id}/mantener"),
    Case("api-moderate", "POST", "/api/v1/posts/{w.position.id}/moderation/hide", **API,
         data={"reason": REASON}),
    Case("mod-queue", "GET", "/moderacion", leaks=PRIVATE),
    Case("mod-audit-log", "GET", "/moderacion/registro", leaks=("Datos personales.",)),
    Case("report", "GET", "/panorama/informe"),
    Case("report-download", "GET", "/panorama/informe?descargar=1"),
    # spaces: a facilitator's tools
    Case("space-edit-form", "GET", "/espacios/{w.debate.id}/editar"),
    Case("space-edit", "POST", "/espacios/{w.debate.id}/editar",
         data={"kind": "debate", "title": "Tomado", "framing": "x"}),
    Case("space-state", "POST", "/espacios/{w.debate.id}/estado", data={"state": "closed"}),
    Case("space-synthesis", "POST", "/espacios/{w.debate.id}/sintesis", data={"synthesis": "x"}),
    Case("space-add-speaker", "POST", "/espacios/{w.conference.id}/ponentes",
         data={"email": "{w.stranger.email}"}),
    Case("space-remove-speaker", "POST",
         "/espacios/{w.conference.id}/ponentes/{w.facilitator.id}/quitar"),
    Case("space-upload", "POST", "/espacios/{w.conference.id}/archivos", data=upload),
    Case("space-remove-file", "POST", "/espacios/archivos/{w.space_file.id}/borrar"),
    # hidden, held and deleted posts: never their text, nor a way to act on them
    Case("hidden-thread", "GET", "/espacios/{w.hidden.space_id}/hilos/{w.hidden.id}",
         stranger=404, visitor=404, leaks=(HIDDEN_POST,)),
    Case("held-thread", "GET", "/espacios/{w.held.space_id}/hilos/{w.held.id}",
         stranger=404, visitor=404, leaks=(HELD_POST,)),
    Case("deleted-thread", "GET", "/espacios/{w.deleted.space_id}/hilos/{w.deleted.id}",
         stranger=(200, 404), visitor=(200, 404), leaks=(DELETED_POST, "Primera versión.")),
    Case("contribution-space", "GET", "/espacios/{w.hidden.space_id}", stranger=200, visitor=200,
         leaks=(HIDDEN_POST, HELD_POST, DELETED_POST)),
    Case("space-feed", "GET", "/espacios/{w.hidden.space_id}/feed.atom", stranger=200,
         visitor=200, leaks=(HIDDEN_POST, HELD_POST, DELETED_POST)),
    Case("api-hidden-post", "GET", "/api/v1/posts/{w.hidden.id}", **API_READ, leaks=(HIDDEN_POST,)),
    Case("api-held-post", "GET", "/api/v1/posts/{w.held.id}", **API_READ, leaks=(HELD_POST,)),
    Case("api-deleted-post", "GET", "/api/v1/posts/{w.deleted.id}", stranger=(200, 404),
         visitor=(200, 404), leaks=(DELETED_POST, "Primera versión.")),
    Case("api-space-threads", "GET", "/api/v1/spaces/{w.hidden.space_id}/threads", stranger=200,
         visitor=200, leaks=(HIDDEN_POST, HELD_POST, DELETED_POST)),
    Case("hidden-reply-form", "GET", "/posts/{w.hidden.id}/responder", leaks=(HIDDEN_POST,)),
    Case("hidden-reply", "POST", "/posts/{w.hidden.id}/responder", data={"body": "Respondo"}),
    Case("hidden-support", "POST", "/posts/{w.hidden.id}/apoyar"),
    Case("hidden-flag-form", "GET", "/posts/{w.hidden.id}/senalar", leaks=(HIDDEN_POST,)),
    Case("hidden-flag", "POST", "/posts/{w.hidden.id}/senalar", data={"reason": REASON}),
    Case("deleted-edit-form", "GET", "/posts/{w.deleted.id}/editar", stranger=404,
         leaks=(DELETED_POST, "Primera versión.")),
    Case("held-edit-form", "GET", "/posts/{w.held.id}/editar", leaks=(HELD_POST,)),
    Case("search-page", "GET", "/buscar/?q=texto", stranger=200, visitor=200, leaks=PRIVATE),
    Case("api-search", "GET", "/api/v1/search?q=texto", stranger=200, visitor=200, leaks=PRIVATE),
    # a members-only space, its threads and files
    Case("members-space", "GET", "/espacios/{w.members_only.id}", stranger=DENIED,
         visitor=(*DENIED, LOGIN), leaks=(SECRET_POST,)),
    Case("members-space-readable-url", "GET",
         "/espacios/{w.members_only.id}-espacio-de-la-comunidad", stranger=DENIED,
         visitor=(*DENIED, LOGIN), leaks=(SECRET_POST,)),
    Case("members-thread", "GET", "/espacios/{w.members_only.id}/hilos/{w.secret_post.id}",
         stranger=DENIED, visitor=(*DENIED, LOGIN), leaks=(SECRET_POST,)),
    Case("members-file", "GET", "/espacios/archivos/{w.members_file.id}/laminas.pdf",
         stranger=DENIED, visitor=(*DENIED, LOGIN)),
    Case("members-feed", "GET", "/espacios/{w.members_only.id}/feed.atom", stranger=DENIED,
         visitor=DENIED, leaks=(SECRET_POST,)),
    Case("community-feed", "GET", "/comunidades/{w.members_only.community_id}/feed.atom",
         stranger=200, visitor=200, leaks=(SECRET_POST,)),
    Case("community-page", "GET", "/comunidades/{w.members_only.community_id}",
         stranger=200, visitor=200, leaks=(SECRET_POST,)),
    Case("members-post", "POST", "/espacios/{w.members_only.id}/publicar",
         data={"title": "Intrusa", "body": "Entro sin ser miembro"}),
    Case("members-reply-form", "GET", "/posts/{w.secret_post.id}/responder", leaks=(SECRET_POST,)),
    Case("members-reply", "POST", "/posts/{w.secret_post.id}/responder", data={"body": "Hola"}),
    Case("members-support", "POST", "/posts/{w.secret_post.id}/apoyar"),
    Case("members-flag-form", "GET", "/posts/{w.secret_post.id}/senalar", leaks=(SECRET_POST,)),
    Case("members-flag", "POST", "/posts/{w.secret_post.id}/senalar", data={"reason": REASON}),
    Case("api-members-space", "GET", "/api/v1/spaces/{w.members_only.id}", **API_READ),
    Case("api-members-threads", "GET", "/api/v1/spaces/{w.members_only.id}/threads", **API_READ,
         leaks=(SECRET_POST,)),
    Case("api-members-post", "GET", "/api/v1/posts/{w.secret_post.id}", **API_READ,
         leaks=(SECRET_POST,)),
    Case("api-members-publish", "POST", "/api/v1/spaces/{w.members_only.id}/posts",
         stranger=DENIED, visitor=401, data={"title": "Intrusa", "body": "Entro"}),
    Case("api-members-reply", "POST", "/api/v1/posts/{w.secret_post.id}/replies",
         stranger=DENIED, visitor=401, data={"body": "Entro"}),
    Case("community-edit-form", "GET", "/comunidades/{w.members_only.community_id}/editar"),
    Case("community-edit", "POST", "/comunidades/{w.members_only.community_id}/editar",
         data={"name": "Tomada"}),
    # a draft space
    Case("draft-space", "GET", "/espacios/{w.draft.id}", stranger=404, visitor=404),
    Case("api-draft-space", "GET", "/api/v1/spaces/{w.draft.id}", **API_READ),
    Case("draft-publish", "POST", "/espacios/{w.draft.id}/publicar",
         data={"title": "Antes de tiempo", "body": "x"}),
    # API tokens, notifications, a sheet sent to a call
    Case("token-revoke", "POST", "/perfil/tokens/{w.token.id}/revocar", stranger=404),
    Case("owner-profile", "GET", "/personas/{w.owner.id}", stranger=200, visitor=200,
         leaks=(TOKEN_NAME,)),
    Case("notification-mark-read", "POST", "/avisos/leidos", stranger=302,
         data={"id": "{w.notification.id}"}),
    Case("notifications", "GET", "/avisos", stranger=200, leaks=(SHEET_TITLE,)),
    Case("call-withdraw", "POST", "/convocatorias/{w.call_id}/retirar",
         data={"ficha_id": "{w.ficha.id}"}),
]


@pytest.fixture(scope="module")
def site(backend: str, tmp_path_factory: pytest.TempPathFactory,
         request: pytest.FixtureRequest) -> Iterator[tuple[Flask, World, str]]:
    with shared_world(backend, tmp_path_factory.mktemp("access"), request) as (app, world):
        _token, secret = accounts.create_token(db.session, world.stranger, "su propio script")
        db.session.commit()
        yield app, world, secret


@pytest.fixture
def app(site: tuple[Flask, World, str]) -> Flask:
    return site[0]


def fill(template: Any, world: World) -> Any:
    return template.format(w=world) if isinstance(template, str) else template


def send(client: FlaskClient, case: Case, world: World, headers: dict[str, str]):  # noqa: ANN201
    data = case.data(world) if callable(case.data) else case.data
    data = {key: fill(value, world) for key, value in data.items()}
    path = fill(case.path, world)
    if path.startswith("/api/"):
        return client.open(path, method=case.method, headers=headers,
                           json=data if case.method != "GET" else None)
    return client.open(path, method=case.method, data=data or None)


def matches(response, expected: Any) -> bool:  # noqa: ANN001
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if LOGIN in allowed and response.status_code == 302 and response.location.startswith(
            "/entrar?next="):
        return True
    return response.status_code in [a for a in allowed if a != LOGIN]


@pytest.mark.parametrize("actor", ["stranger", "visitor"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_no_object_for_whoever_has_no_right_to_it(site, client, case, actor):
    _app, world, secret = site
    headers = {}
    if actor == "stranger":
        Auth(client).login(world.stranger)
        headers = {"Authorization": f"Bearer {secret}"}
    before = snapshot()
    with send(client, case, world, headers) as response:
        body = response.get_data()
    expected = getattr(case, actor)
    assert matches(response, expected), (response.status_code, response.location, expected)
    text = body.decode("utf-8", "replace")
    for secret_text in case.leaks:
        assert secret_text not in text, secret_text
    assert not body.startswith(b"%PDF")  # no file handed over either
    assert snapshot() == before


def test_the_rightful_people_do_get_them(site, client):
    """The table is worth something only if the same requests work for those entitled."""
    _app, world, _secret = site
    auth = Auth(client)
    auth.login(world.member)
    thread = f"/espacios/{world.members_only.id}/hilos/{world.secret_post.id}"
    assert SECRET_POST in client.get(thread).get_data(as_text=True)
    with client.get(f"/espacios/archivos/{world.members_file.id}/laminas.pdf") as response:
        assert response.data.startswith(b"%PDF")
    auth.logout()
    auth.login(world.owner)
    assert TOKEN_NAME in client.get(f"/personas/{world.owner.id}").get_data(as_text=True)
    assert SHEET_TITLE in client.get("/avisos").get_data(as_text=True)
    assert client.get(f"/fichas/{world.ficha.id}/editar").status_code == 200
    auth.logout()
    auth.login(world.author)
    assert client.get(f"/posts/{world.position.id}/editar").status_code == 200
    assert HIDDEN_POST in client.get(f"/posts/{world.hidden.id}/editar").get_data(as_text=True)
    auth.logout()
    auth.login(world.facilitator)
    for path in ("/moderacion", "/moderacion/registro", "/panorama/informe",
                 f"/espacios/{world.draft.id}"):
        assert client.get(path).status_code == 200, path
    assert HELD_POST in client.get("/moderacion").get_data(as_text=True)
