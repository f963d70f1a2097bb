"""Fixtures of the security suite: apps with CSRF or rate limits on, a seeded world with
one of every object a stranger might reach by id, form tokens and database snapshots."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts import services as accounts
from forum.accounts.models import ApiToken, Role, User
from forum.communities import services as communities
from forum.extensions import db
from forum.fichas import services as fichas
from forum.fichas.models import Attachment, Ficha
from forum.notifications.models import Notification, utcnow
from forum.spaces import files, moderation, posting
from forum.spaces.models import Post, Space, SpaceFile
from tests.communities.factories import make_call
from tests.conftest import PASSWORD, fresh_app, make_ficha, make_user
from tests.spaces.factories import make_reply, make_root, make_space

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Texts only the objects' rightful readers may see: a response that shows one leaked it.
SECRET_POST = "Texto reservado a la comunidad del agua"
HIDDEN_POST = "Texto ocultado por la facilitadora"
HELD_POST = "Texto retenido para revisión"
DELETED_POST = "Texto borrado por su autora"


@pytest.fixture
def overrides() -> dict[str, Any]:
    """Config for this module's app; a module or a test overrides it (CSRF, limits)."""
    return {}


@pytest.fixture
def app(backend: str, tmp_path: Path, request: pytest.FixtureRequest,
        overrides: dict[str, Any]) -> Iterator[Flask]:
    with fresh_app(backend, tmp_path, request, **overrides) as found:
        yield found


@pytest.fixture
def fresh(backend: str, tmp_path: Path, request: pytest.FixtureRequest,
          overrides: dict[str, Any]) -> Iterator[Flask]:
    """An app of its own with `overrides`, in a module whose `app` is a shared one."""
    with fresh_app(backend, tmp_path, request, **overrides) as found:
        yield found


def form_token(client: FlaskClient, path: str = "/entrar") -> str:
    """The CSRF token a page gives this client's session."""
    found = TOKEN_RE.search(client.get(path).get_data(as_text=True))
    assert found, f"no form token on {path}"
    return found.group(1)


