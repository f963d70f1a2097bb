"""Actions on one post: reply, edit, delete, support, answered, helped, resolve, follow-up.

Each parses the form, calls one use case, commits and goes back to the post in its page;
a refused input re-renders that page with the message and the typed text (422).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.accounts.auth import post_limit, rate_key
from forum.core.errors import Conflict, Invalid
from forum.extensions import db, limiter
from forum.spaces import marks, posting
from forum.spaces.kinds import STANCES, STRUCTURED_LABELS
from forum.spaces.models import Post
from forum.spaces.views import space_page

bp = Blueprint("posts", __name__, url_prefix="/posts")


def _back(post: Post):  # noqa: ANN202
    if request.form.get("in_thread") and post.root_id:
        return redirect(url_for("spaces.thread", space_id=post.space_id, root_id=post.root_id,
                                _anchor=f"post-{post.id}"))
    return redirect(url_for("spaces.show", space_id=post.space_id, _anchor=f"post-{post.id}"))


def _act(post_id: int, action: Callable[[], Post], field: str = "body"):  # noqa: ANN202
    """Run one use case; on refusal show the page again with the message by the form."""
    try:
        post = action()
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        target = db.session.get(Post, post_id)
        fields = getattr(exc, "fields", None) or {field: exc.message}
        root = request.form.get("in_thread") and target and target.root_id
        return space_page(target.space_id if target else 0, root_id=root or None,
                          errors={f"post-{post_id}": fields}, typed=request.form,
                          status=409 if isinstance(exc, Conflict) else 422)
    db.session.commit()
    return _back(post)


@bp.get("/<int:post_id>/responder")
@login_required
def reply_form(post_id: int):  # noqa: ANN201
    """A page of its own, so long threads need not carry a form under every reply."""
    post = posting.get_post(db.session, post_id, current_user)
    return render_template("spaces/reply_form.html", post=post, in_thread=bool(
        request.args.get("in_thread")))


@bp.post("/<int:post_id>/responder")
@login_required
@limiter.limit(post_limit, key_func=rate_key)
def reply(post_id: int):  # noqa: ANN201
    hold = current_app.config["HOLD_FIRST_POSTS"]
    return _act(post_id, lambda: posting.reply(db.session, current_user, post_id,
                                               request.form.get("body", ""), hold_first=hold))


@bp.route("/<int:post_id>/editar", methods=["GET", "POST"])
@login_required
def edit(post_id: int):  # noqa: ANN201
    post = posting.post_with_history(db.session, post_id, current_user)
    if request.method == "GET":
        return _edit_form(post, {}, {})
    try:
        posting.edit_post(db.session, current_user, post_id, request.form,
                          note=request.form.get("note", ""))
    except Invalid as exc:
        db.session.rollback()
        return _edit_form(post, request.form, exc.fields, 422)
    db.session.commit()
    return _back(post)


def _edit_form(post: Post, typed: Any, errors: dict, status: int = 200):  # noqa: ANN202
    values = typed or {"title": post.title, "body": post.body, "stance": post.stance,
                       "ficha_id": post.ficha_id or "", **post.fields}
    return render_template("spaces/edit_post.html", post=post, values=values, errors=errors,
                           rules=post.space.rules, stances=STANCES,
                           structured_labels=STRUCTURED_LABELS,
                           history=posting.post_history(db.session, post.id)), status


@bp.post("/<int:post_id>/borrar")
@login_required
def delete(post_id: int):  # noqa: ANN201
    return _act(post_id, lambda: posting.delete_post(db.session, current_user, post_id))


@bp.post("/<int:post_id>/apoyar")
@login_required
def support(post_id: int):  # noqa: ANN201
    return _act(post_id, lambda: marks.support_question(db.session, current_user, post_id))


@bp.post("/<int:post_id>/retirar-apoyo")
@login_required
def withdraw(post_id: int):  # noqa: ANN201
    return _act(post_id, lambda: marks.withdraw_support(db.session, current_user, post_id))


@bp.post("/<int:post_id>/respondida")
@login_required
def answered(post_id: int):  # noqa: ANN201
    value = request.form.get("answered", "1") == "1"
    return _act(post_id, lambda: marks.mark_answered(db.session, current_user, post_id, value))


@bp.post("/<int:post_id>/ayudo")
@login_required
def helped(post_id: int):  # noqa: ANN201
    value = request.form.get("helped", "1") == "1"
    return _act(post_id, lambda: marks.mark_helped(db.session, current_user, post_id, value))


@bp.post("/<int:post_id>/resolver")
@login_required
def resolve(post_id: int):  # noqa: ANN201
    return _act(post_id, lambda: marks.resolve_dilemma(
        db.session, current_user, post_id, request.form.get("will_try", "")), "will_try")


@bp.post("/<int:post_id>/seguimiento")
@login_required
def followup(post_id: int):  # noqa: ANN201
    return _act(post_id, lambda: marks.record_followup(
        db.session, current_user, post_id, request.form.get("followup", "")), "followup")
