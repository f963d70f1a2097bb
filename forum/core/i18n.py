"""Which language a person sees: their explicit choice, then the browser, then Spanish."""

from __future__ import annotations

import pytz
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import refresh
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, background jobs: the default language
        return languages[0]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


# Where a country spans several zones, the one most of its people live in.
MAIN_ZONE = {"BR": "America/Sao_Paulo", "MX": "America/Mexico_City", "AR":
             "America/Argentina/Buenos_Aires", "CL": "America/Santiago", "EC": "America/Guayaquil",
             "US": "America/New_York", "CA": "America/Toronto", "ES": "Europe/Madrid",
             "PT": "Europe/Lisbon"}


def select_timezone() -> str | None:
    """A logged-in person sees times in their country's zone; visitors see UTC (labelled)."""
    if not has_request_context():
        return None
    country = current_user.country if current_user.is_authenticated else ""
    if not country:
        return None
    zones = pytz.country_timezones.get(country)
    return MAIN_ZONE.get(country) or (zones[0] if zones else None)


def init_app(app: Flask) -> None:
    # Flask-Babel caches the locale on the app context; when one outlives a request (tests,
    # sockets) the next request must choose again.
    app.before_request(refresh)
