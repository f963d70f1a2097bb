"""Search tests run on SQLite with whoosh and on PostgreSQL with the PostgreSQL backend
(modules marked both_backends); each test gets an empty database and an empty index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from forum.extensions import db
from forum.search import service
from forum.search.params import read_params
from tests.conftest import fresh_app


@pytest.fixture
def app(backend: str, tmp_path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The usual test app, with the search backend matching the database."""
    engine = "postgresql" if backend == "postgresql" else "whoosh"
    with fresh_app(backend, tmp_path, request, SEARCH_BACKEND=engine) as found:
        yield found


@pytest.fixture
def find(app: Flask) -> Callable[..., service.SearchPage]:
    """find("words", person=None, sort=..., page=..., country=...) -> the search page."""

    def run(q: str = "", person: Any = None, **args: Any) -> service.SearchPage:
        params, errors = read_params({"q": q, **{k: str(v) for k, v in args.items()}})
        assert not errors, errors
        return service.search(db.session, person, params)

    return run


def keys(page: service.SearchPage) -> list[str]:
    return [r.doc.key for r in page.results]


def facet(page: service.SearchPage, name: str) -> dict[str, int]:
    return dict(page.facets.get(name, []))
