"""Domain events: recorded during a transaction, published only after it commits.

Services call `record(session, "ficha.revised", ficha_id=...)`; search and live subscribe.
A rollback drops the pending events, so nobody hears of a change that never happened, and a
failing subscriber is logged rather than raised: the database stays the truth.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

PENDING = "forum.pending_events"


@dataclass(frozen=True)
class DomainEvent:
    type: str
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[DomainEvent], None]
TxHandler = Callable[[Session, DomainEvent], None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)
_in_transaction: dict[str, list[TxHandler]] = defaultdict(list)


def record(session: Session, type_: str, **data: Any) -> None:
    """Queue an event on the session; it is published if and when the session commits."""
    real = session() if callable(session) and not isinstance(session, Session) else session
    if not real.in_transaction():
        real.begin()  # so that a rollback, even with no SQL yet, drops the event
    session.info.setdefault(PENDING, []).append(DomainEvent(type_, data))


def subscribe(type_: str, handler: Handler) -> None:
    """Call `handler` after commit for events of `type_` ("*" for all). Idempotent."""
    if handler not in _subscribers[type_]:
        _subscribers[type_].append(handler)


def subscribe_in_transaction(type_: str, handler: TxHandler) -> None:
    """Call `handler(session, event)` just before commit, inside the same transaction.

    For consequences that must be true together with the change or not at all (a
    notification for a reply): they are written atomically with it. Idempotent.
    """
    if handler not in _in_transaction[type_]:
        _in_transaction[type_].append(handler)


def _before_commit(session: Session) -> None:
    done = session.info.setdefault(PENDING + ".done", 0)
    pending = session.info.get(PENDING, [])
    # handlers may record new events; each event is handled once
    while done < len(pending):
        ev = pending[done]
        done += 1
        for handler in [*_in_transaction[ev.type], *_in_transaction["*"]]:
            handler(session, ev)
    session.info[PENDING + ".done"] = done
    if done:
        session.flush()


def unsubscribe(type_: str, handler: Handler) -> None:
    if handler in _subscribers[type_]:
        _subscribers[type_].remove(handler)


def _publish(session: Session) -> None:
    session.info.pop(PENDING + ".done", None)
    pending = session.info.pop(PENDING, [])
    for ev in pending:
        for handler in [*_subscribers[ev.type], *_subscribers["*"]]:
            try:
                handler(ev)
            except Exception:  # a subscriber must never undo a committed change
                log.exception("event handler %r failed for %s", handler, ev.type)


def _discard(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(PENDING + ".done", None)


def init_app(app: Flask) -> None:  # noqa: ARG001 - kept for the factory's step list
    if not event.contains(Session, "after_commit", _publish):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _publish)
        event.listen(Session, "after_rollback", _discard)
