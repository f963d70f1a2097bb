"""Use cases inside a space: questions, positions, contributions, innovations, dilemmas,
replies, edits, deletion, supports, answers, "helped" marks and the workshop's closed loop."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.core import events, permissions
from forum.core.content import render_markdown
from forum.core.errors import Conflict, Invalid, NotAllowed, NotFound
from forum.fichas.models import Ficha
from forum.spaces.kinds import PostKind, PostStatus, SpaceKind, SpaceState, Stance
from forum.spaces.mentions import link_mentions
from forum.spaces.models import Citation, Post, PostRevision, Space
from forum.spaces.services import get_space, now

BODY_MAX = 20_000


def _text(data: Mapping[str, Any], key: str, errors: dict, *, required: bool = False,
          limit: int = BODY_MAX) -> str:
    value = str(data.get(key) or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if required and not value:
        errors[key] = _l("This field is required.")
    elif len(value) > limit:
        errors[key] = _l("At most %(n)d characters (you wrote %(m)d).", n=limit, m=len(value))
    return value


def _refuse_closed(space: Space, actor: User | None) -> None:
    if not permissions.is_member(actor):
        raise NotAllowed(_l("Log in to take part."))
    if space.state != SpaceState.OPEN:
        raise NotAllowed(_l("This space is closed: it can be read but takes no more posts."))
    if not permissions.can_post_in(actor, space):
        raise NotAllowed(_l("Only members of this community take part in this space."))


def _render(session: Session, source: str) -> tuple[str, list[int]]:
    return link_mentions(session, render_markdown(source)) if source else ("", [])


def _linked_ficha(session: Session, actor: User, raw: Any, errors: dict) -> int | None:
    if raw in (None, ""):
        return None
    try:
        ficha = session.get(Ficha, int(raw))
    except (TypeError, ValueError):
        ficha = None
    if ficha is None or not permissions.can_edit_ficha(actor, ficha):
        errors["ficha_id"] = _l("Link one of your own experience sheets.")
        return None
    return ficha.id


def _root_values(session: Session, actor: User, space: Space, data: Mapping[str, Any]) -> dict:
    """Validate what the space's kind asks of an opening post."""
    rules, errors = space.rules, {}
    values: dict[str, Any] = {
        "title": _text(data, "title", errors, required=rules.needs_title, limit=200),
        "body": _text(data, "body", errors, required=True),
        "fields": {k: _text(data, k, errors) for k in rules.structured},
        "stance": "",
        "ficha_id": _linked_ficha(session, actor, data.get("ficha_id"), errors),
    }
    if rules.root == PostKind.POSITION:
        values["stance"] = str(data.get("stance") or "")
        if values["stance"] not in Stance.__members__.values():
            errors["stance"] = _l("Say whether you are for, against, or hold a nuanced position.")
    if errors:
        raise Invalid(errors)
    return values


def _status_for(session: Session, actor: User, space: Space, kind: str, hold_first: int) -> str:
    if kind == PostKind.QUESTION and space.hold_questions and not permissions.can_answer(
            actor, space):
        return PostStatus.HELD.value
    if hold_first and not actor.is_facilitator:
        written = session.scalar(select(func.count(Post.id)).where(Post.author_id == actor.id))
        if written < hold_first:
            return PostStatus.HELD.value
    return PostStatus.VISIBLE.value


def _fill(session: Session, post: Post, values: dict[str, Any]) -> list[int]:
    post.title, post.body, post.stance = values["title"], values["body"], values["stance"]
    post.ficha_id = values["ficha_id"]
    post.body_html, mentioned = _render(session, values["body"])
    post.fields = values["fields"]
    post.fields_html = {k: _render(session, v)[0] for k, v in values["fields"].items()}
    return mentioned


def post_root(session: Session, actor: User, space_id: int, data: Mapping[str, Any], *,
              hold_first: int = 0) -> Post:
    """Open a thread of the kind the space takes (a question, a position, a dilemma...)."""
    space = get_space(session, space_id, actor)
    _refuse_closed(space, actor)
    values = _root_values(session, actor, space, data)
    kind = space.rules.root
    if space.rules.one_root_per_person and session.scalar(
        select(Post.id).where(Post.space_id == space.id, Post.kind == kind,
                              Post.author_id == actor.id, Post.status != PostStatus.DELETED)
    ):
        raise Conflict(_l("You already took a position at this table: revise it instead."))
    post = Post(space_id=space.id, author_id=actor.id, kind=kind, depth=0, created_at=now(),
                last_activity_at=now(),
                status=_status_for(session, actor, space, kind, hold_first))
    mentioned = _fill(session, post, values)
    session.add(post)
    session.flush()
    post.root_id = post.id
    if kind == PostKind.INNOVATION:
        _cite(session, post, data)
    events.record(session, "post.created", post_id=post.id, space_id=space.id, root_id=post.id,
                  kind=kind, status=post.status, mentioned=mentioned)
    return post


