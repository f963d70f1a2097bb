"""The application factory: a short list of named steps, no import-time side effects."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

import config as config_module
from forum import api, cli, contests, home, library, live, notifications, search
from forum.accounts import auth
from forum.accounts import views as accounts_views
from forum.api import openapi
from forum.communities import views as communities_views
from forum.core import assets, database, events, i18n, web
from forum.dashboard import views as dashboard_views
from forum.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from forum.feeds import views as feeds_views
from forum.fichas import api as fichas_api
from forum.fichas import services as fichas_services
from forum.fichas import views as fichas_views
from forum.notifications import views as notifications_views
from forum.search import api as search_api
from forum.search import views as search_views
from forum.spaces import api as spaces_api
from forum.spaces import moderation_views, post_views
from forum.spaces import services as spaces_services
from forum.spaces import views as spaces_views

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app; `overrides` (tests) win over classes and environment."""
    instance_path = os.environ.get("FORUM_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    if overrides and overrides.get("INSTANCE_PATH"):
        instance_path = overrides["INSTANCE_PATH"]
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, overrides or {})
    init_extensions(app)
    register_errors(app)
    register_blueprints(app)
    init_events(app)
    live.init_app(app)
    register_cli(app)
    return app


def configure(app: Flask, overrides: dict[str, Any]) -> None:
    """Config class, then FORUM_* environment, then explicit overrides; fill instance paths."""
    name = overrides.get("CONFIG") or config_module.env_config_name()
    app.config.from_object(getattr(config_module, name))
    app.config.from_prefixed_env("FORUM")
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'forum.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(app.config["DATABASE_URL"])
    app.config.setdefault("UPLOAD_DIR", str(Path(app.instance_path) / "uploads"))
    app.config.setdefault("SEARCH_INDEX_DIR", str(Path(app.instance_path) / "search-index"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")


def normalise_db_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs and drive them with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(instance: Path) -> str:
    """A secret generated on first start and kept, so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    database.tune_engine(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    web.init_app(app)
    assets.init_app(app)


def register_errors(app: Flask) -> None:
    web.register_error_handlers(app)


def register_blueprints(app: Flask) -> None:
    # Importing the route modules attaches their routes to the shared API blueprint.
    assert fichas_api and spaces_api and search_api and openapi
    for blueprint in (home.bp, accounts_views.bp, fichas_views.bp, spaces_views.bp,
                      post_views.bp, api.bp, moderation_views.bp, communities_views.bp,
                      notifications_views.bp, search_views.bp, feeds_views.bp,
                      dashboard_views.bp):
        app.register_blueprint(blueprint)
    library.init_app(app)
    contests.init_app(app)


def init_events(app: Flask) -> None:
    events.init_app(app)
    events.subscribe("attachment.removed", fichas_services.delete_removed_file)
    events.subscribe_in_transaction("*", spaces_services.bump_revision)
    events.subscribe_in_transaction("person.updated", fichas_services.person_updated)
    notifications.register(app)
    search.init_app(app)


def register_cli(app: Flask) -> None:
    cli.register(app)
