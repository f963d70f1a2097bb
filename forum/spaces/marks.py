"""Marks people put on posts: supporting a question, marking it answered, saying a reply
helped, resolving a dilemma with what the author will try, and the later "did it work?"."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.core import events, permissions
from forum.core.content import render_markdown
from forum.core.errors import Conflict, Invalid, NotAllowed
from forum.spaces.kinds import PostKind, PostStatus
from forum.spaces.models import Post, Support
from forum.spaces.posting import BODY_MAX, get_post
from forum.spaces.services import now

FOLLOWUP_AFTER = timedelta(days=21)


def _question(session: Session, actor: User, post_id: int) -> Post:
    post = get_post(session, post_id, actor)
    if post.kind != PostKind.QUESTION:
        raise Invalid({"post": _l("Only conference questions are supported.")})
    return post


def support_question(session: Session, actor: User, post_id: int) -> Post:
    """One support per person; not for one's own question."""
    post = _question(session, actor, post_id)
    if not permissions.is_member(actor):
        raise NotAllowed(_l("Log in to take part."))
    if post.author_id == actor.id:
        raise NotAllowed(_l("You cannot support your own question."))
    if post.status != PostStatus.VISIBLE:
        raise NotAllowed(_l("This question is not open for support."))
    if session.scalar(select(Support.id).where(Support.post_id == post.id,
                                               Support.user_id == actor.id)):
        raise Conflict(_l("You already support this question."))
    session.add(Support(post_id=post.id, user_id=actor.id, created_at=now()))
    session.execute(update(Post).where(Post.id == post.id)
                    .values(support_count=Post.support_count + 1))
    session.flush()
    session.refresh(post, ["support_count"])
    events.record(session, "question.supported", post_id=post.id, space_id=post.space_id,
                  root_id=post.id, supports=post.support_count)
    return post


def withdraw_support(session: Session, actor: User, post_id: int) -> Post:
    post = _question(session, actor, post_id)
    gone = session.execute(delete(Support).where(Support.post_id == post.id,
                                                 Support.user_id == actor.id)).rowcount
    if not gone:
        raise Conflict(_l("You do not support this question."))
    session.execute(update(Post).where(Post.id == post.id)
                    .values(support_count=Post.support_count - 1))
    session.flush()
    session.refresh(post, ["support_count"])
    events.record(session, "question.supported", post_id=post.id, space_id=post.space_id,
                  root_id=post.id, supports=post.support_count)
    return post


def mark_answered(session: Session, actor: User, post_id: int, answered: bool = True) -> Post:
    """Speakers and facilitators close a question (also after the live window)."""
    post = _question(session, actor, post_id)
    if not permissions.can_answer(actor, post.space):
        raise NotAllowed(_l("Only the speakers and facilitators mark questions answered."))
    post.answered = answered
    events.record(session, "question.answered", post_id=post.id, space_id=post.space_id,
                  root_id=post.id, answered=answered, author_id=post.author_id,
                  actor_id=actor.id)
    return post


def _dilemma(session: Session, actor: User, post_id: int) -> Post:
    post = get_post(session, post_id, actor)
    root = post if post.is_root else session.get(Post, post.root_id)
    if root.kind != PostKind.DILEMMA:
        raise Invalid({"post": _l("Only improvement workshops have this.")})
    if not permissions.can_mark_helped(actor, root):
        raise NotAllowed(_l("Only the person who posed the dilemma, or a facilitator, does this."))
    return root


def mark_helped(session: Session, actor: User, reply_id: int, helped: bool = True) -> Post:
    post = get_post(session, reply_id, actor)
    root = _dilemma(session, actor, reply_id)
    if post.id == root.id:
        raise Invalid({"post": _l("Mark a reply, not the dilemma itself.")})
    post.helped = helped
    events.record(session, "reply.helped", post_id=post.id, space_id=post.space_id,
                  root_id=root.id, helped=helped, author_id=post.author_id, actor_id=actor.id)
    return post


def _md(text: str, key: str, required: bool = True) -> tuple[str, str]:
    text = (text or "").replace("\x00", "").strip()
    if required and not text:
        raise Invalid({key: _l("This field is required.")})
    if len(text) > BODY_MAX:
        raise Invalid({key: _l("At most %(n)d characters.", n=BODY_MAX)})
    return text, render_markdown(text) if text else ""


def resolve_dilemma(session: Session, actor: User, dilemma_id: int, will_try: str) -> Post:
    """Resolved, with what the author will try; the platform asks later whether it worked."""
    root = _dilemma(session, actor, dilemma_id)
    root.will_try, root.will_try_html = _md(will_try, "will_try")
    root.resolved = True
    root.followup_due = now() + FOLLOWUP_AFTER
    events.record(session, "dilemma.resolved", post_id=root.id, space_id=root.space_id,
                  root_id=root.id, author_id=root.author_id, actor_id=actor.id)
    return root


def record_followup(session: Session, actor: User, dilemma_id: int, text: str) -> Post:
    """The author tells whether what they tried worked: shown on the card, loop closed."""
    root = _dilemma(session, actor, dilemma_id)
    if root.author_id != actor.id:
        raise NotAllowed(_l("Only the person who posed the dilemma tells how it went."))
    if not root.resolved:
        raise Conflict(_l("Mark the dilemma resolved, with what you will try, first."))
    root.followup, root.followup_html = _md(text, "followup")
    root.followup_due = None
    events.record(session, "dilemma.followup", post_id=root.id, space_id=root.space_id,
                  root_id=root.id)
    return root


def due_followups(session: Session, at: datetime | None = None) -> list[Post]:
    """Resolved dilemmas whose authors should now be asked whether it worked."""
    return list(session.scalars(select(Post).where(
        Post.kind == PostKind.DILEMMA, Post.resolved.is_(True), Post.followup == "",
        Post.followup_due.is_not(None), Post.followup_due <= (at or now()))))
