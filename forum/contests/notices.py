"""What jurors hear, through the forum's notifications: that they were put on a jury, and
that the jury opened (the moment their scoring can start); taken off it, those go.
In-transaction subscribers, so the notice commits with the change or not at all."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from forum.contests.models import Juror
from forum.core import events
from forum.core.events import DomainEvent
from forum.notifications.models import Notification, NotificationKind
from forum.notifications.services import notify_about_call


def juror_added(session: Session, event: DomainEvent) -> None:
    notify_about_call(session, {event.data["user_id"]}, NotificationKind.JURY, "added",
                      actor_id=event.data.get("actor_id"), call_id=event.data["call_id"])


def jury_opened(session: Session, event: DomainEvent) -> None:
    """Every juror of the contest; opened again after closing, they hear of it again."""
    jurors = set(session.scalars(select(Juror.user_id)
                                 .where(Juror.contest_id == event.data["contest_id"])))
    notify_about_call(session, jurors, NotificationKind.JURY, "opened",
                      actor_id=event.data.get("actor_id"), call_id=event.data["call_id"])


def juror_removed(session: Session, event: DomainEvent) -> None:
    """Taken off the jury: the notices that sent them to score it would now mislead."""
    session.execute(delete(Notification).where(
        Notification.user_id == event.data["user_id"],
        Notification.kind == NotificationKind.JURY.value,
        Notification.call_id == event.data["call_id"]))


def subscribe() -> None:
    events.subscribe_in_transaction("contest.juror_added", juror_added)
    events.subscribe_in_transaction("contest.juror_removed", juror_removed)
    events.subscribe_in_transaction("contest.jury_opened", jury_opened)
