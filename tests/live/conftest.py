"""Live tests run real servers: one gunicorn+gevent process on SQLite for most of them, and
two processes on PostgreSQL sharing Redis as the Socket.IO message queue for scale-out."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from flask import Flask

from forum import create_app
from forum.extensions import db
from tests.conftest import PG_ADMIN
from tests.live.site import Server, start_server

REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass
class Site:
    app: Flask  # the test's own app on the same database, for seeding and for checking
    servers: list[Server]

    @property
    def server(self) -> Server:
        return self.servers[0]


def _site(instance: Path, url: str, processes: int, redis_url: str = "") -> Iterator[Site]:
    channel = f"forum-live-test-{uuid.uuid4().hex[:8]}"
    # with Redis, this process emits through the same queue, as a CLI command or a job would
    queue = {"REDIS_URL": redis_url, "SOCKETIO_CHANNEL": channel} if redis_url else {}
    app = create_app({"CONFIG": "TestConfig", "DATABASE_URL": url,
                      "INSTANCE_PATH": str(instance), **queue})
    with app.app_context():
        db.create_all()
        db.session.commit()
        servers: list[Server] = []
        try:
            for _ in range(processes):
                servers.append(start_server(instance, url, redis_url, channel))
            yield Site(app, servers)
        finally:
            for server in servers:
                server.stop()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One production-like server on SQLite (the embedded setup)."""
    instance = tmp_path_factory.mktemp("live")
    yield from _site(instance, f"sqlite:///{instance / 'forum.db'}", 1)


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Two server processes on two ports, PostgreSQL and Redis (the scale-out setup)."""
    instance = tmp_path_factory.mktemp("live-scaled")
    name = f"forum_live_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield from _site(instance, PG_ADMIN.rsplit("/", 1)[0] + "/" + name, 2, REDIS_URL)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
