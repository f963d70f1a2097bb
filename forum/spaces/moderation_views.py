"""Moderation pages and forms: the review queue, the audit log, the facilitators' actions on
a post and the participants' flag. Thin: parse the form, call one use case, commit, redirect.

A refused form (Invalid, e.g. no reason) is shown again with the message and what was typed
(422), because a redirect would lose the text; NotAllowed and Conflict go to the shared
error handler (403 / 409).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forum.core import permissions
from forum.core.errors import Invalid
from forum.core.web import int_arg, safe_next
from forum.extensions import db
from forum.spaces import moderation, posting

bp = Blueprint("moderation", __name__)

ACTION_PATH = "/moderacion/posts/<int:post_id>/"
# The one input each form sends, shown again (with what was typed) when it is refused.
TYPED_FIELD = {"ocultar": "reason", "restaurar": "reason", "descartar": "reason",
               "senalar": "reason", "mover": "space_id"}


def _fallback() -> str:
    return "/moderacion" if permissions.can_moderate(current_user) else "/"


def _act(
    post_id: int, use_case: Callable[..., Any], done: Any, **kwargs: Any
) -> ResponseReturnValue:
    """Run one moderation use case on a post, commit, and go back where the form came from."""
    try:
        use_case(db.session, current_user, post_id, **kwargs)
    except Invalid as exc:
        db.session.rollback()
        return _refused(exc)
    db.session.commit()
    flash(str(done), "success")
    return redirect(safe_next(request.form.get("next"), _fallback()))


def _refused(exc: Invalid) -> tuple[str, int]:
    return render_template(
        "moderation/refused.html",
        message=exc.message,
        errors=exc.fields,
        action=request.path,
        field=TYPED_FIELD.get(request.path.rsplit("/", 1)[-1]),
        typed=request.form,
        next_url=safe_next(request.form.get("next"), _fallback()),
    ), 422


@bp.get("/moderacion")
@login_required
def queue() -> str:
    items = moderation.review_queue(db.session, current_user)
    return render_template("moderation/queue.html", queue=items)


@bp.get("/moderacion/registro")
@login_required
def audit() -> tuple[str, int]:
    filters, errors = _audit_filters(request.args)
    page = moderation.audit_log(db.session, current_user, page=int_arg(request.args.get("page"), 1),
                                **filters)
    return render_template(
        "moderation/audit.html",
        page=page,
        filters=filters,
        args={k: v for k, v in request.args.items() if k != "page" and k not in errors and v},
        errors=errors,
        actors=moderation.audit_actors(db.session, current_user),
        actions=moderation.ACTIONS,
    ), 422 if errors else 200


def _audit_filters(args: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The log's GET form; a value that does not parse is dropped and reported."""
    filters: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    action = args.get("action", "")
    if action and action not in moderation.ACTIONS:
        errors["action"] = _l("Unknown action.")
    elif action:
        filters["action"] = action
    if args.get("actor"):
        filters["actor_id"] = int_arg(args["actor"], 0) or None
    for key in ("since", "until"):
        raw = args.get(key, "").strip()
        if not raw:
            continue
        try:
            filters[key] = date.fromisoformat(raw)
        except ValueError:
            errors[key] = _l("Write the date as YYYY-MM-DD.")
    return filters, errors


@bp.post(ACTION_PATH + "ocultar")
@login_required
def hide(post_id: int) -> ResponseReturnValue:
    return _act(post_id, moderation.hide_post, _l("Post hidden. Its author sees the reason."),
                reason=request.form.get("reason", ""))


@bp.post(ACTION_PATH + "restaurar")
@login_required
def restore(post_id: int) -> ResponseReturnValue:
    return _act(post_id, moderation.restore_post, _l("Post shown again."),
                reason=request.form.get("reason", ""))


@bp.post(ACTION_PATH + "fijar")
@login_required
def pin(post_id: int) -> ResponseReturnValue:
    return _act(post_id, moderation.pin_post, _l("Post pinned."))


@bp.post(ACTION_PATH + "desfijar")
@login_required
def unpin(post_id: int) -> ResponseReturnValue:
    return _act(post_id, moderation.unpin_post, _l("Post unpinned."))


@bp.post(ACTION_PATH + "bloquear")
@login_required
def lock(post_id: int) -> ResponseReturnValue:
    return _act(post_id, moderation.lock_thread, _l("Thread locked: it takes no more replies."))


@bp.post(ACTION_PATH + "desbloquear")
@login_required
def unlock(post_id: int) -> ResponseReturnValue:
    return _act(post_id, moderation.unlock_thread, _l("Thread unlocked."))


@bp.post(ACTION_PATH + "mover")
@login_required
def move(post_id: int) -> ResponseReturnValue:
    return _act(post_id, moderation.move_thread, _l("Thread moved with all its replies."),
                space_id=int_arg(request.form.get("space_id"), 0))


@bp.post(ACTION_PATH + "aprobar")
@login_required
def approve(post_id: int) -> ResponseReturnValue:
    return _act(post_id, moderation.approve_held, _l("Post approved: everyone sees it now."))


@bp.post(ACTION_PATH + "descartar")
@login_required
def dismiss(post_id: int) -> ResponseReturnValue:
    return _act(post_id, moderation.dismiss_held, _l("Held post dismissed."),
                reason=request.form.get("reason", ""))


@bp.post(ACTION_PATH + "mantener")
@login_required
def keep(post_id: int) -> ResponseReturnValue:
    return _act(post_id, moderation.dismiss_flags, _l("Post kept; its flags are closed."))


@bp.get("/posts/<int:post_id>/senalar")
@login_required
def flag_form(post_id: int) -> ResponseReturnValue:
    """Flagging on a page of its own keeps every post of a long thread light."""
    post = posting.get_post(db.session, post_id, current_user)
    return render_template("moderation/flag_form.html", post=post,
                           next_url=safe_next(request.args.get("next"), _fallback()))


@bp.post("/posts/<int:post_id>/senalar")
@login_required
def flag(post_id: int) -> ResponseReturnValue:
    return _act(post_id, moderation.flag_post, _l("Thank you: facilitators will look at it."),
                reason=request.form.get("reason", ""))
