"""Configuration classes; every value can be overridden by a FORUM_* environment variable.

Defaults give the embedded setup (SQLite + whoosh + one process) so `make run` needs no
settings at all; the scale-out setup only sets FORUM_DATABASE_URL and FORUM_REDIS_URL.
"""

from __future__ import annotations

import os


class Config:
    """Production-safe defaults; instance-relative paths are resolved in create_app."""

    # None means "a SQLite file in the instance folder" (resolved by create_app).
    DATABASE_URL: str | None = None
    SECRET_KEY: str | None = None  # None: generated once and kept in the instance folder
    REDIS_URL: str | None = None  # unset: single process, in-memory rate limits
    SEARCH_BACKEND = "whoosh"
    SOCKETIO_ORIGINS: str | None = None  # comma-separated; None = same origin only
    SOCKETIO_CHANNEL = "forum-live"  # Redis pub/sub channel shared by the workers of one site
    MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    PAGE_SIZE = 20
    HOLD_FIRST_POSTS = 0  # >0: a new account's first N posts wait for a facilitator
    POST_RATE_LIMIT = "20 per minute"
    LANGUAGES = ("es", "en")
    BABEL_DEFAULT_LOCALE = "es"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    LOGIN_RATE_LIMIT = "10 per minute"
    # Per address; a workshop registering a whole telecentre from one address needs room.
    REGISTER_RATE_LIMIT = "20 per hour"
    PASSWORD_RESET_RATE_LIMIT = "10 per hour"  # requests for a reset link, per address
    HSTS_SECONDS = 0  # >0 (served over HTTPS): Strict-Transport-Security: max-age=N
    SECURE_COOKIES: bool | None = None  # None: Secure session cookies when HSTS_SECONDS > 0
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long write must still post
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    TESTING = False
    # E-mail (daily digest): unset MAIL_SERVER prints mails to the console instead.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_DEFAULT_SENDER = "foro@localhost"


class TestConfig(Config):
    """Used by the test suite; the database URL is chosen per test run."""

    TESTING = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    SECRET_KEY = "test-secret-key"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes keep the suite quick


def env_config_name() -> str:
    """Which config class to use, from FORUM_CONFIG (default: Config)."""
    return os.environ.get("FORUM_CONFIG", "Config")
