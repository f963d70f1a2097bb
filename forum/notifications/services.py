"""Who hears about what: domain events turned into notifications, inside the transaction
that caused them (events.subscribe_in_transaction), so a reply and the notice of it are
committed together or not at all.

Every rule goes through `_deliver`, which applies the three refusals in one place: never
the actor, never a kind the person turned off, never something the person cannot read.
Held posts notify nobody until a facilitator approves them.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.core import events, permissions
from forum.core.events import DomainEvent
from forum.fichas.models import Ficha
from forum.fichas.services import ficha_access
from forum.notifications.models import Notification, NotificationKind, NotificationSettings, utcnow
from forum.spaces.kinds import PostKind, PostStatus
from forum.spaces.marks import due_followups
from forum.spaces.models import AuditEntry, Post

log = logging.getLogger(__name__)

K = NotificationKind
# The link spaces.mentions writes for a mention; read back when a held post is approved,
# since the approval event does not carry the mentioned people.
MENTION_LINK = re.compile(r'<a class="mention" href="/personas/(\d+)">')
# recipient id -> the (kind, detail) that apply, best first: one notification each, of the
# first kind the person did not turn off (replied to and mentioned: the reply, or else
# the mention)
Wanted = dict[int, list[tuple[NotificationKind, str]]]


def _one(user_id: int, kind: NotificationKind, detail: str = "") -> Wanted:
    return {user_id: [(kind, detail)]}


def _readers(session: Session, ids: set[int]) -> list[tuple[User, NotificationSettings | None]]:
    """The recipients with their settings, in one query."""
    if not ids:
        return []
    return list(session.execute(
        select(User, NotificationSettings)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(User.id.in_(ids)).order_by(User.id)
    ).all())


def _can_read(person: User, post: Post | None, ficha: Ficha | None) -> bool:
    if post is not None:
        return permissions.can_view_post(person, post) and permissions.can_view_space(
            person, post.space)
    return ficha is None or permissions.can_view_ficha(person, ficha)


def _deliver(session: Session, wanted: Wanted, *, actor_id: int | None, post: Post | None = None,
             ficha: Ficha | None = None, call_id: int | None = None) -> list[Notification]:
    """Create the notifications that survive the refusals; nothing is added before every
    check has run, so a failing check leaves no half-written batch."""
    wanted = {uid: kinds for uid, kinds in wanted.items() if uid != actor_id}
    made = []
    for person, settings in _readers(session, set(wanted)):
        chosen = [(k, d) for k, d in wanted[person.id] if settings is None or settings.wants(k)]
        if not chosen or not _can_read(person, post, ficha):
            continue
        kind, detail = chosen[0]
        made.append(Notification(
            user_id=person.id, kind=kind.value, detail=detail, actor_id=actor_id,
            post_id=post.id if post else None, space_id=post.space_id if post else None,
            ficha_id=ficha.id if ficha else None, call_id=call_id, created_at=utcnow()))
    session.add_all(made)
    if made:  # the live layer updates these people's unread counts once this commits
        events.record(session, "notification.created", user_ids=sorted({n.user_id for n in made}))
    return made


def _already(session: Session, user_id: int, post_id: int, *kinds: NotificationKind) -> bool:
    return bool(session.scalar(select(exists().where(
        Notification.user_id == user_id, Notification.post_id == post_id,
        Notification.kind.in_([k.value for k in kinds])))))


# --- posts ----------------------------------------------------------------------------------


def _notify_post(session: Session, post: Post, mentioned: list[int]) -> None:
    """Replies, answers and mentions of a post now visible. One notification per person:
    an answer outranks a reply, a reply outranks a mention in the same post."""
    wanted: Wanted = defaultdict(list)
    if post.parent_id is not None:
        parent = session.get(Post, post.parent_id)
        if post.kind == PostKind.ANSWER:
            wanted[session.get(Post, post.root_id).author_id].append((K.ANSWER, ""))
        kind = K.POSITION_REPLY if parent.kind == PostKind.POSITION else K.REPLY
        wanted[parent.author_id].append((kind, ""))
    for user_id in mentioned:
        wanted[user_id].append((K.MENTION, ""))
    _deliver(session, wanted, actor_id=post.author_id, post=post)


def on_post_created(session: Session, event: DomainEvent) -> None:
    if event.data.get("status") != PostStatus.VISIBLE:
        return  # held: approval notifies (on_post_approved)
    post = session.get(Post, event.data["post_id"])
    if post is not None:
        _notify_post(session, post, list(event.data.get("mentioned") or []))


def on_post_edited(session: Session, event: DomainEvent) -> None:
    """Only people newly mentioned: whoever already heard about this post is left alone."""
    post = session.get(Post, event.data["post_id"])
    if post is None or not post.shown:
        return
    fresh = [uid for uid in event.data.get("mentioned") or []
             if uid != post.author_id and not _already(session, uid, post.id, *K)]
    _deliver(session, {uid: [(K.MENTION, "")] for uid in fresh}, actor_id=post.author_id,
             post=post)


# --- marks ----------------------------------------------------------------------------------


def on_question_answered(session: Session, event: DomainEvent) -> None:
    """Marked answered by a speaker; not again if an answer in the thread already told them."""
    question = session.get(Post, event.data["post_id"])
    if not event.data.get("answered") or question is None:
        return
    answered_inline = session.scalar(select(exists().where(
        Notification.user_id == question.author_id, Notification.kind == K.ANSWER.value,
        Notification.post_id.in_(select(Post.id).where(Post.root_id == question.id)))))
    if not answered_inline:
        _deliver(session, _one(question.author_id, K.ANSWER),
                 actor_id=event.data.get("actor_id"), post=question)


def on_reply_helped(session: Session, event: DomainEvent) -> None:
    reply = session.get(Post, event.data["post_id"])
    if not event.data.get("helped") or reply is None:
        return
    actor_id = event.data.get("actor_id")
    # without an actor_id the marker is most likely the dilemma's author: not themselves
    marker = actor_id if actor_id is not None else session.get(Post, reply.root_id).author_id
    if reply.author_id == marker or _already(session, reply.author_id, reply.id, K.HELPED):
        return  # their own reply, or already told (un-marked and marked again)
    _deliver(session, _one(reply.author_id, K.HELPED), actor_id=actor_id, post=reply)


def on_dilemma_resolved(session: Session, event: DomainEvent) -> None:
    """Only when someone else (a facilitator) resolved it: the author knows what they did.
    Without an actor_id in the event nobody can tell, so nobody is notified."""
    dilemma = session.get(Post, event.data["post_id"])
    actor_id = event.data.get("actor_id")
    if dilemma is None or actor_id is None:
        return
    if not _already(session, dilemma.author_id, dilemma.id, K.DILEMMA_RESOLVED):
        _deliver(session, _one(dilemma.author_id, K.DILEMMA_RESOLVED), actor_id=actor_id,
                 post=dilemma)


# --- sheets ---------------------------------------------------------------------------------


def on_ficha_revised(session: Session, event: DomainEvent) -> None:
    """Owner and co-editors hear of each other's saves. A run of saves does not pile up: an
    unread notice for the sheet is moved to the top with the latest editor instead."""
    access = ficha_access(session, event.data["ficha_id"])
    actor_id = event.data.get("actor_id")
    people = {access.owner_id, *access.editor_ids} - {actor_id}
    unread = session.scalars(select(Notification).where(
        Notification.ficha_id == access.id, Notification.kind == K.SHEET_EDITED.value,
        Notification.read_at.is_(None), Notification.user_id.in_(people))).all()
    for notice in unread:
        notice.actor_id, notice.created_at = actor_id, utcnow()
    fresh = people - {n.user_id for n in unread}
    _deliver(session, {uid: [(K.SHEET_EDITED, "")] for uid in fresh}, actor_id=actor_id,
             ficha=session.get(Ficha, access.id))


# --- moderation -----------------------------------------------------------------------------


def _moderator(session: Session, post_id: int, action: str) -> int | None:
    """Moderation events do not name the facilitator; the audit entry written in the same
    transaction does (moderation.py writes exactly one per action)."""
    return session.scalar(select(AuditEntry.actor_id).where(
        AuditEntry.post_id == post_id, AuditEntry.action == action)
        .order_by(AuditEntry.id.desc()).limit(1))


def _tell_author(session: Session, event: DomainEvent, action: str, detail: str) -> Post | None:
    post = session.get(Post, event.data["post_id"])
    if post is not None:
        _deliver(session, _one(post.author_id, K.MODERATION, detail),
                 actor_id=_moderator(session, post.id, action), post=post)
    return post


def on_post_hidden(session: Session, event: DomainEvent) -> None:
    """The author is told why; everyone else's notices of the post are withdrawn, since
    they could no longer read what they were told about (a hidden insult stays hidden)."""
    post = _tell_author(session, event, "hide", "hidden")
    if post is not None:
        session.execute(delete(Notification).where(
            Notification.post_id == post.id, Notification.user_id != post.author_id,
        ).execution_options(synchronize_session="fetch"))


def on_post_restored(session: Session, event: DomainEvent) -> None:
    _tell_author(session, event, "restore", "restored")


def on_post_dismissed(session: Session, event: DomainEvent) -> None:
    _tell_author(session, event, "dismiss", "dismissed")


def on_post_approved(session: Session, event: DomainEvent) -> None:
    """Now visible: its author hears of the approval, the others of the reply or mention
    they were spared while it was held."""
    post = _tell_author(session, event, "approve", "approved")
    if post is not None:
        mentioned = sorted({int(m) for m in MENTION_LINK.findall(post.body_html or "")})
        _notify_post(session, post, mentioned)


# --- calls ----------------------------------------------------------------------------------


def notify_about_call(session: Session, user_ids: set[int], kind: NotificationKind,
                      detail: str, *, actor_id: int | None, call_id: int) -> list[Notification]:
    """For packages built on calls (contests): the same refusals as every other notice
    (not the actor, not a kind turned off); a call is public, so everyone may read it."""
    return _deliver(session, {uid: [(kind, detail)] for uid in user_ids}, actor_id=actor_id,
                    call_id=call_id)


# --- follow-ups (from the CLI) --------------------------------------------------------------


def notify_followups(session: Session, at: datetime | None = None) -> int:
    """Ask the authors of resolved dilemmas whether what they tried worked; once each."""
    made = 0
    for dilemma in due_followups(session, at):
        if _already(session, dilemma.author_id, dilemma.id, K.FOLLOWUP_DUE):
            continue
        made += len(_deliver(session, _one(dilemma.author_id, K.FOLLOWUP_DUE),
                             actor_id=None, post=dilemma))
    return made


# --- registration ---------------------------------------------------------------------------


def _guarded(handler: Callable[[Session, DomainEvent], None]) -> events.TxHandler:
    """A bug in a notification rule must not cost someone their post: it is logged and the
    change commits without its notices. Database errors still propagate (the session is
    unusable after them, and the change with it)."""

    @functools.wraps(handler)
    def run(session: Session, event: DomainEvent) -> None:
        try:
            handler(session, event)
        except SQLAlchemyError:
            raise
        except Exception:
            log.exception("notification rule %s failed for %s", handler.__name__, event.type)

    return run


HANDLERS: dict[str, events.TxHandler] = {
    "post.created": _guarded(on_post_created),
    "post.edited": _guarded(on_post_edited),
    "question.answered": _guarded(on_question_answered),
    "reply.helped": _guarded(on_reply_helped),
    "dilemma.resolved": _guarded(on_dilemma_resolved),
    "ficha.revised": _guarded(on_ficha_revised),
    "post.hidden": _guarded(on_post_hidden),
    "post.restored": _guarded(on_post_restored),
    "post.approved": _guarded(on_post_approved),
    "post.dismissed": _guarded(on_post_dismissed),
}


def notify_on_event(session: Session, event: DomainEvent) -> None:
    """Apply the rule for one event (what the subscriptions do; handy to replay one)."""
    handler = HANDLERS.get(event.type)
    if handler is not None:
        handler(session, event)


def subscribe() -> None:
    """Idempotent, like events.subscribe_in_transaction itself."""
    for type_, handler in HANDLERS.items():
        events.subscribe_in_transaction(type_, handler)
