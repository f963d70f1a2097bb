"""The /live Socket.IO namespace: thin handlers over rooms, the journal and posting.

Every handler validates what it is sent (shape, size, who sends it, how often) and answers
through its acknowledgement `{"ok": true, ...}` or `{"ok": false, "error": "..."}`; a refusal
is also emitted as an `error` event for clients that sent no callback. Nothing a client
sends can take the server down: unexpected failures are logged and refused the same way.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import emit, join_room, leave_room
from limits import parse as parse_limit

from forum.accounts.auth import post_limit
from forum.core.errors import DomainError, Invalid, NotAllowed
from forum.extensions import db, limiter, socketio
from forum.live import journal, render, rooms
from forum.live.presence import Presence
from forum.notifications import inbox
from forum.spaces import posting
from forum.spaces.api import post_json
from forum.spaces.kinds import STRUCTURED_LABELS

log = logging.getLogger(__name__)

NAMESPACE = journal.NAMESPACE
MAX_MESSAGE = 60_000  # characters of JSON in one incoming event (a long comment fits)
BURST = (30, 10.0)  # at most 30 incoming events per connection in 10 seconds
PRESENCE_EVERY = 1.0  # seconds: presence is told at most this often per room and process
# the API's fields (spaces.api): whatever a space's kind takes, and replies
POST_FIELDS = {"space_id", "reply_to", "body", "title", "stance", "ficha_id", "cites_fichas",
               "cites_spaces", *STRUCTURED_LABELS}


@dataclass
class Connection:
    joined: dict[str, str] = field(default_factory=dict)  # room name -> its channel
    recent: list[float] = field(default_factory=list)


class Connections:
    """This process's open connections (a sid lives on the worker it connected to)."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Connection] = {}
        self._lock = threading.Lock()

    def get(self, sid: str) -> Connection:
        with self._lock:
            return self._by_sid.setdefault(sid, Connection())

    def drop(self, sid: str) -> Connection | None:
        with self._lock:
            return self._by_sid.pop(sid, None)

    def __len__(self) -> int:
        return len(self._by_sid)


connections = Connections()


def presence() -> Presence:
    return current_app.extensions["forum.presence"]


_announcing: set[str] = set()
_announcing_lock = threading.Lock()


def announce_presence(room: str) -> None:
    """Tell the room its count soon, once for all the joins and leaves until then: telling
    everybody at every join would send N² messages when a thousand people arrive."""
    with _announcing_lock:
        if room in _announcing:
            return
        _announcing.add(room)
    socketio.start_background_task(_announce_later, current_app._get_current_object(), room)


def _announce_later(app: Any, room: str) -> None:
    socketio.sleep(PRESENCE_EVERY)
    with _announcing_lock:
        _announcing.discard(room)
    with app.app_context():
        count = app.extensions["forum.presence"].count(room)
    socketio.emit("presence", {"room": room, "count": count}, to=room, namespace=NAMESPACE)


def _person() -> Any:
    return current_user if current_user.is_authenticated else None


def _refusal(event: str, exc: Exception) -> dict[str, Any]:
    if isinstance(exc, DomainError):
        message = str(exc.message) if getattr(exc, "message", None) else str(exc)
        fields = {k: str(v) for k, v in getattr(exc, "fields", {}).items()}
    else:
        log.exception("live handler %s failed", event, exc_info=exc)
        message, fields = str(_l("Something went wrong on our side. Try again.")), {}
    if not message and fields:
        message = next(iter(fields.values()))
    answer = {"ok": False, "error": message, **({"fields": fields} if fields else {})}
    emit("error", {"event": event, **answer})
    return answer


