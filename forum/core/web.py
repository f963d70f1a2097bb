"""Web glue shared by every blueprint: domain errors to HTTP, headers, template helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date, format_datetime, get_locale, get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, IntegerConverter

from forum.core import pagecache, permissions, vocab
from forum.core.errors import DomainError
from forum.core.slugs import Ref
from forum.extensions import db

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; frame-src https://www.youtube-nocookie.com "
    "https://player.vimeo.com"
)

HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You are not allowed to do this."),
    404: _l("This page does not exist."),
    405: _l("This action is not available here."),
    413: _l("The file or form is too large."),
    429: _l("Too many attempts. Wait a minute and try again."),
    500: _l("Something went wrong on our side. Your change was not saved."),
}
# A limit counted over an hour (registration, reset links): "wait a minute" would send
# people back too soon, to be refused again.
LONG_LIMIT_MESSAGE = _l("Too many attempts. Wait an hour and try again.")


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: Any, fields: dict | None = None):  # noqa: ANN201
    body = {
        "error": {
            "code": code,
            "message": str(message),
            "fields": {k: str(v) for k, v in (fields or {}).items()},
        }
    }
    return jsonify(body), status


def _domain_error(exc: DomainError):  # noqa: ANN202
    db.session.rollback()
    if wants_json():
        return json_error(exc.status, exc.code, exc.message, getattr(exc, "fields", None))
    return render_template("error.html", status=exc.status, message=exc.message), exc.status


def _http_error(exc: HTTPException):  # noqa: ANN202
    if exc.response is not None:  # a page made for it (a rate-limited form with its text)
        return exc.response
    status = exc.code or 500
    message = too_many_message(exc) if status == 429 else HTTP_MESSAGES.get(
        status, exc.description)
    if wants_json():
        return json_error(status, exc.name.lower().replace(" ", "_"), message)
    kept = typed_texts() if status == 429 else []
    return render_template("error.html", status=status, message=message, kept=kept), status


# Form fields that are plumbing or secrets, never shown back.
NOT_KEPT = frozenset({"csrf_token", "password", "confirm", "next", "in_thread"})


def typed_texts() -> list[str]:
    """The prose a refused form carried (a post over the posting limit), shown back on the
    error page so nothing written on a slow link is lost; codes and ids are left out."""
    if request.method != "POST":
        return []
    return [value.strip() for key, value in request.form.items(multi=True)
            if key not in NOT_KEPT and any(ch.isspace() for ch in value.strip())]


def _csrf_error(_exc: CSRFError):  # noqa: ANN202
    message = _l("The form had expired. Go back, reload the page and send it again.")
    return render_template("error.html", status=400, message=message), 400


def _unexpected(exc: Exception):  # noqa: ANN202
    log.exception("unhandled error", exc_info=exc)
    db.session.rollback()
    if wants_json():
        return json_error(500, "server_error", HTTP_MESSAGES[500])
    return render_template("error.html", status=500, message=HTTP_MESSAGES[500]), 500


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected)


def limit_window(exc: Any) -> int:
    """Seconds over which a broken rate limit counts (0 when it is not a rate limit); takes
    Flask-Limiter's exception or the RequestLimit its `on_breach` callbacks get."""
    limit = getattr(exc, "limit", None)
    limit = getattr(limit, "limit", limit)  # the exception wraps the item once more
    return int(limit.get_expiry()) if hasattr(limit, "get_expiry") else 0


def too_many_message(exc: Any) -> Any:
    """The 429 text for this limit: per minute or per hour."""
    return LONG_LIMIT_MESSAGE if limit_window(exc) > 60 else HTTP_MESSAGES[429]


