"""How a request says who it is: the session cookie (Flask-Login) or an API bearer token."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import ColumnElement, Select, bindparam, select

from forum.accounts import services
from forum.accounts.models import User
from forum.extensions import db, login_manager

# Facts about the person that each of their pages shows (the header's unread count), read
# by the statement that loads them: one round trip fewer on every logged-in page. Features
# register a scalar subquery correlated on users.id under a name; `user_fact` reads it.
USER_FACTS: dict[str, Callable[[], ColumnElement[Any]]] = {}
SAFE_METHODS = ("GET", "HEAD")


@functools.cache
def _load_statement(names: tuple[str, ...]) -> Select:  # built once per set of facts
    facts = [USER_FACTS[name]().label(name) for name in names]
    return select(User, *facts).where(User.id == bindparam("user_id"))


def user_fact(name: str) -> Any | None:
    """A fact read with this request's person, or None: not registered, not loaded yet, or
    a request that may change it (only GET and HEAD read facts ahead; others count later,
    after their change)."""
    return g.get("user_facts", {}).get(name)


def _forget_facts() -> None:
    g.pop("user_facts", None)


def _load_user(user_id: str) -> User | None:
    """`<id>.<password fingerprint>`: a session or remember-me cookie made before the
    password changed (a reset after a stolen password) no longer lets anyone in. A bare
    id is a session from before fingerprints were kept (or a test's), still accepted."""
    number, _dot, fingerprint = user_id.partition(".")
    if not number.isdigit():
        return None
    names = tuple(USER_FACTS) if has_request_context() and request.method in SAFE_METHODS \
        else ()
    row = db.session.execute(_load_statement(names), {"user_id": int(number)}).first()
    user = row[0] if row is not None else None
    if user is None or (fingerprint and not hmac.compare_digest(
            fingerprint, user.password_fingerprint)):
        return None
    if names:
        g.user_facts = dict(zip(names, row[1:], strict=True))
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
    app.before_request(_forget_facts)  # first: the limiter's hook may load the person
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.login_message_category = "info"
    services.password_method = app.config.get("PASSWORD_HASH_METHOD", "scrypt")
