"""In-app notifications and each person's notification settings (kinds turned off, digest).

A notification points at what it is about (a post, a sheet) rather than copying its text,
so a page of them is one joined query and an edited title shows its current wording.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.communities.models import Call
from forum.extensions import db
from forum.fichas.models import Ficha
from forum.spaces.models import Post, Space


def utcnow() -> datetime:
    """Naive UTC, like every other timestamp in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


class NotificationKind(enum.StrEnum):
    REPLY = "reply"  # someone replied to my post
    ANSWER = "answer"  # a speaker answered my question (or marked it answered)
    POSITION_REPLY = "position_reply"  # someone replied to my position at a debate table
    MENTION = "mention"  # someone wrote @me
    HELPED = "helped"  # my reply to a dilemma was marked as one that helped
    DILEMMA_RESOLVED = "dilemma_resolved"  # a facilitator marked my dilemma resolved
    FOLLOWUP_DUE = "followup_due"  # time to tell the workshop whether it worked
    SHEET_EDITED = "sheet_edited"  # someone saved a sheet I own or co-edit
    MODERATION = "moderation"  # a facilitator hid, restored, approved or dismissed my post
    JURY = "jury"  # I was put on a contest's jury, or its jury opened for scoring


class Notification(db.Model):
    """One thing one person should hear about. `detail` qualifies the kind where one kind
    covers several actions (moderation: hidden, restored, approved, dismissed)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(20), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    ficha_id: Mapped[int | None] = mapped_column(
        ForeignKey("fichas.id", ondelete="CASCADE"), index=True
    )
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    # a notice about a call (a contest's jury): neither a post nor a sheet
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    # lazy="raise": list pages must say what they load, so the query count cannot creep up
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise")
    post: Mapped[Post | None] = relationship(lazy="raise")
    ficha: Mapped[Ficha | None] = relationship(lazy="raise")
    space: Mapped[Space | None] = relationship(lazy="raise")
    call: Mapped[Call | None] = relationship(lazy="raise")

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationSettings(db.Model):
    """One row per person who changed anything; no row means the defaults (every kind in
    the app, no e-mail digest). Kinds are stored as the list turned *off*, so a kind added
    later reaches everyone until they decide otherwise."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    disabled: Mapped[list[str]] = mapped_column(JSON, default=list)
    digest: Mapped[bool] = mapped_column(default=False, index=True)
    last_digest_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise")

    def wants(self, kind: str) -> bool:
        return kind not in (self.disabled or [])
