"""Fixtures: an app per test on SQLite (or PostgreSQL for modules marked both_backends),
clients, an auth helper and keyword-only factories."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from forum import create_app
from forum.accounts import services as accounts
from forum.accounts.models import Role, User
from forum.extensions import db
from forum.fichas import services as fichas
from forum.fichas.models import Ficha

PG_ADMIN = os.environ.get("FORUM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "clave-de-prueba-123"
_seq = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: run on SQLite and on PostgreSQL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_backends")
        metafunc.parametrize(
            "backend", ["sqlite", "postgresql"] if both else ["sqlite"], scope="session"
        )


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for this run, dropped at the end."""
    name = f"forum_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (and so its own `g` and DB session), as under
    a real server, even though the test itself holds one open for its factories."""

    def open(self, *args: Any, **kwargs: Any):  # noqa: ANN201
        with self.application.app_context():
            return super().open(*args, **kwargs)


@contextmanager
def fresh_app(backend: str, tmp_path: Path, request: pytest.FixtureRequest,
             **overrides: Any) -> Iterator[Flask]:
    """An app on a fresh database of the backend, inside its app context; PostgreSQL
    tables are emptied afterwards (the database itself lives for the whole run)."""
    if backend == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        url = f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app({"CONFIG": "TestConfig", "DATABASE_URL": url,
                      "INSTANCE_PATH": str(tmp_path / "instance"), **overrides})
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        if backend == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def app(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    with fresh_app(backend, tmp_path, request) as found:
        yield found


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def make_user(
    *,
    email: str | None = None,
    name: str | None = None,
    role: Role = Role.PARTICIPANT,
    country: str = "BO",
    password: str = PASSWORD,
) -> User:
    n = next(_seq)
    user = accounts.register(
        db.session,
        email=email or f"persona{n}@example.org",
        name=name or f"Persona {n}",
        password=password,
        country=country,
        organisation="Municipio de prueba",
        role=role,
    )
    db.session.commit()
    return user


def ficha_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Gestión territorial con los ayllus de Taraco",
        "summary": "Mapas parlantes y planes de gestión por ayllu.",
        "country": "BO",
        "region": "La Paz",
        "municipality": "Taraco",
        "communities": "16 comunidades",
        "start_year": 2018,
        "end_year": 2021,
        "status": "finished",
        "themes": ["land_use_planning"],
        "actors": ["municipality", "indigenous_authority"],
        "modality": "south_south",
        "areas": [],
        "dimensions": [],
        "problem": "Conflictos por el uso del agua y de las parcelas colectivas.",
        "objectives": "",
        "strategy": "",
        "results": "",
        "benefits": "",
        "keys": "",
        "lessons": "",
        "sustainability": "",
        "contacts": "",
    }
    data.update(overrides)
    return data


def make_ficha(*, owner: User, **overrides: Any) -> Ficha:
    ficha = fichas.create_ficha(db.session, owner, ficha_data(**overrides))
    db.session.commit()
    return ficha


class Auth:
    """Logs a test client in through the real form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user: User, password: str = PASSWORD):  # noqa: ANN201
        response = self.client.post("/entrar", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def logout(self) -> None:
        self.client.post("/salir")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def token_for():  # noqa: ANN201
    def make(user: User) -> dict[str, str]:
        _token, secret = accounts.create_token(db.session, user, "tests")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make
