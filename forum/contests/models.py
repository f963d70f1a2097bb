"""A best-practice contest run on a call for experiences: categories, a rubric of
dimensions, a jury, the entries (sheets sent to the call, placed in a category), the
jurors' scores and the awards."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.communities.models import Call
from forum.extensions import db


class ContestState(enum.StrEnum):
    """draft → jury open (scoring) → jury closed (deliberation) → published."""

    DRAFT = "draft"
    JURY_OPEN = "jury_open"
    JURY_CLOSED = "jury_closed"
    PUBLISHED = "published"


class AwardKind(enum.StrEnum):
    FIRST = "first"
    SECOND = "second"
    MENTION = "mention"


class Contest(db.Model):
    """At most one per call: the call gathers the sheets, the contest judges them."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=ContestState.DRAFT.value)
    score_min: Mapped[int] = mapped_column(default=1)
    score_max: Mapped[int] = mapped_column(default=5)
    mentions_max: Mapped[int] = mapped_column(default=2)  # honourable mentions per category
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(default=None)

    call: Mapped[Call] = relationship()
    categories: Mapped[list[ContestCategory]] = relationship(
        order_by="ContestCategory.position", cascade="all, delete-orphan",
        back_populates="contest")
    dimensions: Mapped[list[ContestDimension]] = relationship(
        order_by="ContestDimension.position", cascade="all, delete-orphan",
        back_populates="contest")

    @property
    def scale(self) -> range:
        return range(self.score_min, self.score_max + 1)


class ContestCategory(db.Model):
    __tablename__ = "contest_categories"
    __table_args__ = (UniqueConstraint("contest_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    contest: Mapped[Contest] = relationship(back_populates="categories")


class ContestDimension(db.Model):
    """One line of the rubric; every juror scores every dimension of a sheet."""

    __tablename__ = "contest_dimensions"
    __table_args__ = (UniqueConstraint("contest_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    guidance: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)

    contest: Mapped[Contest] = relationship(back_populates="dimensions")


# A juror with no rows here evaluates every category.
juror_categories = Table(
    "contest_juror_categories",
    db.metadata,
    Column("juror_id", ForeignKey("contest_jurors.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("contest_categories.id", ondelete="CASCADE"),
           primary_key=True),
)


class Juror(db.Model):
    __tablename__ = "contest_jurors"
    __table_args__ = (UniqueConstraint("contest_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(server_default=func.now())

    user: Mapped[User] = relationship()
    categories: Mapped[list[ContestCategory]] = relationship(
        secondary=juror_categories, order_by=ContestCategory.position)

    @property
    def category_ids(self) -> frozenset[int]:
        return frozenset(c.id for c in self.categories)


class Entry(db.Model):
    """A sheet sent to the contest's call, placed in a category. It goes with the call's
    submission: a sheet withdrawn from the call leaves the contest with its scores."""

    __tablename__ = "contest_entries"
    __table_args__ = (UniqueConstraint("contest_id", "ficha_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("call_submissions.id", ondelete="CASCADE"), unique=True)
    ficha_id: Mapped[int] = mapped_column(ForeignKey("fichas.id", ondelete="CASCADE"),
                                          index=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("contest_categories.id", ondelete="SET NULL"), index=True)
    # Set by facilitators to order sheets whose totals tie (1 first); None otherwise.
    tie_order: Mapped[int | None] = mapped_column(default=None)


class Score(db.Model):
    """One juror's score of one dimension of one sheet, with its reason."""

    __tablename__ = "contest_scores"
    __table_args__ = (UniqueConstraint("entry_id", "juror_id", "dimension_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"))
    juror_id: Mapped[int] = mapped_column(ForeignKey("contest_jurors.id", ondelete="CASCADE"),
                                          index=True)
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("contest_dimensions.id", ondelete="CASCADE"), index=True)
    value: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Award(db.Model):
    """First or second place (slot 0) or an honourable mention (slots 1..n) of a category;
    the constraints make a place given twice, or a sheet awarded twice, impossible."""

    __tablename__ = "contest_awards"
    __table_args__ = (UniqueConstraint("category_id", "kind", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("contest_categories.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"),
                                          unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    slot: Mapped[int] = mapped_column(default=0)
