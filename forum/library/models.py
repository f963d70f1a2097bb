"""Library items (guides and documents), their file, themes, the sheet parts they help write,
and their recommendations on sheets and spaces."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.fichas.models import StoredFile


class LibraryItem(db.Model):
    """One guide or document: exactly one source, an uploaded file or an external link."""

    __tablename__ = "library_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    authors: Mapped[str] = mapped_column(String(300), default="")  # people or organisation
    year: Mapped[int | None] = mapped_column(index=True)
    language: Mapped[str] = mapped_column(String(5), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    # "file" or "link": kept as a column so the list filters on it without a join
    source: Mapped[str] = mapped_column(String(10), index=True)
    url: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)

    file: Mapped[LibraryFile | None] = relationship(
        back_populates="item", cascade="all, delete-orphan", uselist=False, lazy="joined"
    )
    theme_rows: Mapped[list[LibraryTheme]] = relationship(
        cascade="all, delete-orphan", order_by="LibraryTheme.code"
    )
    part_rows: Mapped[list[LibraryPart]] = relationship(
        cascade="all, delete-orphan", order_by="LibraryPart.part"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Recommendation.id"
    )

    @property
    def themes(self) -> list[str]:
        return [t.code for t in self.theme_rows]

    @property
    def helps_with(self) -> list[str]:
        return [p.part for p in self.part_rows]


class LibraryFile(StoredFile, db.Model):
    """The uploaded document of an item, checked by content like sheet attachments."""

    __tablename__ = "library_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("library_items.id", ondelete="CASCADE"), unique=True
    )
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    item: Mapped[LibraryItem] = relationship(back_populates="file")


class LibraryTheme(db.Model):
    """A sheet theme code (core.vocab.THEMES) of an item."""

    __tablename__ = "library_themes"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("library_items.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class LibraryPart(db.Model):
    """A Markdown part of the sheet (fichas.schema) that this item helps to write."""

    __tablename__ = "library_parts"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("library_items.id", ondelete="CASCADE"), primary_key=True
    )
    part: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Recommendation(db.Model):
    """"To write your lessons, read this guide": an item recommended on a sheet or a space."""

    __tablename__ = "library_recommendations"
    __table_args__ = (
        UniqueConstraint("item_id", "ficha_id", name="uq_library_recommendations_ficha"),
        UniqueConstraint("item_id", "space_id", name="uq_library_recommendations_space"),
        CheckConstraint("(ficha_id IS NULL) <> (space_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("library_items.id", ondelete="CASCADE"))
    ficha_id: Mapped[int | None] = mapped_column(
        ForeignKey("fichas.id", ondelete="CASCADE"), index=True
    )
    space_id: Mapped[int | None] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    item: Mapped[LibraryItem] = relationship(back_populates="recommendations")
