"""What space pages show, loaded in a fixed number of queries whatever the number of posts."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import Session, selectinload

from forum.accounts.models import User
from forum.core import permissions
from forum.spaces.kinds import PostKind, PostStatus, SpaceKind, SpaceState
from forum.spaces.models import Citation, Post, Space, Support


@dataclass
class SpaceSummary:
    space: Space
    roots: int = 0
    stances: Counter = field(default_factory=Counter)
    open_dilemmas: int = 0
    resolved_dilemmas: int = 0


def list_spaces(session: Session, person: User | None, *, kind: str = "",
                community_id: int | None = None, archived: bool = False) -> list[SpaceSummary]:
    """Spaces with what matters for their kind, in two queries."""
    query = permissions.visible_spaces(select(Space), person).options(
        selectinload(Space.speakers))
    if kind:
        query = query.where(Space.kind == kind)
    if community_id:
        query = query.where(Space.community_id == community_id)
    states = [SpaceState.ARCHIVED.value] if archived else [SpaceState.OPEN.value,
                                                           SpaceState.CLOSED.value,
                                                           SpaceState.DRAFT.value]
    spaces = session.scalars(query.where(Space.state.in_(states))
                             .order_by(Space.state.desc(), Space.updated_at.desc())).all()
    summaries = {s.id: SpaceSummary(s) for s in spaces}
    if not summaries:
        return []
    rows = session.execute(
        select(Post.space_id, Post.stance, Post.resolved, func.count())
        .where(Post.space_id.in_(summaries), Post.parent_id.is_(None),
               Post.status == PostStatus.VISIBLE.value)
        .group_by(Post.space_id, Post.stance, Post.resolved)
    ).all()
    for space_id, stance, resolved, n in rows:
        summary = summaries[space_id]
        summary.roots += n
        if stance:
            summary.stances[stance] += n
        if summary.space.kind == SpaceKind.WORKSHOP:
            if resolved:
                summary.resolved_dilemmas += n
            else:
                summary.open_dilemmas += n
    return list(summaries.values())


@dataclass
class Thread:
    root: Post
    replies: list[Post]  # in display order (depth-first, oldest first; helped first on top)


def _tree(root: Post, replies: list[Post], helped_first: bool) -> list[Post]:
    children: dict[int, list[Post]] = defaultdict(list)
    for r in replies:
        children[r.parent_id].append(r)
    ordered: list[Post] = []

    def walk(parent_id: int) -> None:
        kids = children.get(parent_id, [])
        if helped_first and parent_id == root.id:
            kids = sorted(kids, key=lambda p: not p.helped)
        for kid in kids:
            ordered.append(kid)
            walk(kid.id)

    walk(root.id)
    return ordered


ROOTS_PER_PAGE = 30  # pages stay light on slow links; the rest is one "next" away


def threads(session: Session, person: User | None, space: Space, *, sort: str = "time",
            root_id: int | None = None, page: int = 1,
            per_page: int = ROOTS_PER_PAGE) -> list[Thread]:
    """One page of roots (or one root) with their replies: two queries whatever the count.

    One root more than the page is loaded to know whether a next page exists; it is dropped
    from the result and signalled by `has_more(result)`."""
    query = permissions.visible_posts(
        select(Post).where(Post.space_id == space.id, Post.parent_id.is_(None)), person)
    if root_id:
        query = query.where(Post.id == root_id)
    order: list[Any] = [Post.pinned.desc()]
    if sort == "support":
        order.append(Post.support_count.desc())
    elif sort == "activity":
        order.append(Post.last_activity_at.desc())
    roots = list(session.scalars(query.order_by(*order, Post.created_at.desc(), Post.id.desc())
                                 .limit(per_page + 1).offset((max(page, 1) - 1) * per_page)))
    more = len(roots) > per_page
    roots = roots[:per_page]
    if not roots:
        return ThreadList([], more=False)
    replies = session.scalars(permissions.visible_posts(
        select(Post).where(Post.root_id.in_([r.id for r in roots]), Post.parent_id.is_not(None)),
        person).order_by(Post.created_at, Post.id)).all()
    by_root: dict[int, list[Post]] = defaultdict(list)
    for r in replies:
        by_root[r.root_id].append(r)
    helped_first = space.kind == SpaceKind.WORKSHOP
    return ThreadList([Thread(root, _tree(root, by_root[root.id], helped_first))
                       for root in roots], more=more)


class ThreadList(list):
    """A page of threads that knows whether another page follows."""

    def __init__(self, items: list[Thread], *, more: bool) -> None:
        super().__init__(items)
        self.more = more


def stance_counts(session: Session, space_id: int) -> tuple[Counter, dict[str, Counter]]:
    """Visible positions per stance, overall and per author's country, in one query."""
    rows = session.execute(
        select(Post.stance, User.country, func.count()).join(User, User.id == Post.author_id)
        .where(Post.space_id == space_id, Post.kind == PostKind.POSITION.value,
               Post.status == PostStatus.VISIBLE.value)
        .group_by(Post.stance, User.country)).all()
    total: Counter = Counter()
    by_country: dict[str, Counter] = defaultdict(Counter)
    for stance, country, n in rows:
        total[stance] += n
        by_country[country or "--"][stance] += n
    return total, dict(sorted(by_country.items()))


