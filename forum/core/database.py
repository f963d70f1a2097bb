"""Engine tuning per backend, a fast path for hot read statements, and a query counter
used by tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import Executable, event
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Session

from forum.extensions import db

SQLITE_BUSY_MS = 5000


def tune_engine(app: Flask) -> None:
    """SQLite gets WAL and a busy timeout, so a reader never blocks the writer."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API objects
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def read(session: Session, statement: Executable,
         params: Mapping[str, Any]) -> CursorResult[Any]:
    """Run a column-only SELECT on the session's connection, skipping the ORM's work per
    statement (~40 us of ~60-100): for the few statements every logged-in page runs. It
    flushes first, as `session.execute` would, so pending changes are seen."""
    session.flush()
    return session.connection().execute(statement, params)


class QueryCounter:
    """Counts SQL statements on an engine while active (tests assert query budgets)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def _on_execute(self, _conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        self.statements.append(statement)


@contextmanager
def count_queries(engine: Engine) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    event.listen(engine, "before_cursor_execute", counter._on_execute)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter._on_execute)
