"""How a request says who it is: the session cookie (Flask-Login) or an API bearer token."""

from __future__ import annotations

import hmac

from flask import Flask, current_app, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from forum.accounts import services
from forum.accounts.models import User
from forum.extensions import db, login_manager


def _load_user(user_id: str) -> User | None:
    """`<id>.<password fingerprint>`: a session or remember-me cookie made before the
    password changed (a reset after a stolen password) no longer lets anyone in. A bare
    id is a session from before fingerprints were kept (or a test's), still accepted."""
    number, _dot, fingerprint = user_id.partition(".")
    if not number.isdigit():
        return None
    user = db.session.get(User, int(number))
    if user is None or (fingerprint and not hmac.compare_digest(
            fingerprint, user.password_fingerprint)):
        return None
    return user


def _fresh_session() -> None:
    """Drop everything the session held (its form token above all) but the language: a
    session planted before log-in (session fixation) carries nothing into the new one."""
    lang = session.get("lang")
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    if lang:
        session["lang"] = lang


def start_session(user: User, remember: bool = False) -> None:
    """Log in on a new session (the cookie's content and its form token change)."""
    _fresh_session()
    login_user(user, remember=remember)


def end_session() -> None:
    """Log out and forget the session's form token; the remember-me cookie is cleared."""
    _fresh_session()
    logout_user()


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