def _cite(session: Session, post: Post, data: Mapping[str, Any]) -> None:
    """An innovation names the sheets (or debate syntheses) whose lessons led to it."""
    for key, model in (("cites_fichas", Ficha), ("cites_spaces", Space)):
        raw = data.get(key) or []
        for value in [raw] if isinstance(raw, str | int) else raw:
            try:
                target = session.get(model, int(value))
            except (TypeError, ValueError):
                target = None
            if target is None or (model is Space and not target.synthesis):
                raise Invalid({key: _l("Cite an existing sheet or a debate's synthesis.")})
            session.add(Citation(post_id=post.id, **{key.removeprefix("cites_")[:-1] + "_id":
                                                     target.id}))
            if model is Ficha:  # its page shows how many innovations took up its lessons
                target.updated_at = now()


def get_post(session: Session, post_id: int, person: User | None) -> Post:
    post = session.get(Post, post_id)
    if post is None or not permissions.can_view_post(person, post):
        raise NotFound(_l("This post does not exist."))
    if not permissions.can_view_space(person, post.space):
        raise NotFound(_l("This post does not exist."))
    return post


def reply(session: Session, actor: User, parent_id: int, body: str, *,
          hold_first: int = 0) -> Post:
    """Reply to any post; nesting stops at the kind's depth (deeper replies join the level)."""
    parent = get_post(session, parent_id, actor)
    space = parent.space
    _refuse_closed(space, actor)
    root = session.get(Post, parent.root_id) if parent.root_id != parent.id else parent
    if root.locked:
        raise NotAllowed(_l("This thread is locked by a facilitator."))
    errors: dict = {}
    text = _text({"body": body}, "body", errors, required=True)
    if errors:
        raise Invalid(errors)
    answering = space.kind == SpaceKind.CONFERENCE and permissions.can_answer(actor, space)
    kind = PostKind.ANSWER if answering and root.kind == PostKind.QUESTION else PostKind.COMMENT
    if parent.depth >= space.rules.reply_depth:
        parent = session.get(Post, parent.parent_id) or root
    post = Post(space_id=space.id, author_id=actor.id, kind=kind, root_id=root.id,
                parent_id=parent.id, depth=parent.depth + 1, created_at=now(),
                status=_status_for(session, actor, space, kind, hold_first))
    post.body = text
    post.body_html, mentioned = _render(session, text)
    session.add(post)
    root.last_activity_at = now()
    if post.status == PostStatus.VISIBLE:
        root.reply_count += 1
    if kind == PostKind.ANSWER:
        root.answered = True
    session.flush()
    events.record(session, "post.created", post_id=post.id, space_id=space.id, root_id=root.id,
                  parent_id=parent.id, kind=kind, status=post.status, mentioned=mentioned,
                  parent_author_id=parent.author_id)
    return post


def post_with_history(session: Session, post_id: int, person: User | None) -> Post:
    """The post of the edit page, which shows its earlier versions to every reader; once
    deleted, its text (earlier versions included) stays with facilitators."""
    post = get_post(session, post_id, person)
    if post.status == PostStatus.DELETED and not permissions.is_facilitator(person):
        raise NotFound(_l("This post does not exist."))
    return post


def edit_post(session: Session, actor: User, post_id: int, data: Mapping[str, Any], *,
              note: str = "") -> Post:
    """Keep the earlier version, then apply; a facilitator's edit carries a note."""
    post = get_post(session, post_id, actor)
    if not permissions.can_edit_post(actor, post):
        raise NotAllowed(_l("Only the author (or a facilitator) edits this post."))
    if post.author_id != actor.id and not (note or "").strip():
        raise Invalid({"note": _l("Say why you edit someone else's post.")})
    if post.is_root:
        values = _root_values(session, actor if post.author_id == actor.id else post.author,
                              post.space, data)
    else:
        errors: dict = {}
        values = {"title": "", "body": _text(data, "body", errors, required=True),
                  "fields": {}, "stance": "", "ficha_id": post.ficha_id}
        if errors:
            raise Invalid(errors)
    snapshot = {"title": post.title, "body": post.body, "fields": post.fields,
                "stance": post.stance, "ficha_id": post.ficha_id}
    session.add(PostRevision(post_id=post.id, number=post.version, editor_id=actor.id,
                             note=(note or "")[:300], snapshot=snapshot, created_at=now()))
    mentioned = _fill(session, post, values)
    post.version += 1
    post.edited_at = now()
    events.record(session, "post.edited", post_id=post.id, space_id=post.space_id,
                  root_id=post.root_id, mentioned=mentioned)
    return post


def delete_post(session: Session, actor: User, post_id: int) -> Post:
    """Soft delete: the thread stays readable, the text is no longer shown."""
    post = get_post(session, post_id, actor)
    if not permissions.can_edit_post(actor, post):
        raise NotAllowed(_l("Only the author (or a facilitator) deletes this post."))
    post.status = PostStatus.DELETED.value
    events.record(session, "post.deleted", post_id=post.id, space_id=post.space_id,
                  root_id=post.root_id)
    return post


def post_history(session: Session, post_id: int) -> list[PostRevision]:
    return list(session.scalars(select(PostRevision).where(PostRevision.post_id == post_id)
                                .order_by(PostRevision.number.desc())))
