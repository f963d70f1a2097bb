"""From domain events to the live journal, and from the journal to the rooms.

`record` runs inside the transaction of the change (core.events in-transaction handler): it
writes one LiveEvent row, so the change and its live event commit together or not at all.
After the commit `deliver` renders the event for each audience and language of each room and
emits it through Flask-SocketIO, whose Redis message queue (FORUM_REDIS_URL) carries it to
clients on every worker; `missed` reads the journal for a client that reconnects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from flask import current_app
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.core import events
from forum.core.events import DomainEvent
from forum.extensions import db, socketio
from forum.live import render
from forum.live.models import LiveEvent
from forum.live.rooms import Room
from forum.notifications import inbox
from forum.spaces.models import Post, Space

log = logging.getLogger(__name__)

NAMESPACE = "/live"
RESUME_LIMIT = 200  # more missed than this: the client is told to reload the page
RECORDED = "live.recorded"

# domain event -> live event type; post.created is named by the post's kind
SAME = (
    "post.edited", "post.deleted", "question.supported", "question.answered", "reply.helped",
    "dilemma.resolved", "dilemma.followup", "post.hidden", "post.restored", "post.approved",
    "post.dismissed", "post.pinned", "post.unpinned", "thread.locked", "thread.unlocked",
    "thread.moved", "ficha.revised", "space.state", "space.synthesis",
)
CREATED = {"question": "question.created", "answer": "answer.created",
           "position": "position.created", "comment": "comment.created",
           "contribution": "contribution.created", "innovation": "innovation.created",
           "dilemma": "dilemma.created"}


def live_type(session: Session, event: DomainEvent) -> str | None:
    if event.type == "post.created":
        post = session.get(Post, event.data["post_id"])
        return CREATED.get(post.kind) if post is not None else None
    return event.type if event.type in SAME else None


def record(session: Session, event: DomainEvent) -> None:
    """In-transaction handler: journal the changes people may be watching."""
    type_ = live_type(session, event)
    if type_ is None:
        return
    if session.get_bind().dialect.name == "postgresql":
        # ids must commit in the order they were handed out, or a client that saw a later id
        # would skip an earlier one still committing: one journal writer at a time
        session.execute(text("SELECT pg_advisory_xact_lock(7364001)"))
    data = {k: v for k, v in event.data.items() if k in ("state", "version") and v is not None}
    rows = [LiveEvent(type=type_, space_id=event.data.get("space_id"),
                      root_id=event.data.get("root_id"), post_id=event.data.get("post_id"),
                      ficha_id=event.data.get("ficha_id"), data=data)]
    if event.data.get("from_space_id"):  # a moved thread also leaves the page it was on
        rows.insert(0, LiveEvent(type=type_, space_id=event.data["from_space_id"],
                                 post_id=event.data.get("post_id"),
                                 data={"to_space_id": event.data.get("space_id")}))
    session.add_all(rows)
    session.flush()
    for row in rows:
        if row.space_id:
            session.execute(update(Space).where(Space.id == row.space_id)
                            .values(last_event_id=row.id))
        events.record(session, RECORDED, live_event_id=row.id)


def deliver(event: DomainEvent) -> None:
    """After commit: render the journalled event for every audience and emit it."""
    app = current_app._get_current_object()
    with app.app_context():  # a session of its own, reading what just committed
        row = db.session.get(LiveEvent, event.data["live_event_id"])
        if row is None:
            return
        presence = app.extensions["forum.presence"]
        listening = lambda room: presence.channels(room.name)  # noqa: E731
        for room, audience, language, payload in render.everyone(row, listening):
            socketio.emit("event", payload, to=room.channel(audience, language),
                          namespace=NAMESPACE)


def notify_unread(event: DomainEvent) -> None:
    """After commit: new notifications change these people's unread counts."""
    app = current_app._get_current_object()
    with app.app_context():
        for user in db.session.scalars(select(User).where(User.id.in_(event.data["user_ids"]))):
            socketio.emit("unread", {"count": inbox.unread_count(db.session, user)},
                          to=f"user:{user.id}", namespace=NAMESPACE)


def _column(room: Room):  # noqa: ANN202 - a mapped column
    return {"space": LiveEvent.space_id, "thread": LiveEvent.root_id,
            "ficha": LiveEvent.ficha_id}[room.kind]


def last_id(session: Session, room: Room) -> int:
    """The newest event of a room (0 if none): where a client joining now stands."""
    return session.scalar(select(LiveEvent.id).where(_column(room) == room.id)
                          .order_by(LiveEvent.id.desc()).limit(1)) or 0


def missed(session: Session, room: Room, after: int) -> tuple[list[LiveEvent], bool]:
    """The room's events after `after`, oldest first; True if there were more than we send."""
    rows = list(session.scalars(select(LiveEvent)
                                .where(_column(room) == room.id, LiveEvent.id > after)
                                .order_by(LiveEvent.id).limit(RESUME_LIMIT + 1)))
    return rows[:RESUME_LIMIT], len(rows) > RESUME_LIMIT


def replay(session: Session, room: Room, audience: str, language: str,
           after: int) -> Iterator[dict[str, Any]]:
    """What a reconnecting client missed, rendered as it is now, for its audience."""
    rows, _more = missed(session, room, after)
    yield from render.for_rows(rows, room, audience, language)


def register() -> None:
    events.subscribe_in_transaction("*", record)
    events.subscribe(RECORDED, deliver)
    events.subscribe("notification.created", notify_unread)

