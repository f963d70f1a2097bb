"""Experience sheets, their revisions, co-editors, classification tags and attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.core.slugs import slugify
from forum.extensions import db
from forum.fichas.schema import MARKDOWN_FIELDS, MULTI_FIELDS

ficha_editors = Table(
    "ficha_editors",
    db.metadata,
    Column("ficha_id", ForeignKey("fichas.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Ficha(db.Model):
    """One territorial-development experience. Markdown is stored with its safe HTML."""

    __tablename__ = "fichas"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    country: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str] = mapped_column(String(120), default="")
    municipality: Mapped[str] = mapped_column(String(120), default="")
    communities: Mapped[str] = mapped_column(String(500), default="")
    start_year: Mapped[int | None]
    end_year: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), index=True)
    modality: Mapped[str] = mapped_column(String(20), default="none", index=True)

    problem: Mapped[str] = mapped_column(Text, default="")
    problem_html: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    objectives_html: Mapped[str] = mapped_column(Text, default="")
    strategy: Mapped[str] = mapped_column(Text, default="")
    strategy_html: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    results_html: Mapped[str] = mapped_column(Text, default="")
    benefits: Mapped[str] = mapped_column(Text, default="")
    benefits_html: Mapped[str] = mapped_column(Text, default="")
    keys: Mapped[str] = mapped_column(Text, default="")
    keys_html: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    lessons_html: Mapped[str] = mapped_column(Text, default="")
    sustainability: Mapped[str] = mapped_column(Text, default="")
    sustainability_html: Mapped[str] = mapped_column(Text, default="")
    contacts: Mapped[str] = mapped_column(Text, default="")
    contacts_html: Mapped[str] = mapped_column(Text, default="")

    # 0-100, recomputed on every save; lets lists sort and filter by what is missing.
    completeness: Mapped[int] = mapped_column(default=0, index=True)
    lessons_missing: Mapped[bool] = mapped_column(default=True, index=True)
    version: Mapped[int] = mapped_column(default=1)
    # Bumped when something other packages show beside the sheet changes (an award, a guide
    # recommended): the page caches follow it without a new version of the sheet.
    extras_rev: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)

    owner: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    editors: Mapped[list[User]] = relationship(secondary=ficha_editors, order_by=User.display_name)
    tags: Mapped[list[FichaTag]] = relationship(
        cascade="all, delete-orphan", order_by="FichaTag.id", back_populates="ficha"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.id", back_populates="ficha", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[FichaRevision]] = relationship(
        order_by="FichaRevision.number",
        back_populates="ficha",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )

    # The UPDATE says "WHERE version = <the one loaded>": two saves racing cannot both win.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    def codes(self, kind: str) -> list[str]:
        return [t.code for t in self.tags if t.kind == kind]

    @property
    def slug(self) -> str:
        """The words of its readable URL (see core.slugs)."""
        return slugify(self.title)

    @property
    def editor_ids(self) -> frozenset[int]:
        return frozenset(e.id for e in self.editors)

    @property
    def themes(self) -> list[str]:
        return self.codes("themes")

    @property
    def actors(self) -> list[str]:
        return self.codes("actors")

    def values(self) -> dict[str, Any]:
        """Every schema field as it is now: the snapshot stored in revisions."""
        data: dict[str, Any] = {
            name: getattr(self, name)
            for name in (
                "title",
                "summary",
                "country",
                "region",
                "municipality",
                "communities",
                "start_year",
                "end_year",
                "status",
                "modality",
                *MARKDOWN_FIELDS,
            )
        }
        for kind in MULTI_FIELDS:
            data[kind] = self.codes(kind)
        return data

    def html(self, name: str) -> str:
        return getattr(self, f"{name}_html")


class FichaTag(db.Model):
    """One classification code (theme, actor, area, dimension) of a sheet; filterable in SQL."""

    __tablename__ = "ficha_tags"
    __table_args__ = (
        UniqueConstraint("ficha_id", "kind", "code"),
        Index("ix_ficha_tags_kind_code", "kind", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ficha_id: Mapped[int] = mapped_column(ForeignKey("fichas.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40))

    ficha: Mapped[Ficha] = relationship(back_populates="tags")


class FichaRevision(db.Model):
    """A full snapshot taken at each save: history, diff and revert read only these."""

    __tablename__ = "ficha_revisions"
    __table_args__ = (UniqueConstraint("ficha_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ficha_id: Mapped[int] = mapped_column(ForeignKey("fichas.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(String(300), default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    ficha: Mapped[Ficha] = relationship(back_populates="revisions")
    author: Mapped[User] = relationship(lazy="joined")


class StoredFile:
    """Columns of an uploaded file kept under a generated name (sheets' and spaces' files)."""

    display_name: Mapped[str] = mapped_column(String(160))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    mime: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Attachment(StoredFile, db.Model):
    """A file attached to a sheet; stored under a generated name, served as a download."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ficha_id: Mapped[int] = mapped_column(ForeignKey("fichas.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    ficha: Mapped[Ficha] = relationship(back_populates="attachments")
