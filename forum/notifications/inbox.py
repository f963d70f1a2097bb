"""A person's side of notifications: the unread count, the list, marking read, choosing
which kinds to get, and the daily e-mail digest.

Reading never writes (opening the list does not mark it read: a person says so), and a
page of notifications is two queries whatever its length: the count, then the page with
its actors, posts, spaces and sheets joined in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Literal

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ColumnElement, bindparam, func, select, update
from sqlalchemy.orm import Session, joinedload

from forum.accounts.models import User
from forum.core.errors import Invalid
from forum.fichas.queries import Page
from forum.notifications.models import Notification, NotificationKind, NotificationSettings, utcnow
from forum.notifications.presenting import sentence, target
from forum.spaces.models import Post

PAGE_SIZE = 30
DIGEST_WINDOW = timedelta(days=1)  # the first digest after opting in looks back one day

Send = Callable[[str, str, str], None]  # (e-mail, subject, text)
Link = Callable[[str, dict], str]  # (endpoint, values) -> URL


def _with_context() -> list:
    """What a sentence needs, joined into the one query that loads the notifications."""
    return [joinedload(Notification.actor), joinedload(Notification.ficha),
            joinedload(Notification.space), joinedload(Notification.call),
            joinedload(Notification.post).joinedload(Post.space)]


# built once: every logged-in page header asks it
UNREAD_COUNT = select(func.count(Notification.id)).where(
    Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))


def unread_of_user() -> ColumnElement[int]:
    """The same count as a subquery on users.id, read with the person on each page."""
    return (select(func.count(Notification.id))
            .where(Notification.user_id == User.id, Notification.read_at.is_(None))
            .correlate(User).scalar_subquery())


def unread_count(session: Session, user: User) -> int:
    """One COUNT on the (user_id, read_at) index: cheap enough for every page header."""
    return session.scalar(UNREAD_COUNT, {"user_id": user.id}) or 0


def list_for(session: Session, user: User, page: int = 1,
             per_page: int = PAGE_SIZE) -> Page[Notification]:
    """Newest first, unread and read together (read ones are shown dimmed)."""
    mine = Notification.user_id == user.id
    total = session.scalar(select(func.count(Notification.id)).where(mine)) or 0
    page = max(1, page)
    items = session.scalars(
        select(Notification).options(*_with_context()).where(mine)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).unique().all()
    return Page(items=items, total=total, page=page, per_page=per_page)


def mark_read(session: Session, user: User, ids: Iterable[int] | Literal["all"]) -> int:
    """Scoped to the person: someone else's ids are silently ignored, never touched."""
    where = [Notification.user_id == user.id, Notification.read_at.is_(None)]
    if ids != "all":
        wanted = [int(i) for i in ids]
        if not wanted:
            return 0
        where.append(Notification.id.in_(wanted))
    result = session.execute(update(Notification).where(*where).values(read_at=utcnow())
                             .execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def settings_for(session: Session, user: User) -> NotificationSettings:
    """The saved settings, or unsaved defaults (no row is written just by looking)."""
    saved = session.get(NotificationSettings, user.id)
    return saved or NotificationSettings(user_id=user.id, disabled=[], digest=False)


def set_preferences(session: Session, user: User, kinds_enabled: Iterable[str],
                    digest: bool) -> NotificationSettings:
    """Store the kinds turned off (see NotificationSettings) and the digest opt-in."""
    enabled = set(kinds_enabled)
    unknown = enabled - set(NotificationKind)
    if unknown:
        raise Invalid({"kinds": _l("Unknown kind of notification: %(k)s",
                                   k=", ".join(sorted(unknown))[:80])})
    settings = session.get(NotificationSettings, user.id)
    if settings is None:
        settings = NotificationSettings(user_id=user.id)
        session.add(settings)
    settings.disabled = sorted(k.value for k in NotificationKind if k.value not in enabled)
    settings.digest = bool(digest)
    return settings


def digest_for(session: Session, user: User, since: datetime,
               until: datetime | None = None) -> list[Notification]:
    """Unread notifications created after `since` (up to `until`), oldest first as a day
    reads; the ones already read in the app are not mailed again."""
    where = [Notification.user_id == user.id, Notification.read_at.is_(None),
             Notification.created_at > since]
    if until is not None:
        where.append(Notification.created_at <= until)
    return list(session.scalars(
        select(Notification).options(*_with_context()).where(*where)
        .order_by(Notification.created_at, Notification.id)).unique())


def digest_recipients(session: Session) -> list[tuple[User, NotificationSettings]]:
    return list(session.execute(
        select(User, NotificationSettings).join(
            NotificationSettings, NotificationSettings.user_id == User.id)
        .where(NotificationSettings.digest.is_(True)).order_by(User.id)).all())


def compose_digest(items: list[Notification], link: Link | None = None) -> tuple[str, str]:
    """(subject, text) of one person's digest: a sentence and a link per notification."""
    subject = ngettext("Your day in the community: %(num)d notification",
                       "Your day in the community: %(num)d notifications", len(items))
    lines = []
    for item in items:
        lines.append(f"- {sentence(item)}")
        if link is not None:
            lines.append(f"  {link(*target(item))}")
    return subject, "\n".join(lines) + "\n"


def send_digests(session: Session, now: datetime, send: Send, *, link: Link | None = None,
                 progress: Callable[[int], None] | None = None) -> int:
    """Mail each opted-in person what happened since their last digest; returns how many
    were sent. Everyone's window moves to `now`, mailed or not, so nothing is sent twice
    once the caller commits (a crash before the commit sends again: at least once)."""
    sent = 0
    for user, settings in digest_recipients(session):
        since = settings.last_digest_at or now - DIGEST_WINDOW
        items = digest_for(session, user, since, now)
        if items:
            send(user.email, *compose_digest(items, link))
            sent += 1
        settings.last_digest_at = now
        if progress is not None:
            progress(1)
    return sent
