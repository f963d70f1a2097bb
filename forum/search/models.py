"""Search tables: the pending queue (index repair), the words people may mean, and the
PostgreSQL backend's documents.

`search_pending` is written in the same transaction as the change it describes, so a
change can never be committed without the note that the index must follow it; the row is
deleted only once the index has it. `search_documents` is the PostgreSQL backend's index
(a tsvector with a GIN index there); on SQLite it exists but stays empty.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text, func
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db

TSV = TSVECTOR().with_variant(Text(), "sqlite")


class PendingIndex(db.Model):
    """Something whose search document must be (re)written or removed."""

    __tablename__ = "search_pending"

    id: Mapped[int] = mapped_column(primary_key=True)
    # ficha | space | space_posts | post | thread | guide | person
    kind: Mapped[str] = mapped_column(String(12))
    ref_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")


class SearchWord(db.Model):
    """A word as written (folded) and its index term: where "did you mean" looks.

    The index holds stems ("cooper"), which are too short to compare with a misspelling
    ("cooperasion"); words are compared, then their term is checked against what the
    person may read, so a word that only occurs in hidden content is never suggested.
    """

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(String(40), primary_key=True)
    term: Mapped[str] = mapped_column(String(40))


class SearchDocument(db.Model):
    """One searchable document of the PostgreSQL backend."""

    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_documents_kind_date", "kind", "date"),
    )

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(300), default="")
    parts: Mapped[list] = mapped_column(JSON, default=list)
    date: Mapped[datetime] = mapped_column(index=True)
    space_id: Mapped[int | None] = mapped_column(index=True)
    space_kind: Mapped[str] = mapped_column(String(20), default="")
    space_title: Mapped[str] = mapped_column(String(200), default="")
    root_id: Mapped[int | None] = mapped_column(index=True)
    author_id: Mapped[int | None] = mapped_column(index=True)
    author_name: Mapped[str] = mapped_column(String(80), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    themes: Mapped[str] = mapped_column(String(600), default="")  # " code code "
    actors: Mapped[str] = mapped_column(String(600), default="")
    status: Mapped[str] = mapped_column(String(20), default="")
    modality: Mapped[str] = mapped_column(String(20), default="")
    visibility: Mapped[str] = mapped_column(String(12), default="visible")
    stamp: Mapped[str] = mapped_column(String(16), default="")
    tsv: Mapped[str | None] = mapped_column(TSV)