def guarded(event: str) -> Callable:
    """Validate size and rate, turn every failure into a refusal, never leave a half-written
    transaction behind."""

    def decorate(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def run(data: Any = None) -> dict[str, Any]:
            try:
                _check_rate(connections.get(request.sid))
                _check_size(data)
                return handler(data if data is not None else {})
            except Exception as exc:  # noqa: BLE001 - every failure becomes a refusal
                db.session.rollback()
                return _refusal(event, exc)

        return run

    return decorate


def _check_rate(conn: Connection) -> None:
    now = time.monotonic()
    most, seconds = BURST
    conn.recent = [t for t in conn.recent if now - t < seconds]
    if len(conn.recent) >= most:
        raise Invalid({"rate": _l("Too many messages at once. Wait a few seconds.")})
    conn.recent.append(now)


def _check_size(data: Any) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        raise Invalid({"message": _l("Send an object with the fields this event takes.")})
    if len(json.dumps(data, default=str)) > MAX_MESSAGE:
        raise Invalid({"message": _l("This message is too long.")})


def _room(data: dict[str, Any]) -> rooms.Room:
    return rooms.parse(data.get("room"))


def _after(data: dict[str, Any]) -> int:
    after = data.get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise Invalid({"after": _l("'after' is the id of the last event you saw (0 or more).")})
    return after


# --- handlers ------------------------------------------------------------------------------


def on_connect(auth: Any = None) -> bool:  # noqa: ARG001 - the session cookie says who it is
    connections.get(request.sid)
    person = _person()
    if person is not None:
        join_room(f"user:{person.id}")
        emit("unread", {"count": inbox.unread_count(db.session, person)})
    return True


def on_disconnect(*_args: Any) -> None:
    conn = connections.drop(request.sid)
    for name, channel in (conn.joined if conn else {}).items():
        presence().listen(name, channel, -1)
        presence().leave(name, request.sid)
        announce_presence(name)


@guarded("join")
def on_join(data: dict[str, Any]) -> dict[str, Any]:
    room = _room(data)
    person = _person()
    if not rooms.may_join(db.session, person, room):
        raise NotAllowed(_l("This page does not exist or is not open to you."))
    channel = room.channel(rooms.audience_of(db.session, person, room),
                           rooms.language_of(get_locale()))
    conn = connections.get(request.sid)
    before = conn.joined.get(room.name)
    if before != channel:
        if before is not None:
            leave_room(before)
            presence().listen(room.name, before, -1)
        conn.joined[room.name] = channel
        join_room(channel)
        presence().listen(room.name, channel, +1)
    join_room(room.name)  # presence is told to everybody on the page at once
    count = presence().enter(room.name, request.sid)
    announce_presence(room.name)
    return {"ok": True, "room": room.name, "last_id": journal.last_id(db.session, room),
            "present": count}


@guarded("leave")
def on_leave(data: dict[str, Any]) -> dict[str, Any]:
    room = _room(data)
    channel = connections.get(request.sid).joined.pop(room.name, None)
    if channel:
        leave_room(channel)
        leave_room(room.name)
        presence().listen(room.name, channel, -1)
        presence().leave(room.name, request.sid)
        announce_presence(room.name)
    return {"ok": True}


@guarded("resume")
def on_resume(data: dict[str, Any]) -> dict[str, Any]:
    """Send what the client missed in a room it joined, as ordinary events, oldest first."""
    room, after = _room(data), _after(data)
    channel = connections.get(request.sid).joined.get(room.name)
    if channel is None:
        raise Invalid({"room": _l("Join the room before asking what you missed.")})
    _name, audience, language = channel.split("|")
    rows, more = journal.missed(db.session, room, after)
    sent = 0
    for payload in render.for_rows(rows, room, audience, language):
        emit("event", payload)
        sent += 1
    if more:  # too much to replay over a thin link: the page itself is cheaper
        emit("reset", {"room": room.name})
    return {"ok": True, "sent": sent, "last_id": rows[-1].id if rows else after,
            "more": more}


@guarded("post")
def on_post(data: dict[str, Any]) -> dict[str, Any]:
    """A question, position, comment or reply: the API's fields, the API's rules."""
    person = _person()
    if person is None:
        raise NotAllowed(_l("Log in to take part; visitors can read and follow."))
    unknown = set(data) - POST_FIELDS
    if unknown:
        raise Invalid({"message": _l("Unknown fields: %(f)s", f=", ".join(sorted(unknown)))})
    if not limiter.limiter.hit(parse_limit(post_limit()), "live-post", f"user:{person.id}"):
        raise Invalid({"rate": _l("You are posting too fast. Wait a minute and try again.")})
    hold = current_app.config["HOLD_FIRST_POSTS"]
    if data.get("reply_to") is not None:
        post = posting.reply(db.session, person, _int(data, "reply_to"),
                             str(data.get("body", "")), hold_first=hold)
    else:
        post = posting.post_root(db.session, person, _int(data, "space_id"), data,
                                 hold_first=hold)
    db.session.commit()
    return {"ok": True, "item": post_json(post)}


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid({key: _l("Give the number of the space or post.")})
    return value


def on_anything(event: str, *_args: Any) -> dict[str, Any]:
    """Events the protocol does not have are refused, by name."""
    answer = {"ok": False, "error": str(_l("Unknown event: %(e)s", e=str(event)[:40]))}
    emit("error", {"event": str(event)[:40], **answer})
    return answer


def register() -> None:
    for name, handler in (("connect", on_connect), ("disconnect", on_disconnect),
                          ("join", on_join), ("leave", on_leave), ("resume", on_resume),
                          ("post", on_post), ("*", on_anything)):
        socketio.on_event(name, handler, namespace=NAMESPACE)

