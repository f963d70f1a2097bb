"""Full-text search over sheets, spaces and posts, embedded (whoosh) or on PostgreSQL.

The only package that imports whoosh. `init_app` picks the backend (`SEARCH_BACKEND`,
from FORUM_SEARCH_BACKEND: "whoosh", the default, or "postgresql"), subscribes the index
to domain events and offers `similar_fichas()` to templates. Nothing here runs at import.
"""

from __future__ import annotations

import os
import threading

from flask import Flask

from forum.extensions import db
from forum.search import indexing, similar
from forum.search.backend_postgres import PostgresBackend
from forum.search.backend_whoosh import WhooshBackend
from forum.search.bitmaps import LRU
from forum.search.service import SearchBackend

BACKENDS = ("whoosh", "postgresql")


class SearchEngine:
    """One app's backend and indexer, made on first use (so the CLI starts fast)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._backend: SearchBackend | None = None
        self._indexer: indexing.Indexer | None = None
        self._lock = threading.Lock()
        self.similar_cache = LRU(4 * 1024 * 1024)
        self._started = False

    @property
    def backend(self) -> SearchBackend:
        with self._lock:
            if self._backend is None:
                self._backend = make_backend(self.app)
            return self._backend

    def start_indexer(self) -> None:
        """before_request: the first request of a process starts the background indexer."""
        if not self._started:
            self._started = True
            self.indexer.start()

    @property
    def indexer(self) -> indexing.Indexer:
        backend = self.backend
        with self._lock:
            if self._indexer is None:
                self._indexer = indexing.Indexer(self.app, backend,
                                                 self.app.config["SEARCH_INDEXING"])
            return self._indexer


def make_backend(app: Flask) -> SearchBackend:
    config = app.config
    if config["SEARCH_BACKEND"] == "postgresql":
        with app.app_context():
            return PostgresBackend(db.engine)
    return WhooshBackend(config["SEARCH_INDEX_DIR"], cache_mb=int(config["SEARCH_CACHE_MB"]),
                         lock_timeout=float(config["SEARCH_LOCK_TIMEOUT"]),
                         procs=int(config["SEARCH_REINDEX_PROCS"]))


def init_app(app: Flask) -> None:
    config = app.config
    config.setdefault("SEARCH_INDEXING", "sync" if app.testing else "thread")
    config.setdefault("SEARCH_CACHE_MB", 64)
    config.setdefault("SEARCH_LOCK_TIMEOUT", 30)
    config.setdefault("SEARCH_REINDEX_PROCS", 1 if app.testing else min(2, os.cpu_count() or 1))
    if config["SEARCH_BACKEND"] not in BACKENDS:
        raise ValueError(f"FORUM_SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, "
                         f"not {config['SEARCH_BACKEND']!r}")
    if config["SEARCH_BACKEND"] == "postgresql" and not config[
            "SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        raise ValueError("FORUM_SEARCH_BACKEND=postgresql needs FORUM_DATABASE_URL on PostgreSQL")
    engine = app.extensions["forum.search"] = SearchEngine(app)
    app.jinja_env.globals["similar_fichas"] = similar.for_template
    indexing.subscribe()
    if config["SEARCH_INDEXING"] == "thread":
        app.before_request(engine.start_indexer)
