"""Domain errors raised by services; web and API map them to HTTP statuses in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a use case may raise on purpose."""

    status = 400
    code = "error"

    def __init__(self, message: Any = "") -> None:
        super().__init__(str(message))
        self.message = message


class NotFound(DomainError):
    status = 404
    code = "not_found"


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"


class Invalid(DomainError):
    """Input that cannot be accepted; `fields` maps a field name to a readable reason."""

    status = 422
    code = "invalid"

    def __init__(self, fields: dict[str, Any], message: Any = "") -> None:
        super().__init__(message or next(iter(fields.values()), ""))
        self.fields = fields


class Conflict(DomainError):
    """The thing changed since the person loaded it; `current` is what it is now."""

    status = 409
    code = "conflict"

    def __init__(self, message: Any = "", current: Any = None) -> None:
        super().__init__(message)
        self.current = current
