"""How a request says who it is: the session cookie (Flask-Login) or an API bearer token."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forum.accounts import services
from forum.accounts.models import User
from forum.extensions import db, login_manager


def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def bearer_user() -> User | None:
    """The person behind `Authorization: Bearer <token>`, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return services.user_for_token(db.session, secret.strip())


def post_limit() -> str:
    """How many posts a person may send (FORUM_POST_RATE_LIMIT)."""
    return current_app.config["POST_RATE_LIMIT"]


def rate_key() -> str:
    """Posting limits count per person (token or session), per address for visitors."""
    person = g.get("api_user") or (current_user if current_user.is_authenticated else None)
    return f"user:{person.id}" if person is not None else f"ip:{request.remote_addr}"


def init_app(app: Flask) -> None:
    login_manager.user_loader(_load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.login_message_category = "info"
    services.password_method = app.config.get("PASSWORD_HASH_METHOD", "scrypt")
