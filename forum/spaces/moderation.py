"""Facilitation and moderation use cases: flags, the review queue, hiding, pinning, locking,
moving threads, held posts, and the audit log that records every one of those actions.

Each use case takes the session and the acting person, raises forum.core.errors, writes
one AuditEntry and records one domain event in the caller's transaction; none commits.
State transitions (hide, restore, approve, dismiss, keep) refuse with Conflict when the
post is no longer in the state the facilitator saw, because another facilitator probably
acted first; toggles (pin, lock) already in the wanted state change and record nothing,
so a double-submitted form is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from forum.accounts.models import User
from forum.core import events, permissions
from forum.core.errors import Conflict, Invalid, NotAllowed, NotFound
from forum.fichas.queries import Page
from forum.spaces.kinds import KINDS, PostStatus, SpaceKind
from forum.spaces.models import AuditEntry, Flag, Post, Space

FLAG_REASON_MIN, FLAG_REASON_MAX = 3, 500
MODERATION_REASON_MAX = 300  # Post.moderation_reason is String(300)
AUDIT_PAGE_SIZE = 50
QUEUE_LIMIT = 200

ACTIONS = {
    "hide": _l("Hidden"),
    "restore": _l("Restored"),
    "lock": _l("Thread locked"),
    "unlock": _l("Thread unlocked"),
    "pin": _l("Pinned"),
    "unpin": _l("Unpinned"),
    "move": _l("Thread moved"),
    "approve": _l("Held post approved"),
    "dismiss": _l("Held post dismissed"),
    "dismiss_flags": _l("Flags dismissed, post kept"),
}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _require_moderator(actor: User | None) -> None:
    if not permissions.can_moderate(actor):
        raise NotAllowed(_l("Only facilitators moderate posts."))


def _get_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(_l("This post does not exist."))
    return post


def _get_root(session: Session, post_id: int) -> Post:
    """Threads are locked and moved as a whole, so only their opening post is accepted."""
    post = _get_post(session, post_id)
    if not post.is_root:
        raise Invalid({"post": _l("This is a reply: act on the opening post of its thread.")})
    return post


def _reason(raw: str | None, *, required: bool, low: int = 1, high: int) -> str:
    text = (raw or "").strip()
    if required and not text:
        raise Invalid({"reason": _l("Write a reason: the author will read it.")})
    if text and len(text) < low:
        raise Invalid({"reason": _l("At least %(n)d characters.", n=low)})
    if len(text) > high:
        raise Invalid({"reason": _l("At most %(n)d characters.", n=high)})
    return text


def _expect(post: Post, status: PostStatus, message: object) -> None:
    if post.status != status:
        raise Conflict(message, current=post)


def _audit(
    session: Session, actor: User, action: str, post: Post, reason: str = "", **data: object
) -> AuditEntry:
    entry = AuditEntry(actor_id=actor.id, action=action, post_id=post.id, space_id=post.space_id,
                       reason=reason, data=dict(data), created_at=_now())
    session.add(entry)
    return entry


def _event(session: Session, type_: str, post: Post, **extra: object) -> None:
    events.record(session, type_, post_id=post.id, space_id=post.space_id,
                  root_id=post.root_id or post.id, **extra)


def _resolve_flags(session: Session, post: Post, resolution: str) -> int:
    result = session.execute(
        update(Flag)
        .where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
        .values(resolved_at=_now(), resolution=resolution)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# --- participants -------------------------------------------------------------------------


ALREADY_FLAGGED = _l("You already flagged this post; facilitators will look at it.")


def flag_post(session: Session, actor: User, post_id: int, reason: str) -> Flag:
    """Ask facilitators to look at a post. Not an audit entry (that log is of moderation);
    one open flag per person per post, so nobody can weigh the queue by repeating."""
    if not permissions.is_member(actor):
        raise NotAllowed(_l("Log in to flag a post."))
    post = _get_post(session, post_id)
    if not (permissions.can_view_post(actor, post)
            and permissions.can_view_space(actor, post.space)):  # members-only spaces too
        raise NotFound(_l("This post does not exist."))
    _expect(post, PostStatus.VISIBLE, _l("This post is no longer shown to others."))
    text = _reason(reason, required=True, low=FLAG_REASON_MIN, high=FLAG_REASON_MAX)
    open_flag = session.scalar(select(Flag.id).where(
        Flag.post_id == post.id, Flag.user_id == actor.id, Flag.resolved_at.is_(None)))
    if open_flag is not None:
        raise Conflict(ALREADY_FLAGGED)
    flag = Flag(post_id=post.id, user_id=actor.id, reason=text, created_at=_now())
    session.add(flag)
    try:
        session.flush()
    except IntegrityError:  # flagged from another tab a moment ago (uq_flags_open)
        session.rollback()
        raise Conflict(ALREADY_FLAGGED) from None
    _event(session, "post.flagged", post, flag_id=flag.id)
    return flag


# --- facilitators: posts --------------------------------------------------------------------


def hide_post(session: Session, actor: User, post_id: int, reason: str) -> Post:
    """Hide a post from everyone but its author and facilitators. The reason is required
    because the author is shown it: moderation here explains itself."""
    _require_moderator(actor)
    post = _get_post(session, post_id)
    text = _reason(reason, required=True, high=MODERATION_REASON_MAX)
    _expect(post, PostStatus.VISIBLE, _l("Only a visible post can be hidden."))
    post.status = PostStatus.HIDDEN.value
    post.moderation_reason = text
    flags = _resolve_flags(session, post, "hidden")
    _audit(session, actor, "hide", post, text, flags=flags)
    _event(session, "post.hidden", post)
    return post


def restore_post(session: Session, actor: User, post_id: int, reason: str = "") -> Post:
    """Show a hidden post again; the earlier reason stays in the audit log, not on the post."""
    _require_moderator(actor)
    post = _get_post(session, post_id)
    text = _reason(reason, required=False, high=MODERATION_REASON_MAX)
    _expect(post, PostStatus.HIDDEN, _l("Only a hidden post can be restored."))
    post.status = PostStatus.VISIBLE.value
    post.moderation_reason = ""
    _audit(session, actor, "restore", post, text)
    _event(session, "post.restored", post)
    return post


def approve_held(session: Session, actor: User, post_id: int) -> Post:
    """Publish a post that waited for review (held questions, new accounts' first posts)."""
    _require_moderator(actor)
    post = _get_post(session, post_id)
    _expect(post, PostStatus.HELD, _l("This post is not waiting for review any more."))
    post.status = PostStatus.VISIBLE.value
    _audit(session, actor, "approve", post)
    _event(session, "post.approved", post)
    return post


def dismiss_held(session: Session, actor: User, post_id: int, reason: str = "") -> Post:
    """Decide not to show a held post; it is kept (the page counts dismissed questions)."""
    _require_moderator(actor)
    post = _get_post(session, post_id)
    text = _reason(reason, required=False, high=MODERATION_REASON_MAX)
    _expect(post, PostStatus.HELD, _l("This post is not waiting for review any more."))
    post.status = PostStatus.DISMISSED.value
    post.moderation_reason = text
    _audit(session, actor, "dismiss", post, text)
    _event(session, "post.dismissed", post)
    return post


def dismiss_flags(session: Session, actor: User, post_id: int) -> Post:
    """Keep a flagged post as it is: its open flags leave the queue, resolved as "kept"."""
    _require_moderator(actor)
    post = _get_post(session, post_id)
    count = _resolve_flags(session, post, "kept")
    if not count:
        raise Conflict(_l("This post has no open flags: someone reviewed them already."))
    _audit(session, actor, "dismiss_flags", post, flags=count)
    _event(session, "post.flags_dismissed", post)
    return post


def _toggle(session: Session, actor: User, post: Post, attr: str, value: bool,
            action: str, event: str) -> Post:
    if getattr(post, attr) == value:
        return post  # already so: nothing to record
    setattr(post, attr, value)
    _audit(session, actor, action, post)
    _event(session, event, post)
    return post


def pin_post(session: Session, actor: User, post_id: int) -> Post:
    """Pinned posts are shown first in their space or thread."""
    _require_moderator(actor)
    return _toggle(session, actor, _get_post(session, post_id), "pinned", True, "pin",
                   "post.pinned")


def unpin_post(session: Session, actor: User, post_id: int) -> Post:
    _require_moderator(actor)
    return _toggle(session, actor, _get_post(session, post_id), "pinned", False, "unpin",
                   "post.unpinned")


def lock_thread(session: Session, actor: User, root_id: int) -> Post:
    """A locked thread stays readable but takes no more replies."""
    _require_moderator(actor)
    return _toggle(session, actor, _get_root(session, root_id), "locked", True, "lock",
                   "thread.locked")


def unlock_thread(session: Session, actor: User, root_id: int) -> Post:
    _require_moderator(actor)
    return _toggle(session, actor, _get_root(session, root_id), "locked", False, "unlock",
                   "thread.unlocked")


def move_thread(session: Session, actor: User, root_id: int, space_id: int) -> Post:
    """Move a thread (its opening post and every reply) to another space of the same kind.

    Kinds differ in what their posts are (a question with supports, a position with a
    stance, a dilemma with helped replies), so a thread only fits a space of its own kind.
    """
    _require_moderator(actor)
    root = _get_root(session, root_id)
    target = session.get(Space, space_id) if space_id > 0 else None
    if target is None:
        raise Invalid({"space_id": _l("No space has this number.")})
    source = session.get(Space, root.space_id)
    if target.id == source.id:
        raise Invalid({"space_id": _l("The thread is already in this space.")})
    if target.kind != source.kind:
        raise Invalid({"space_id": _l(
            "A thread cannot move from “%(src)s” to “%(dst)s”: each kind of space has its own "
            "kind of post (a question is not a position), so it would not fit there. Choose a "
            "space of the same kind.",
            src=KINDS[SpaceKind(source.kind)].label, dst=KINDS[SpaceKind(target.kind)].label)})
    moved = session.execute(
        update(Post)
        .where(or_(Post.id == root.id, Post.root_id == root.id))
        .values(space_id=target.id)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    _audit(session, actor, "move", root, **{"from": source.id, "to": target.id, "posts": moved})
    _event(session, "thread.moved", root, from_space_id=source.id)
    return root


# --- facilitators: reading ------------------------------------------------------------------


@dataclass
class FlaggedPost:
    """A post in the review queue with its open flags (reasons oldest first)."""

    post: Post
    reasons: list[tuple[str, str]]  # (flagger's name, reason)
    first_flagged_at: datetime

    @property
    def count(self) -> int:
        return len(self.reasons)


@dataclass
class ReviewQueue:
    flagged: list[FlaggedPost] = field(default_factory=list)
    held: list[Post] = field(default_factory=list)


def review_queue(session: Session, actor: User, *, limit: int = QUEUE_LIMIT) -> ReviewQueue:
    """Open flags grouped by post, and held posts, oldest first so nothing waits forever.
    Three queries whatever the number of flags or posts."""
    _require_moderator(actor)
    rows = session.execute(
        select(Flag.post_id, Flag.reason, Flag.created_at, User.display_name)
        .join(User, User.id == Flag.user_id)
        .where(Flag.resolved_at.is_(None))
        .order_by(Flag.created_at, Flag.id)
    ).all()
    reasons: dict[int, list[tuple[str, str]]] = {}
    first: dict[int, datetime] = {}
    for row in rows:
        if row.post_id in reasons or len(reasons) < limit:
            reasons.setdefault(row.post_id, []).append((row.display_name, row.reason))
            first.setdefault(row.post_id, row.created_at)
    with_space = joinedload(Post.space)
    posts = {p.id: p for p in session.scalars(
        select(Post).options(with_space).where(Post.id.in_(list(reasons))))} if reasons else {}
    held = session.scalars(
        select(Post).options(with_space).where(Post.status == PostStatus.HELD.value)
        .order_by(Post.created_at, Post.id).limit(limit)
    ).all()
    flagged = [FlaggedPost(posts[pid], reasons[pid], first[pid]) for pid in reasons
               if pid in posts]
    return ReviewQueue(flagged, list(held))


def _range(since: date | datetime | None, until: date | datetime | None) -> list:
    """A date `until` includes that whole day, as people read a date range."""
    where = []
    if since is not None:
        start = since if isinstance(since, datetime) else datetime.combine(since, time.min)
        where.append(AuditEntry.created_at >= start)
    if isinstance(until, datetime):
        where.append(AuditEntry.created_at <= until)
    elif until is not None:
        where.append(AuditEntry.created_at < datetime.combine(until + timedelta(days=1), time.min))
    return where


def audit_log(
    session: Session,
    actor: User,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    page: int = 1,
    per_page: int = AUDIT_PAGE_SIZE,
) -> Page[AuditEntry]:
    """Newest first, so a facilitator sees what colleagues just did; two queries a page."""
    _require_moderator(actor)
    where = _range(since, until)
    if action:
        where.append(AuditEntry.action == action)
    if actor_id:
        where.append(AuditEntry.actor_id == actor_id)
    total = session.scalar(select(func.count(AuditEntry.id)).where(*where)) or 0
    page = max(1, page)
    items = session.scalars(
        select(AuditEntry).where(*where)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page(items=items, total=total, page=page, per_page=per_page)


def audit_actors(session: Session, actor: User) -> list[User]:
    """The people who appear in the log, for the log's filter."""
    _require_moderator(actor)
    ids = select(AuditEntry.actor_id).distinct()
    return list(session.scalars(
        select(User).where(User.id.in_(ids)).order_by(User.display_name)
    ))
