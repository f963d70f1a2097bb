"""Fixed vocabularies of the experience sheet: stable codes in data, translatable labels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

THEMES = {
    "productive_development": _l("Productive development"),
    "local_development_plans": _l("Local social and economic development plans"),
    "environment": _l("Environment and sustainable development"),
    "strategic_planning": _l("Strategic territorial planning"),
    "tourism_culture": _l("Rural, community and eco-tourism; tourism and culture"),
    "land_use_planning": _l("Land-use planning"),
    "education": _l("Education"),
    "gender": _l("Gender"),
    "mining": _l("Mining"),
    "urban_mobility": _l("Urban mobility"),
    "innovation": _l("Innovation"),
    "social_economy": _l("Social and solidarity economy"),
    "participatory_planning": _l("Participatory planning"),
    "intermunicipal": _l("Inter-municipal associations"),
}

ACTORS = {
    "municipality": _l("Municipalities and local authorities"),
    "regional_government": _l("Regional and intermediate governments"),
    "indigenous_authority": _l("Indigenous and original authorities"),
    "community_leaders": _l("Community and neighbourhood leaders"),
    "peasant_org": _l("Peasant organisations"),
    "producers": _l("Small producers and their associations"),
    "entrepreneurs": _l("Entrepreneurs"),
    "ngo": _l("NGOs and foundations"),
    "university": _l("Universities and research centres"),
    "national_body": _l("National public bodies"),
    "international_coop": _l("International cooperation"),
    "school_community": _l("School communities"),
}

MODALITIES = {
    "south_south": _l("South-south"),
    "triangular": _l("Triangular"),
    "north_south": _l("North-south"),
    "decentralised": _l("Decentralised (between territories)"),
    "none": _l("No cooperation"),
}

STATUSES = {
    "in_progress": _l("In progress"),
    "finished": _l("Finished"),
}

AREAS = {
    "social": _l("Social"),
    "economic": _l("Economic"),
    "land_environment": _l("Land use and environment"),
    "political_institutional": _l("Political and institutional"),
}

DIMENSIONS = {
    "actor_articulation": _l("Articulation of actors"),
    "resources": _l("Resources available"),
    "planning": _l("Planning"),
    "citizen_participation": _l("Citizen participation"),
    "management_innovation": _l("Flexibility and innovation in management"),
}

# Latin America and the Caribbean first, then frequent cooperation partners.
COUNTRY_CODES = (
    "AR BO BR CL CO CR CU DO EC SV GT HN MX NI PA PY PE PR UY VE HT JM TT BZ GY SR "
    "ES PT DE FR IT JP KR CN US CA"
).split()


def country_name(code: str) -> str:
    """Country names come from CLDR (via Babel) in the viewer's language."""
    try:
        locale = get_locale()
    except RuntimeError:  # outside a request (CLI): Spanish
        locale = None
    loc = locale or Locale("es")
    return loc.territories.get(code, code)


def countries() -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in the viewer's language."""
    return sorted(((c, country_name(c)) for c in COUNTRY_CODES), key=lambda p: p[1])


def label(vocab: dict, code: str) -> str:
    return str(vocab.get(code, code))


def read_number(args: Mapping[str, Any], key: str, default: int | None, low: int, high: int,
                errors: dict, *, clamp_low: bool = False, clamp_high: bool = False
                ) -> int | None:
    """A whole number from `args[key]` (`default` if absent). Out of [low, high] it is either
    brought to the bound (a page number past the end) or noted in `errors` and ignored;
    each caller says which, per side."""
    raw = str(args.get(key) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        errors[key] = _l("Expected a number.")
        return default
    if value < low:
        if clamp_low:
            return low
        errors[key] = _l("Expected a number between %(low)d and %(high)d.", low=low, high=high)
        return default
    if value > high:
        if clamp_high:
            return high
        errors[key] = _l("Expected a number between %(low)d and %(high)d.", low=low, high=high)
        return default
    return value


def read_code(args: Mapping[str, Any], key: str, codes: Any, errors: dict) -> str:
    """A code from `args[key]` if it is one of `codes` ("" if absent); an unknown value is
    noted in `errors` (lists, search and the API all read filters this way)."""
    value = str(args.get(key) or "").strip()
    if value and value not in codes:
        errors[key] = _l("Unknown value “%(v)s”.", v=value[:40])
        return ""
    return value
