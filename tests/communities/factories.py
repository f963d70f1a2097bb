"""Keyword-only factories for communities and calls, built through the real services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from forum.accounts.models import Role, User
from forum.communities import services
from forum.communities.models import Call, Community
from forum.extensions import db
from tests.conftest import make_user


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def make_facilitator(**kwargs: Any) -> User:
    return make_user(role=Role.FACILITATOR, **kwargs)


def make_community(*, by: User, name: str = "Gestión del agua", **kwargs: Any) -> Community:
    community = services.create_community(db.session, by, name=name, **kwargs)
    db.session.commit()
    return community


WINDOWS = {  # (opens, closes) relative to now
    "open": (timedelta(days=-1), timedelta(days=7)),
    "upcoming": (timedelta(days=2), timedelta(days=9)),
    "closed": (timedelta(days=-9), timedelta(days=-2)),
}


def make_call(*, by: User, window: str = "open", title: str = "Agua y territorio",
              **kwargs: Any) -> Call:
    opens, closes = WINDOWS[window]
    call = services.open_call(
        db.session, by, title=title, opens_at=now() + opens, closes_at=now() + closes, **kwargs
    )
    db.session.commit()
    return call