@dataclass(frozen=True)
class Participation:
    """What a person has of their own in a space, read in one query."""

    plain: bool  # logged in, no facilitator or speaker, no post and no support here
    position_id: int | None  # their position at a debate table, if any


def has_own_things(space_id: Any, person_id: Any) -> ColumnElement[bool]:
    """SQL: the person has a post or a support in the space (their page is their own)."""
    own_post = select(Post.id).where(Post.space_id == space_id, Post.author_id == person_id)
    own_support = (select(Support.id).join(Post, Post.id == Support.post_id)
                   .where(Post.space_id == space_id, Support.user_id == person_id))
    return own_post.exists() | own_support.exists()


def position_of(space_id: Any, person_id: Any) -> ScalarSelect:
    """SQL: the id of the person's (not deleted) position in the space, or NULL."""
    return (select(Post.id).where(
        Post.space_id == space_id, Post.kind == PostKind.POSITION.value,
        Post.author_id == person_id, Post.status != PostStatus.DELETED.value)
        .limit(1).scalar_subquery())


def participation(session: Session, person: User | None, space: Space) -> Participation:
    """Plain participants all see the same list, which can then be rendered once."""
    if not permissions.is_member(person):
        return Participation(False, None)
    row = session.execute(select(has_own_things(space.id, person.id),
                                 position_of(space.id, person.id))).one()
    plain = not row[0] and not permissions.can_answer(person, space)
    return Participation(plain, row[1])


def my_supports(session: Session, person: User | None, space_id: int) -> set[int]:
    if not permissions.is_member(person):
        return set()
    return set(session.scalars(select(Support.post_id).join(Post, Post.id == Support.post_id)
                               .where(Post.space_id == space_id, Support.user_id == person.id)))


def moderation_counts(session: Session, space_id: int) -> dict[str, int]:
    """How many questions are held or were dismissed: the page says so openly."""
    rows = session.execute(select(Post.status, func.count()).where(
        Post.space_id == space_id, Post.parent_id.is_(None),
        Post.status.in_([PostStatus.HELD.value, PostStatus.DISMISSED.value]))
        .group_by(Post.status)).all()
    return {status: n for status, n in rows}


def innovations_citing(session: Session, ficha_id: int) -> int:
    """How many visible innovations took up this sheet's lessons."""
    return session.scalar(select(func.count(func.distinct(Citation.post_id)))
                          .join(Post, Post.id == Citation.post_id)
                          .where(Citation.ficha_id == ficha_id,
                                 Post.status == PostStatus.VISIBLE.value)) or 0