def login_with_token(client: FlaskClient, user: User, password: str = PASSWORD,
                     **extra: str):  # noqa: ANN201
    """Log in through the real form, with its token, as a browser does with CSRF on."""
    data = {"email": user.email, "password": password,
            "csrf_token": form_token(client), **extra}
    response = client.post("/entrar", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table: equal snapshots mean a request changed nothing."""
    db.session.expire_all()
    with db.engine.connect() as conn:
        return {table.name: sorted(map(tuple, conn.execute(select(table))), key=repr)
                for table in db.metadata.sorted_tables}


@dataclass
class World:
    """One of everything, with its rightful people; strangers are none of them."""

    facilitator: User
    owner: User
    coeditor: User
    author: User
    member: User
    stranger: User
    ficha: Ficha
    attachment: Attachment
    debate: Space
    position: Post
    conference: Space
    question: Post
    workshop: Space
    dilemma: Post
    workshop_reply: Post
    members_only: Space
    secret_post: Post
    space_file: SpaceFile
    members_file: SpaceFile
    draft: Space
    hidden: Post
    held: Post
    deleted: Post
    token: ApiToken
    notification: Notification
    call_id: int


def _upload(upload_dir: Path, actor: User, ficha: Ficha) -> Attachment:
    found = fichas.add_attachment(db.session, actor, ficha.id, "plan.pdf", io.BytesIO(PDF),
                                  max_bytes=10**6, directory=upload_dir)
    db.session.commit()
    return found


def _space_file(upload_dir: Path, actor: User, space: Space) -> SpaceFile:
    found = files.add_space_file(db.session, actor, space.id, "laminas.pdf", io.BytesIO(PDF),
                                 max_bytes=10**6, directory=upload_dir)
    db.session.commit()
    return found


def build_world(app: Flask) -> World:
    """Seeded through the real use cases, so every object is as the pages make it."""
    upload_dir = Path(app.config["UPLOAD_DIR"])
    fac = make_user(role=Role.FACILITATOR, name="Facilitadora Ana")
    owner, coeditor, author = make_user(), make_user(), make_user()
    member, stranger = make_user(), make_user(name="Persona Extraña")
    ficha = make_ficha(owner=owner, title="Riego comunal en Tiraque")
    fichas.add_editor(db.session, owner, ficha.id, coeditor.email)
    db.session.commit()
    fichas.revise_ficha(db.session, owner, ficha.id, {**ficha.values(), "lessons": "Escuchar."},
                        base_version=ficha.version)
    db.session.commit()
    attachment = _upload(upload_dir, owner, ficha)

    debate = make_space(kind="debate", by=fac)
    position = make_root(space=debate, by=author, kind="position", stance="for",
                         body="Las mancomunidades ayudan.")
    conference = make_space(kind="conference", by=fac)
    question = make_root(space=conference, by=author, body="¿Quién financia?")
    space_file = _space_file(upload_dir, fac, conference)
    workshop = make_space(kind="workshop", by=fac)
    dilemma = make_root(space=workshop, by=author, title="¿Ferias o acopio?",
                        context="Dos comunidades.", options="Ferias, acopio.")
    workshop_reply = make_reply(to=dilemma, by=member, body="Probamos ferias.")

    community = communities.create_community(db.session, fac, name="Agua y riego")
    db.session.commit()
    communities.join_community(db.session, member, community.id)
    db.session.commit()
    members_only = make_space(kind="contribution", by=fac, title="Espacio de la comunidad",
                              community_id=community.id, members_only="1")
    secret_post = make_root(space=members_only, by=member, title="Acuerdos internos",
                            body=SECRET_POST)
    members_file = _space_file(upload_dir, fac, members_only)
    draft = make_space(kind="contribution", by=fac, title="Borrador de espacio")
    db.session.get(Space, draft.id).state = "draft"
    db.session.commit()

    contribution = make_space(kind="contribution", by=fac, title="Aportes abiertos")
    hidden = make_root(space=contribution, by=author, title="Oculto", body=HIDDEN_POST)
    moderation.hide_post(db.session, fac, hidden.id, "Datos personales.")
    db.session.commit()
    newcomer = make_user()
    held = posting.post_root(db.session, newcomer, contribution.id,
                             {"title": "Retenido", "body": HELD_POST}, hold_first=3)
    db.session.commit()
    deleted = make_root(space=contribution, by=author, title="Borrado", body="Primera versión.")
    posting.edit_post(db.session, author, deleted.id, {"title": "Borrado", "body": DELETED_POST})
    db.session.commit()
    posting.delete_post(db.session, author, deleted.id)
    db.session.commit()

    token, _secret = accounts.create_token(db.session, owner, "script del municipio")
    notification = Notification(user_id=owner.id, kind="sheet_edited", ficha_id=ficha.id,
                                actor_id=coeditor.id, created_at=utcnow())
    db.session.add(notification)
    db.session.commit()
    call = make_call(by=fac)
    communities.submit_to_call(db.session, owner, call.id, ficha.id)
    db.session.commit()
    return World(fac, owner, coeditor, author, member, stranger, ficha, attachment, debate,
                 position, conference, question, workshop, dilemma, workshop_reply,
                 members_only, secret_post, space_file, members_file, draft, hidden, held,
                 deleted, token, notification, call.id)


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


@contextmanager
def shared_world(backend: str, tmp_path: Path, request: pytest.FixtureRequest,
                 **overrides: Any) -> Iterator[tuple[Flask, World]]:
    """One app and world for a whole module of read-only checks: every check asserts that
    its request changed nothing, so the next one starts from the same rows."""
    with fresh_app(backend, tmp_path, request, **overrides) as found:
        yield found, build_world(found)


def shared_site(name: str, **overrides: Any) -> tuple[Any, Any, Any]:
    """The `site`, `app` and `world` fixtures of a module of read-only checks, on one
    shared app with `overrides`: `site, app, world = shared_site("csrf", ...)`."""

    @pytest.fixture(scope="module")
    def site(backend: str, tmp_path_factory: pytest.TempPathFactory,
             request: pytest.FixtureRequest) -> Iterator[tuple[Flask, World]]:
        with shared_world(backend, tmp_path_factory.mktemp(name), request,
                          **overrides) as found:
            yield found

    @pytest.fixture
    def app(site: tuple[Flask, World]) -> Flask:
        return site[0]

    @pytest.fixture
    def world(site: tuple[Flask, World]) -> World:
        return site[1]

    return site, app, world
