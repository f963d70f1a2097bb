"""The app as the benchmark builds it: production config plus the bare `/_bare` route."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from forum import create_app


def bare() -> str:
    return "hello"


def add_bare(app: Flask) -> Flask:
    """The ceiling: a route that does nothing, behind the same hooks as every page."""
    app.add_url_rule("/_bare", "bench_bare", bare, methods=["GET"])
    return app


def db_url(instance: Path) -> str:
    return f"sqlite:///{instance / 'forum.db'}"


def bench_app(instance: Path) -> Flask:
    """The production config (not TestConfig) on the bench instance, in this process."""
    overrides = {
        "CONFIG": "Config",
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": db_url(instance),
    }
    return add_bare(create_app(overrides))
