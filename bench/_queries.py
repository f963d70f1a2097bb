"""SQL statements per page, counted in-process with the app's own query counter.

Each page is requested once to warm up (first-request work is not what a page costs),
then once more with `count_queries` listening on the engine. The cyclic garbage collector
is paused meanwhile: on CPython 3.11.7 a collection during a large list page can crash
the process (see bench/README.md), and collections have no bearing on query counts.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from bench._app import bench_app
from bench._login import USER_AGENT, client_login
from forum.core.database import count_queries
from forum.extensions import db


@dataclass(frozen=True)
class PageCount:
    status: int
    queries: int
    kib: float
    statements: tuple[str, ...]


def _count(client: FlaskClient, engine: Engine, path: str) -> PageCount:
    headers = {"User-Agent": USER_AGENT}
    client.get(path, headers=headers)
    with count_queries(engine) as counter:
        response = client.get(path, headers=headers)
    body = response.get_data()
    return PageCount(
        response.status_code, counter.count, len(body) / 1024, tuple(counter.statements)
    )


def count_pages(
    instance: Path, password: str, logins: dict[str, str | None], targets: list[tuple[str, str]]
) -> dict[tuple[str, str], PageCount]:
    """{(path, who): PageCount}; `logins` maps who to an e-mail (None: a visitor)."""
    app = bench_app(instance)
    with app.app_context():
        engine = db.engine
    clients = {}
    for who, email in logins.items():
        clients[who] = app.test_client()
        if email:
            client_login(clients[who], email, password)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        counts = {(path, who): _count(clients[who], engine, path) for path, who in targets}
    finally:
        if was_enabled:
            gc.enable()
    with app.app_context():
        db.engine.dispose()
    return counts
