"""Pages of communities of practice and of calls for experiences (convocatorias)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.communities import queries, services
from forum.communities.forms import CallForm, CommunityForm
from forum.communities.models import Community
from forum.core.errors import Conflict, Invalid
from forum.core.slugs import Ref
from forum.core.web import moved_permanently
from forum.extensions import db
from forum.spaces.kinds import STATES

bp = Blueprint("communities", __name__)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _status() -> int:
    return 422 if request.method == "POST" else 200


def _save(form: Any, write: Callable[..., Any]) -> Any:
    """Run the use case on the form's values and commit; on a refusal (None) the form keeps
    the typed text and shows the reasons beside the fields, and nothing is written."""
    if not form.validate_on_submit():
        return None
    try:
        done = write(**form.values())
    except Invalid as exc:
        db.session.rollback()
        form.add_errors(exc.fields)
        return None
    db.session.commit()
    return done


# --- communities --------------------------------------------------------------------------


@bp.get("/comunidades/")
def index():  # noqa: ANN201
    return render_template(
        "communities/index.html",
        rows=queries.list_communities(db.session),
        mine=services.member_community_ids(db.session, current_user),
    )


@bp.route("/comunidades/nueva", methods=["GET", "POST"])
@login_required
def new():  # noqa: ANN201
    services.require_facilitator(current_user)
    form = CommunityForm()
    community = _save(form, partial(services.create_community, db.session, current_user))
    if community:
        flash(_("The community is open. Invite people to join it."), "success")
        return redirect(url_for("communities.show", community_id=community.id))
    return render_template("communities/form.html", form=form, community=None), _status()


@bp.route("/comunidades/<int:community_id>/editar", methods=["GET", "POST"])
@login_required
def edit(community_id: int):  # noqa: ANN201
    services.require_facilitator(current_user)
    community = services.get_community(db.session, community_id)
    form = CommunityForm(obj=community)
    if _save(form, partial(services.update_community, db.session, current_user, community_id)):
        flash(_("Saved."), "success")
        return redirect(url_for("communities.show", community_id=community_id))
    return render_template("communities/form.html", form=form, community=community), _status()


@bp.get("/comunidades/<ref:community_id>")
def show(community_id: Ref):  # noqa: ANN201
    """Old words in the URL (the community was renamed) get a 301 to the current ones."""
    page = queries.community_page(db.session, community_id.id, current_user)
    if moved := moved_permanently("communities.show", community_id, page.community.slug):
        return moved
    return render_template("communities/show.html", page=page, c=page.community, states=STATES)


@bp.post("/comunidades/<int:community_id>/unirse")
@login_required
def join(community_id: int):  # noqa: ANN201
    services.join_community(db.session, current_user, community_id)
    db.session.commit()
    flash(_("You are a member of %(name)s.", name=_community_name(community_id)), "success")
    return redirect(url_for("communities.show", community_id=community_id))


@bp.post("/comunidades/<int:community_id>/salir")
@login_required
def leave(community_id: int):  # noqa: ANN201
    services.leave_community(db.session, current_user, community_id)
    db.session.commit()
    flash(_("You left %(name)s.", name=_community_name(community_id)), "success")
    return redirect(url_for("communities.show", community_id=community_id))


def _community_name(community_id: int) -> str:
    community = db.session.get(Community, community_id)
    return community.name if community else ""


# --- calls for experiences ----------------------------------------------------------------


@bp.get("/convocatorias/")
def calls():  # noqa: ANN201
    lists = queries.list_calls(db.session, _now())
    return render_template("calls/index.html", lists=lists, timezone=str(get_timezone()))


@bp.route("/convocatorias/nueva", methods=["GET", "POST"])
@login_required
def new_call():  # noqa: ANN201
    services.require_facilitator(current_user)
    form = CallForm()
    call = _save(form, partial(services.open_call, db.session, current_user))
    if call:
        flash(_("The call is published."), "success")
        return redirect(url_for("communities.call", call_id=call.id))
    return render_template("calls/form.html", form=form, call=None,
                           timezone=str(get_timezone())), _status()


@bp.route("/convocatorias/<int:call_id>/editar", methods=["GET", "POST"])
@login_required
def edit_call(call_id: int):  # noqa: ANN201
    services.require_facilitator(current_user)
    call = services.get_call(db.session, call_id)
    form = CallForm() if request.method == "POST" else CallForm.of(call)
    if _save(form, partial(services.update_call, db.session, current_user, call_id)):
        flash(_("Saved."), "success")
        return redirect(url_for("communities.call", call_id=call_id))
    return render_template("calls/form.html", form=form, call=call,
                           timezone=str(get_timezone())), _status()


@bp.get("/convocatorias/<int:call_id>")
def call(call_id: int):  # noqa: ANN201
    return _render_call(call_id)


def _render_call(call_id: int, error: str = "", status: int = 200):  # noqa: ANN202
    page = queries.call_page(db.session, call_id, current_user, _now())
    return render_template(
        "calls/show.html",
        page=page,
        call=page.call,
        error=error,
        timezone=str(get_timezone()),
        chosen=request.form.get("ficha_id", type=int),
    ), status


@bp.post("/convocatorias/<int:call_id>/enviar")
@login_required
def submit(call_id: int):  # noqa: ANN201
    ficha_id = request.form.get("ficha_id", type=int)
    try:
        services.submit_to_call(db.session, current_user, call_id, ficha_id)
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        return _render_call(call_id, str(exc.message), exc.status)
    db.session.commit()
    flash(_("Your sheet was sent to this call."), "success")
    return redirect(url_for("communities.call", call_id=call_id, _anchor="gathered"))


@bp.post("/convocatorias/<int:call_id>/retirar")
@login_required
def withdraw(call_id: int):  # noqa: ANN201
    services.withdraw_submission(
        db.session, current_user, call_id, request.form.get("ficha_id", type=int) or 0
    )
    db.session.commit()
    flash(_("The sheet was withdrawn from this call."), "success")
    return redirect(url_for("communities.call", call_id=call_id, _anchor="gathered"))
