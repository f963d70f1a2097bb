"""Spaces, their posts (questions, positions, contributions, innovations, dilemmas, replies),
supports, edit history, flags and the moderation audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.communities.models import Community
from forum.core.slugs import slugify
from forum.extensions import db
from forum.fichas.models import Ficha, StoredFile
from forum.spaces.kinds import KINDS, KindRules, PostStatus, SpaceKind, SpaceState

space_speakers = Table(
    "space_speakers",
    db.metadata,
    Column("space_id", ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

space_themes = Table(
    "space_themes",
    db.metadata,
    Column("space_id", ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(40), primary_key=True),
)


class Space(db.Model):
    """A dialogue or collaborative space of one of the five kinds."""

    __tablename__ = "spaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    framing: Mapped[str] = mapped_column(Text, default="")
    framing_html: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")  # conference: for slow links
    summary_html: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(20), default=SpaceState.OPEN.value, index=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    members_only: Mapped[bool] = mapped_column(default=False)
    hold_questions: Mapped[bool] = mapped_column(default=False)
    starts_at: Mapped[datetime | None]  # conference window, UTC
    ends_at: Mapped[datetime | None]
    synthesis: Mapped[str] = mapped_column(Text, default="")
    synthesis_html: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Bumped in the same transaction as anything that changes what the page shows
    # (see services.bump_revision): the key of the visitors' page cache.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # the newest live event about the space (forum.live.journal): pages carry it, so a
    # browser that opens one asks the live layer for what happened after it was rendered
    last_event_id: Mapped[int | None]

    community: Mapped[Community | None] = relationship()
    speakers: Mapped[list[User]] = relationship(
        secondary=space_speakers, order_by=User.display_name
    )
    files: Mapped[list[SpaceFile]] = relationship(order_by="SpaceFile.id",
                                                  cascade="all, delete-orphan")

    @property
    def slug(self) -> str:
        """The words of its readable URL (see core.slugs)."""
        return slugify(self.title)

    @property
    def rules(self) -> KindRules:
        return KINDS[SpaceKind(self.kind)]

    @property
    def is_open(self) -> bool:
        return self.state == SpaceState.OPEN


class Post(db.Model):
    """Every item people write in a space. `root_id` is the thread (the opening post);
    `parent_id` the post it answers. Markdown is stored with its sanitised HTML."""

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_space_kind_status", "space_id", "kind", "status"),
        Index("ix_posts_root_created", "root_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    root_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    depth: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fields_html: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stance: Mapped[str] = mapped_column(String(10), default="")
    ficha_id: Mapped[int | None] = mapped_column(ForeignKey("fichas.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default=PostStatus.VISIBLE.value)
    moderation_reason: Mapped[str] = mapped_column(String(300), default="")
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    answered: Mapped[bool] = mapped_column(default=False)  # questions
    helped: Mapped[bool] = mapped_column(default=False)  # workshop replies
    resolved: Mapped[bool] = mapped_column(default=False)  # dilemmas
    will_try: Mapped[str] = mapped_column(Text, default="")
    will_try_html: Mapped[str] = mapped_column(Text, default="")
    followup_due: Mapped[datetime | None]
    followup: Mapped[str] = mapped_column(Text, default="")  # did it work?
    followup_html: Mapped[str] = mapped_column(Text, default="")
    support_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    edited_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime] = mapped_column(server_default=func.now())

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    space: Mapped[Space] = relationship()
    ficha: Mapped[Ficha | None] = relationship()

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def shown(self) -> bool:
        return self.status == PostStatus.VISIBLE


class PostRevision(db.Model):
    """An earlier version of a post, kept when it is edited (positions, comments...)."""

    __tablename__ = "post_revisions"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    number: Mapped[int]
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(300), default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    editor: Mapped[User] = relationship(lazy="joined")


class Support(db.Model):
    """One person supports one question once (withdrawable)."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Citation(db.Model):
    """An innovation names the lessons that led to it: a sheet's, or a debate's synthesis."""

    __tablename__ = "citations"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    ficha_id: Mapped[int | None] = mapped_column(
        ForeignKey("fichas.id", ondelete="CASCADE"), index=True
    )
    space_id: Mapped[int | None] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )

    ficha: Mapped[Ficha | None] = relationship()
    space: Mapped[Space | None] = relationship()


class Flag(db.Model):
    """A participant asks facilitators to look at a post."""

    __tablename__ = "flags"
    # one open flag per person per post, even from two tabs at once (see flag_post)
    __table_args__ = (Index("uq_flags_open", "post_id", "user_id", unique=True,
                            sqlite_where=text("resolved_at IS NULL"),
                            postgresql_where=text("resolved_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str] = mapped_column(String(20), default="")

    post: Mapped[Post] = relationship()
    user: Mapped[User] = relationship()


class AuditEntry(db.Model):
    """Every moderation action, readable and filterable by facilitators."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(30), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)

    actor: Mapped[User] = relationship(lazy="joined")


class SpaceFile(StoredFile, db.Model):
    """Slides or documents of a space (a conference's presentation), served as downloads."""

    __tablename__ = "space_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
