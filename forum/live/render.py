"""What a live event looks like to each audience: the same HTML the page would show.

Events are rendered from the current state of what they name, with the page's own partials
(spaces/_post.html, _card.html, _balance.html), for a stand-in of the audience (see
live.viewers) and in its language. Form tokens are left as the shared-page mark (NUL csrf
NUL) that the browser replaces with its own. `None` for an audience means "not for you":
a held question never reaches participants; a hidden post is removed from their page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, g, render_template, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from forum.core import permissions
from forum.extensions import db
from forum.fichas.models import Ficha
from forum.live.models import LiveEvent
from forum.live.rooms import AUDIENCES, LANGUAGES, Room
from forum.live.viewers import stand_in
from forum.spaces import queries
from forum.spaces.kinds import STANCES, STATES, STRUCTURED_LABELS, SpaceKind
from forum.spaces.models import Post, Space

LISTED_POSTS = (SpaceKind.CONFERENCE, SpaceKind.DEBATE)  # their pages list every post


@contextmanager
def viewing(path: str, audience: str, language: str) -> Iterator[None]:
    """Render as the stand-in of an audience would see the page at `path`."""
    saved = {key: g.get(key) for key in ("_login_user", "shared_render")}
    with current_app.test_request_context(path), force_locale(language):
        g._login_user = stand_in(audience)  # Flask-Login's user of this request
        g.shared_render = True
        try:
            yield
        finally:  # a socket handler shares its g with us: give it back its own user
            for key, value in saved.items():
                if value is None:
                    g.pop(key, None)
                else:
                    setattr(g, key, value)


def audiences(room: Room, space: Space | None) -> tuple[str, ...]:
    """Speakers differ from participants only where they answer: at conferences."""
    if space is not None and space.kind == SpaceKind.CONFERENCE:
        return AUDIENCES
    return tuple(a for a in AUDIENCES if a != "speaker")


def everyone(row: LiveEvent, listening: Callable[[Room], set[str]] | None = None,
             ) -> Iterator[tuple[Room, str, str, dict[str, Any]]]:
    """Every (room, audience, language) that should hear of the event, with its payload;
    `listening(room)` names the channels someone reads (None: render them all)."""
    for kind, id_ in row.rooms():
        room = Room(kind, id_)
        space = _space_of(db.session, row)
        wanted = listening(room) if listening else None
        for audience in audiences(room, space):
            for language in LANGUAGES:
                if wanted is not None and room.channel(audience, language) not in wanted:
                    continue
                found = payload(db.session, row, room, audience, language)
                if found is not None:
                    yield room, audience, language, found


def for_rows(rows: Iterable[LiveEvent], room: Room, audience: str,
             language: str) -> Iterator[dict[str, Any]]:
    for row in rows:
        found = payload(db.session, row, room, audience, language)
        if found is not None:
            yield found


def payload(session: Session, row: LiveEvent, room: Room, audience: str,
            language: str) -> dict[str, Any] | None:
    """The `event` message for one audience, or None when it is not theirs to hear."""
    if row.post_id:
        data = _post_data(session, row, room, audience, language)
    elif row.ficha_id:
        data = _ficha_data(session, row, audience, language)
    else:
        data = _space_data(session, row, audience, language)
    if data is None:
        return None
    return {"id": row.id, "room": room.name, "type": row.type, "data": data}


def _space_of(session: Session, row: LiveEvent) -> Space | None:
    return session.get(Space, row.space_id) if row.space_id else None


def _page_path(room: Room, space_id: int) -> str:
    if room.kind == "thread":
        return f"/espacios/{space_id}/hilos/{room.id}"
    return f"/espacios/{space_id}"


def _post_data(session: Session, row: LiveEvent, room: Room, audience: str,
               language: str) -> dict[str, Any] | None:
    post = session.get(Post, row.post_id, options=[joinedload(Post.author),
                                                   joinedload(Post.ficha)])
    space = _space_of(session, row)
    if post is None or space is None:
        return None
    root = post if post.is_root else session.get(Post, post.root_id)
    viewer = stand_in(audience)
    card = room.kind == "space" and space.kind not in LISTED_POSTS
    shown = root if card else post
    here = post.space_id == space.id  # false for the page a thread was moved away from
    visible = here and permissions.can_view_post(viewer, shown) and (
        permissions.can_view_post(viewer, root))
    if not visible and row.type.endswith(".created"):
        return None  # never tell people of a post they may not see
    data: dict[str, Any] = {
        "unit": "card" if card else "post", "post_id": shown.id, "root_id": root.id,
        "parent_id": None if card else shown.parent_id, "depth": 0 if card else shown.depth,
        "kind": shown.kind, "author_id": shown.author_id, "status": shown.status,
        "support_count": shown.support_count, "html": None,
    }
    with viewing(_page_path(room, space.id), audience, language):
        if visible and card:
            data["html"] = render_template("live/_card.html", root=root,
                                           replies=_visible_replies(session, viewer, root))
        elif visible:
            data["html"] = render_template(
                "live/_post.html", post=post, space=space, root=None if post.is_root else root,
                in_thread=room.kind == "thread", stances=STANCES,
                structured_labels=STRUCTURED_LABELS)
        if shown.kind == "question":  # the count as a reader with no button reads it
            data["support_label"] = ngettext("%(num)d support", "%(num)d supports",
                                             shown.support_count)
        if space.kind == SpaceKind.DEBATE and room.kind == "space":
            balance, by_country = queries.stance_counts(session, space.id)
            data["balance_html"] = render_template("spaces/_balance.html", balance=balance,
                                                   by_country=by_country, stances=STANCES)
    return data


def _visible_replies(session: Session, viewer: Any, root: Post) -> int:
    query = select(func.count(Post.id)).where(Post.root_id == root.id, Post.id != root.id)
    return session.scalar(permissions.visible_posts(query, viewer)) or 0


def _ficha_data(session: Session, row: LiveEvent, audience: str,
                language: str) -> dict[str, Any] | None:
    ficha = session.get(Ficha, row.ficha_id)
    if ficha is None:
        return None
    with viewing(f"/fichas/{ficha.id}", audience, language):
        notice = render_template(
            "live/_notice.html", text=_("This sheet was just revised (version %(v)d).",
                                        v=ficha.version),
            href=url_for("fichas.show", ficha_id=ficha))
    return {"ficha_id": ficha.id, "version": ficha.version, "title": ficha.title,
            "html": notice}


def _space_data(session: Session, row: LiveEvent, audience: str,
                language: str) -> dict[str, Any] | None:
    space = _space_of(session, row)
    if space is None or not permissions.can_view_space(stand_in(audience), space):
        return None
    with viewing(f"/espacios/{space.id}", audience, language):
        said = (_("This space is now: %(state)s.", state=STATES[space.state])
                if row.type == "space.state" else _("A synthesis was published."))
        notice = render_template("live/_notice.html", text=said,
                                 href=url_for("spaces.show", space_id=space))
    return {"space_id": space.id, "state": space.state, "html": notice}
