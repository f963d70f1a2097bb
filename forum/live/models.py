"""The journal of live events: what a client that dropped off missed, kept in the database.

One row per change people may watch (a comment, a support, a hide, a sheet revision),
written in the same transaction as the change, so its id orders events as they committed
and a reconnecting client asks "everything after N" and gets exactly what it missed. A row
holds only which post, thread, space or sheet changed: what people see is rendered from the
current state when the event is delivered, so a late delivery never shows a stale state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db

# SQLite gives an increasing id only to INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT
EVENT_ID = BigInteger().with_variant(Integer(), "sqlite")


class LiveEvent(db.Model):
    __tablename__ = "live_events"
    __table_args__ = (
        Index("ix_live_events_space", "space_id", "id"),
        Index("ix_live_events_root", "root_id", "id"),
        Index("ix_live_events_ficha", "ficha_id", "id"),
    )

    id: Mapped[int] = mapped_column(EVENT_ID, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(40))
    # no foreign keys: the journal outlives what it tells of (a deleted sheet's last event)
    space_id: Mapped[int | None]
    root_id: Mapped[int | None]
    post_id: Mapped[int | None]
    ficha_id: Mapped[int | None]
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    def rooms(self) -> list[tuple[str, int]]:
        """The rooms (kind, id) whose pages show what this event changed."""
        found = [("space", self.space_id), ("thread", self.root_id), ("ficha", self.ficha_id)]
        return [(kind, id_) for kind, id_ in found if id_]
