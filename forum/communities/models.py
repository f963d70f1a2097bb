"""Communities of practice and their members; calls for experiences and what they gathered."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.core.slugs import slugify
from forum.extensions import db


class Community(db.Model):
    """A group around a theme; its spaces can be limited to its members."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    theme: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="community", cascade="all, delete-orphan"
    )

    @property
    def slug(self) -> str:
        """The words of its readable URL (see core.slugs)."""
        return slugify(self.name)


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(server_default=func.now())

    community: Mapped[Community] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class CallState(enum.StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class Call(db.Model):
    """A call for experiences (convocatoria): a window during which sheets are gathered
    around some themes. Times are naive UTC; pages show them in the viewer's zone."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    instructions_html: Mapped[str] = mapped_column(Text, default="")
    # A handful of codes from vocab.THEMES, shown but never filtered on: a JSON list is enough.
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    opens_at: Mapped[datetime] = mapped_column(index=True)
    closes_at: Mapped[datetime] = mapped_column(index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    created_by: Mapped[User] = relationship()

    def state_at(self, now: datetime) -> CallState:
        """Where `now` falls: the window includes opens_at and excludes closes_at."""
        if now < self.opens_at:
            return CallState.UPCOMING
        return CallState.OPEN if now < self.closes_at else CallState.CLOSED


class CallSubmission(db.Model):
    """One sheet sent to one call, once."""

    __tablename__ = "call_submissions"
    __table_args__ = (UniqueConstraint("call_id", "ficha_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    ficha_id: Mapped[int] = mapped_column(ForeignKey("fichas.id", ondelete="CASCADE"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(server_default=func.now())
