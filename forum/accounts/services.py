"""Use cases for people: register, authenticate, roles and personal API tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from forum.accounts.models import ApiToken, Role, User
from forum.core import events, vocab
from forum.core.errors import Invalid, NotAllowed, NotFound

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "ftd_"
RESET_SALT = "password-reset"
RESET_MAX_AGE = 2 * 60 * 60  # seconds a reset link stays good

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
    errors |= profile_problems(name, country, organisation)
    if problem := password_problem(password):
        errors["password"] = problem
    return errors


def profile_problems(name: str, country: str, organisation: str) -> dict[str, object]:
    """What others see of a person, checked alike at registration and on the profile."""
    errors: dict[str, object] = {}
    if not 2 <= len(name) <= 80:
        errors["display_name"] = _l("Your name must have between 2 and 80 characters.")
    if country and country not in vocab.COUNTRY_CODES:
        errors["country"] = _l("Choose a country from the list.")
    if len(organisation) > 160:
        errors["organisation"] = _l("At most 160 characters.")
    return errors


def update_profile(session: Session, user: User, *, name: str, country: str = "",
                   organisation: str = "") -> User:
    """Name, country and organisation as others see them. A change is an event: the search
    index and the cached pages that show the person's name follow it."""
    name, organisation = name.strip(), organisation.strip()
    if errors := profile_problems(name, country, organisation):
        raise Invalid(errors)
    before = (user.display_name, user.country, user.organisation)
    user.display_name, user.country, user.organisation = name, country, organisation
    session.flush()
    if before != (name, country, organisation):
        events.record(session, "person.updated", user_id=user.id)
    return user


def change_password(session: Session, user: User, *, current: str, new: str) -> User:
    """Asks for the current password, so an unattended open session cannot lock its owner
    out; every other session and reset link ends with the old one."""
    errors: dict[str, object] = {}
    if not check_password_hash(user.password_hash, current or ""):
        errors["current"] = _l("That is not your current password.")
    if problem := password_problem(new or ""):
        errors["password"] = problem
    if errors:
        raise Invalid(errors)
    return set_password(session, user, new)


def password_problem(password: str) -> object | None:
    """The one password rule, for registration and for a new password alike."""
    if len(password) < MIN_PASSWORD:
        return _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD)
    return None


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


# --- password reset -------------------------------------------------------------------------


def _reset_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT)


def reset_token(user: User, secret_key: str) -> str:
    """A signed, dated token naming the person and their current password: no table to
    keep, and it stops working once the password changes, so it serves once."""
    return _reset_serializer(secret_key).dumps({"user": user.id,
                                                "password": user.password_fingerprint})


def user_for_reset(session: Session, token: str, secret_key: str,
                   max_age: int = RESET_MAX_AGE) -> User | None:
    """The person a reset link is for, or None when it is forged, older than two hours,
    or already used (the password changed since)."""
    try:
        data = _reset_serializer(secret_key).loads(token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = session.get(User, data["user"])
    fingerprint = str(data.get("password", ""))
    if user is None or not hmac.compare_digest(fingerprint, user.password_fingerprint):
        return None
    return user


def reset_message(user: User, link: str) -> tuple[str, str]:
    """Subject and text of the mail that carries a reset link."""
    subject = _("Choose a new password")
    text = _(
        "Hello %(name)s,\n\n"
        "someone (we hope you) asked to choose a new password for your account.\n"
        "Open this link within two hours to do it; it works only once:\n\n"
        "%(link)s\n\n"
        "If you did not ask for it, ignore this message: your password stays as it is.",
        name=user.display_name, link=link)
    return subject, text


def request_password_reset(
    session: Session, email: str, *, secret_key: str, send: Callable[[User, str], None]
) -> None:
    """Send a reset link if an account has this address, and nothing otherwise: the caller
    shows the same answer either way, so the form tells nobody who is registered."""
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise Invalid({"email": _l("Enter a valid e-mail address.")})
    user = find_by_email(session, email)
    if user is not None:
        send(user, reset_token(user, secret_key))


def set_password(session: Session, user: User, password: str) -> User:
    """A new password under the registration rule; it ends every other session and link."""
    if problem := password_problem(password):
        raise Invalid({"password": problem})
    user.password_hash = _hash(password)
    return user
