"""JSON API v1: the blueprint, bearer-token authentication and request helpers.

Feature modules (fichas.api, later spaces.api) add their routes to `bp`; errors become
`{"error": {"code", "message", "fields"}}` in core.web.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, request
from flask_babel import lazy_gettext as _l

from forum.accounts.auth import bearer_user
from forum.core.errors import DomainError, Invalid
from forum.extensions import csrf


class Unauthorised(DomainError):
    status = 401
    code = "unauthorised"


bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry them


def token_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not request.headers.get("Authorization"):
            raise Unauthorised(_l("Send a personal API token: Authorization: Bearer <token>."))
        user = bearer_user()
        if user is None:
            raise Unauthorised(_l("This API token is not valid or was revoked."))
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def optional_user() -> Any:
    """A token is optional on reads; a bad one is still refused, never silently ignored."""
    if request.headers.get("Authorization"):
        user = bearer_user()
        if user is None:
            raise Unauthorised(_l("This API token is not valid or was revoked."))
        return user
    return None


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid({"_body": _l("Send a JSON object with Content-Type: application/json.")})
    return data


@bp.after_request
def no_store(response):  # noqa: ANN001, ANN201
    response.headers.setdefault("Cache-Control", "no-store")
    return response