def security_headers(response):  # noqa: ANN001, ANN201
    """On every response (pages, JSON, errors, static files): scripts only from this site,
    no framing, no type sniffing, no full URLs (with their tokens) sent to other sites."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    hsts = current_app.config.get("HSTS_SECONDS") or 0
    if hsts > 0:
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={int(hsts)}; includeSubDomains")
    return response


def secure_cookies(app: Flask) -> None:
    """Session and remember-me cookies travel over HTTPS only when the site says it is
    served over HTTPS (FORUM_SECURE_COOKIES, or FORUM_HSTS_SECONDS > 0); on plain HTTP
    (`make run`) a Secure cookie would never come back and nobody could log in."""
    secure = app.config.get("SECURE_COOKIES")
    if secure is None:
        secure = (app.config.get("HSTS_SECONDS") or 0) > 0
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        app.config[key] = bool(app.config.get(key) or secure)


def template_helpers() -> dict[str, Any]:
    """`can('edit_ficha', ficha)` in templates asks the same predicate the service asks."""

    def can(action: str, obj: Any = None) -> bool:
        pred = permissions.PREDICATES[action]
        return pred(current_user, obj) if obj is not None else pred(current_user)

    return {
        "can": can,
        "vocab": vocab,
        "country_name": vocab.country_name,
        "format_date": format_date,
        "get_locale": get_locale,
        "format_datetime": format_datetime,
        "person_mark": Markup(pagecache.PERSON_MARK),
        "csrf_token": pagecache.form_token,  # over Flask-WTF's own context processor
        "absolute_url": absolute_url,
        "ref": Ref.of,  # url_for('fichas.show', ficha_id=ref(id, title)): a readable URL
        # static/times.js shows such pages' times in the reader's zone
        "times_in_utc": lambda: str(get_timezone()) == "UTC",
    }


def cacheable_visit() -> bool:
    """A visitor with nothing personal to show (no flashed message) sees the shared page."""
    return not current_user.is_authenticated and "_flashes" not in session


def cacheable_person_visit() -> bool:
    """A logged-in person with no flashed message may get a page shared with others."""
    return current_user.is_authenticated and "_flashes" not in session


# What else the person's header part shows (e.g. the unread count), registered by the
# features that own it, so a rendered header part is reused only while all of it holds.
HEADER_FACTS: list[Callable[[], Hashable]] = []


# Pages of one's own that other features point to from one's profile (e.g. a juror's list
# to score): each returns (label, url) for this person, or None when it has nothing here.
OWN_LINKS: list[Callable[[Any], tuple[str, str] | None]] = []


def own_links(person: Any) -> list[tuple[str, str]]:
    return [link for offer in OWN_LINKS if (link := offer(person)) is not None]


def personal_page(html: str) -> str:
    """A page shared by many logged-in people, with this person's header part and token."""
    key = ("nav", current_user.id, current_user.display_name,
           permissions.can_moderate(current_user), str(get_locale()),
           *(fact() for fact in HEADER_FACTS))
    nav = page_cache()[0].get_or_render(key, lambda: pagecache.render_shared(
        lambda: render_template("_nav_person.html")))
    return pagecache.personal(html, nav)


def shared_page(key: tuple, render: Callable[[], str]) -> Response | str | None:
    """A page the same for everyone but its header (home, sheet list, panorama): visitors
    get it from memory with an ETag; logged-in people share one rendering (one per
    facilitator or not) with their own header part and form token spliced in. None when
    there is a flashed message to show: render it yourself."""
    if cacheable_visit():
        return pagecache.respond(*page_cache(), key, render)
    if cacheable_person_visit():
        shared = ("person", permissions.can_moderate(current_user), *key)
        return personal_page(page_cache()[0].get_or_render(
            shared, lambda: pagecache.render_shared(render)))
    return None


def absolute_url(endpoint: str, **values: Any) -> str:
    """A full URL for feeds, sitemaps and canonical links: FORUM_BASE_URL when set (the
    public address behind a proxy), else the address this request came to."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def page_cache() -> tuple[pagecache.PageCache, str]:
    return current_app.extensions["forum.pages"]


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number longer than any database id becomes 0, an id no
    row has, so the view answers its own 404 instead of the database overflowing (500)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0


MAX_ID = 2**31 - 1  # PostgreSQL's integer


class RefConverter(BaseConverter):
    """`<ref:...>`: "12" or "12-words-of-the-title" → Ref(12, "words-of-the-title").
    `url_for` takes an id (bare URL) or anything with `id` and `slug` (readable URL)."""

    regex = r"\d+(?:-[^/]*)?"
    part_isolating = False

    def to_python(self, value: str) -> Ref:
        number, _dash, words = value.partition("-")
        id_ = int(number)
        return Ref(id_ if id_ <= MAX_ID else 0, words)

    def to_url(self, value: Any) -> str:
        if isinstance(value, int):
            return str(value)
        slug = getattr(value, "slug", "")
        return f"{int(value.id)}-{slug}" if slug else str(int(value.id))


def moved_permanently(endpoint: str, ref: Ref, slug: str, **values: Any) -> Response | None:
    """A 301 to the current words when the URL carried old ones (query string kept)."""
    if not ref.moved(slug):
        return None
    target = url_for(endpoint, **values, **{k: Ref(ref.id, slug) for k in _ref_args(endpoint)})
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, 301)


def _ref_args(endpoint: str) -> list[str]:
    rule = next(r for r in current_app.url_map.iter_rules(endpoint)
                if any(isinstance(c, RefConverter) for c in r._converters.values()))
    return [name for name, c in rule._converters.items() if isinstance(c, RefConverter)]


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter  # before any blueprint adds its routes
    app.url_map.converters["ref"] = RefConverter
    app.extensions["forum.pages"] = (
        pagecache.PageCache(),
        pagecache.build_id(Path(app.template_folder), Path(app.static_folder),
                           Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])),
    )
    secure_cookies(app)
    app.after_request(security_headers)
    app.context_processor(template_helpers)
    app.jinja_env.globals["csrf_token"] = pagecache.form_token  # after Flask-WTF's own
    # no blank lines left by template tags: a space page with 30 threads lost a quarter of
    # its bytes, which people on rural links pay for
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: `next=` must never send people to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(ch) < 32 for ch in target):
        return default
    return target


def int_arg(raw: Any, default: int = 0) -> int:
    """A number from a form or query string; anything else is the default."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default
