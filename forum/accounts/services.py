"""Use cases for people: register, authenticate, roles and personal API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from forum.accounts.models import ApiToken, Role, User
from forum.core import vocab
from forum.core.errors import Invalid, NotAllowed, NotFound

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "ftd_"

# Scrypt in production; the test config swaps in a fast hash (see config.TestConfig).
password_method = "scrypt"
# A real hash of a random secret, so unknown e-mails cost as much time as wrong passwords.
_DUMMY_HASH: str | None = None


def _hash(password: str) -> str:
    return generate_password_hash(password, method=password_method)


def validate_person(
    session: Session, email: str, name: str, country: str, organisation: str, password: str
) -> dict[str, object]:
    """Collect every problem at once, so the form can show them all."""
    errors: dict[str, object] = {}
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = _l("Enter a valid e-mail address.")
    elif session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        errors["email"] = _l("An account with this e-mail already exists. Log in instead.")
    if not 2 <= len(name) <= 80:
        errors["display_name"] = _l("Your name must have between 2 and 80 characters.")
    if country and country not in vocab.COUNTRY_CODES:
        errors["country"] = _l("Choose a country from the list.")
    if len(organisation) > 160:
        errors["organisation"] = _l("At most 160 characters.")
    if len(password) < MIN_PASSWORD:
        errors["password"] = _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD)
    return errors


def register(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    country: str = "",
    organisation: str = "",
    role: Role = Role.PARTICIPANT,
) -> User:
    email, name, organisation = email.strip().lower(), name.strip(), organisation.strip()
    errors = validate_person(session, email, name, country, organisation, password)
    if errors:
        raise Invalid(errors)
    user = User(
        email=email,
        display_name=name,
        country=country,
        organisation=organisation,
        password_hash=_hash(password),
        role=role.value,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """None for an unknown e-mail or a wrong password alike, in similar time."""
    global _DUMMY_HASH
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or _hash(secrets.token_hex(8))
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def set_role(session: Session, actor: User | None, user: User, role: Role) -> User:
    """Only admins (or the CLI, actor None) change roles."""
    if actor is not None and actor.role != Role.ADMIN:
        raise NotAllowed(_l("Only administrators change roles."))
    user.role = role.value
    return user


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and its secret, which is never stored nor shown again."""
    name = name.strip() or "API"
    if len(name) > 80:
        raise Invalid({"name": _l("At most 80 characters.")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=secret[:10], token_hash=_digest(secret))
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_l("No such token."))
    token.revoked_at = token.revoked_at or datetime.now(UTC).replace(tzinfo=None)
    return token


def user_for_token(session: Session, secret: str) -> User | None:
    token = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _digest(secret), ApiToken.revoked_at.is_(None)
        )
    )
    return token.user if token else None
