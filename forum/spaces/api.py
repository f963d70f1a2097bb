"""API v1 routes for spaces and their posts: the same use cases and rules as the pages."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request, url_for
from flask_babel import lazy_gettext as _l

from forum.accounts.auth import post_limit, rate_key
from forum.api import bp, json_body, optional_user, token_required
from forum.core.errors import NotFound
from forum.extensions import db, limiter
from forum.fichas.exchange import person_json
from forum.spaces import marks, moderation, posting, queries, services
from forum.spaces.kinds import SpaceKind
from forum.spaces.models import Post, Space


def space_json(space: Space) -> dict[str, Any]:
    return {
        "id": space.id,
        "kind": space.kind,
        "title": space.title,
        "state": space.state,
        "framing": space.framing,
        "framing_html": space.framing_html,
        "summary_html": space.summary_html,
        "video_url": space.video_url,
        "synthesis_html": space.synthesis_html,
        "community_id": space.community_id,
        "members_only": space.members_only,
        "starts_at": space.starts_at.isoformat() + "Z" if space.starts_at else None,
        "ends_at": space.ends_at.isoformat() + "Z" if space.ends_at else None,
        "speakers": [person_json(p) for p in space.speakers],
        "url": url_for("api.get_space", space_id=space.id),
    }


def post_json(post: Post) -> dict[str, Any]:
    deleted = post.status == "deleted"
    return {
        "id": post.id,
        "space_id": post.space_id,
        "kind": post.kind,
        "root_id": post.root_id,
        "parent_id": post.parent_id,
        "depth": post.depth,
        "author": person_json(post.author),
        "title": post.title,
        "body": "" if deleted else post.body,
        "body_html": "" if deleted else post.body_html,
        "fields_html": {} if deleted else post.fields_html,
        "stance": post.stance,
        "ficha_id": post.ficha_id,
        "status": post.status,
        "pinned": post.pinned,
        "locked": post.locked,
        "answered": post.answered,
        "helped": post.helped,
        "resolved": post.resolved,
        "will_try_html": post.will_try_html,
        "followup_html": post.followup_html,
        "supports": post.support_count,
        "created_at": post.created_at.isoformat() + "Z",
        "edited_at": post.edited_at.isoformat() + "Z" if post.edited_at else None,
    }


@bp.get("/spaces")
def list_spaces():  # noqa: ANN201
    kind = request.args.get("kind", "")
    kind = kind if kind in SpaceKind.__members__.values() else ""
    summaries = queries.list_spaces(db.session, optional_user(), kind=kind)
    return jsonify(
        {
            "items": [
                space_json(s.space) | {"roots": s.roots, "stances": dict(s.stances)}
                for s in summaries
            ]
        }
    )


@bp.get("/spaces/<int:space_id>")
def get_space(space_id: int):  # noqa: ANN201
    return jsonify(space_json(services.get_space(db.session, space_id, optional_user())))


@bp.get("/spaces/<int:space_id>/threads")
def list_threads(space_id: int):  # noqa: ANN201
    person = optional_user()
    space = services.get_space(db.session, space_id, person)
    found = queries.threads(db.session, person, space, sort=request.args.get("sort", ""))
    return jsonify(
        {
            "items": [
                post_json(t.root) | {"replies": [post_json(r) for r in t.replies]} for t in found
            ]
        }
    )


@bp.get("/posts/<int:post_id>")
def get_post(post_id: int):  # noqa: ANN201
    return jsonify(post_json(posting.get_post(db.session, post_id, optional_user())))


def _created(post: Post):  # noqa: ANN202
    db.session.commit()
    response = jsonify(post_json(post))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_post", post_id=post.id)
    return response


@bp.post("/spaces/<int:space_id>/posts")
@token_required
@limiter.limit(post_limit, key_func=rate_key)
def create_post(space_id: int):  # noqa: ANN201
    """A question, position, contribution, innovation or dilemma: whatever the kind takes."""
    post = posting.post_root(
        db.session,
        g.api_user,
        space_id,
        json_body(),
        hold_first=current_app.config["HOLD_FIRST_POSTS"],
    )
    return _created(post)


@bp.post("/posts/<int:post_id>/replies")
@token_required
@limiter.limit(post_limit, key_func=rate_key)
def create_reply(post_id: int):  # noqa: ANN201
    body = json_body().get("body", "")
    post = posting.reply(
        db.session,
        g.api_user,
        post_id,
        str(body),
        hold_first=current_app.config["HOLD_FIRST_POSTS"],
    )
    return _created(post)


@bp.put("/posts/<int:post_id>")
@token_required
def update_post(post_id: int):  # noqa: ANN201
    data = json_body()
    post = posting.edit_post(db.session, g.api_user, post_id, data, note=data.get("note", ""))
    db.session.commit()
    return jsonify(post_json(post))


@bp.post("/posts/<int:post_id>/support")
@token_required
def support(post_id: int):  # noqa: ANN201
    post = marks.support_question(db.session, g.api_user, post_id)
    db.session.commit()
    return jsonify(post_json(post))


@bp.delete("/posts/<int:post_id>/support")
@token_required
def withdraw_support(post_id: int):  # noqa: ANN201
    post = marks.withdraw_support(db.session, g.api_user, post_id)
    db.session.commit()
    return jsonify(post_json(post))


# --- moderation: the same use cases as the facilitators' buttons ---------------------------

MODERATION_ACTIONS: dict[str, Any] = {
    "hide": moderation.hide_post, "restore": moderation.restore_post,
    "pin": moderation.pin_post, "unpin": moderation.unpin_post,
    "lock": moderation.lock_thread, "unlock": moderation.unlock_thread,
    "move": moderation.move_thread, "approve": moderation.approve_held,
    "dismiss": moderation.dismiss_held,
}
TAKES = {"hide": ("reason",), "restore": ("reason",), "dismiss": ("reason",),
         "move": ("space_id",)}


@bp.post("/posts/<int:post_id>/moderation/<action>")
@token_required
def moderate(post_id: int, action: str):  # noqa: ANN201
    """Facilitators only; a participant's token gets 403 and nothing changes."""
    use_case = MODERATION_ACTIONS.get(action)
    if use_case is None:
        raise NotFound(_l("Unknown moderation action."))
    data = json_body() if TAKES.get(action) else {}
    kwargs = {key: data.get(key, "") for key in TAKES.get(action, ())}
    if "space_id" in kwargs:
        kwargs["space_id"] = kwargs["space_id"] if isinstance(kwargs["space_id"], int) else 0
    use_case(db.session, g.api_user, post_id, **kwargs)
    db.session.commit()
    return jsonify(post_json(db.session.get(Post, post_id)))


@bp.post("/posts/<int:post_id>/flags")
@token_required
def flag(post_id: int):  # noqa: ANN201
    made = moderation.flag_post(db.session, g.api_user, post_id,
                                str(json_body().get("reason", "")))
    db.session.commit()
    return jsonify({"id": made.id, "post_id": post_id}), 201
