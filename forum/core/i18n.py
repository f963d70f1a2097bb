"""Which language a person sees: their explicit choice, then the browser, then Spanish."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import refresh


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, background jobs: the default language
        return languages[0]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def init_app(app: Flask) -> None:
    # Flask-Babel caches the locale on the app context; when one outlives a request (tests,
    # sockets) the next request must choose again.
    app.before_request(refresh)
