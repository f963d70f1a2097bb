"""Shared helpers for the notification tests: what was notified, in a comparable shape."""

from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import User
from forum.extensions import db
from forum.notifications.models import Notification


def notes(user: User | None = None) -> list[tuple[int, str, str, int | None, int | None]]:
    """(recipient, kind, detail, actor, post) of every notification, oldest first."""
    query = select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    db.session.expire_all()
    return [(n.user_id, n.kind, n.detail, n.actor_id, n.post_id)
            for n in db.session.scalars(query)]
