"""SQL statements per page, counted in-process with the app's own query counter.

Each page is requested once to warm up (first-request work is not what a page costs),
then once more with `count_queries` listening on the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask.testing import FlaskClient

from bench._app import bench_app
from bench._login import USER_AGENT, client_login
from bench._seed import Seeded
from forum.core.database import count_queries
from forum.extensions import db


@dataclass(frozen=True)
class PageCount:
    status: int
    queries: int
    kib: float
    statements: tuple[str, ...]


def _count(client: FlaskClient, engine: object, path: str) -> PageCount:
    headers = {"User-Agent": USER_AGENT}
    client.get(path, headers=headers)
    with count_queries(engine) as counter:  # type: ignore[arg-type]
        response = client.get(path, headers=headers)
    body = response.get_data()
    return PageCount(
        response.status_code, counter.count, len(body) / 1024, tuple(counter.statements)
    )


def count_pages(
    instance: Path, seeded: Seeded, paths: list[str]
) -> dict[tuple[str, str], PageCount]:
    """{(path, who): PageCount} for who in visitor / logged-in."""
    app = bench_app(instance)
    with app.app_context():
        engine = db.engine
    visitor, member = app.test_client(), app.test_client()
    client_login(member, seeded.email, seeded.password)
    counts = {}
    for path in paths:
        counts[(path, "visitor")] = _count(visitor, engine, path)
        counts[(path, "logged-in")] = _count(member, engine, path)
    with app.app_context():
        db.engine.dispose()
    return counts
