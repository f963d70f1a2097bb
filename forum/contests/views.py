"""The facilitators' pages of a contest: overview and entries, rules (rubric), jury, and
deliberation (aggregate, ties, awards, publication). The jurors' and public pages are in
`jury_views`, on the same blueprint.

A contest lives at /convocatorias/<call>/concurso; a refused form is shown again with the
reason, what was typed, and the error's status (nothing was saved: the session is rolled
back).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.contests import awards, permissions, queries, scoring, services
from forum.contests.models import AwardKind, Contest
from forum.core.errors import DomainError, NotAllowed
from forum.core.web import int_arg
from forum.extensions import db

bp = Blueprint("contests", __name__)
BASE = "/convocatorias/<int:call_id>/concurso"


def contest_for(call_id: int) -> Contest:
    return services.require_contest_of_call(db.session, call_id)


def managed(call_id: int) -> Contest:
    """The contest, for its managers only (403 with the reason for anyone else)."""
    services.require_manager(current_user)
    return contest_for(call_id)


def refusal(exc: DomainError) -> dict[str, Any]:
    """What a page needs to show a refused form again."""
    db.session.rollback()
    return {"error": str(exc.message), "errors": getattr(exc, "fields", {}),
            "typed": request.form}


def back(endpoint: str, call_id: int, message: str, anchor: str | None = None):  # noqa: ANN201
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, call_id=call_id, _anchor=anchor))


@bp.post(f"{BASE}/crear")
@login_required
def create(call_id: int) -> ResponseReturnValue:
    services.create_contest(db.session, current_user, call_id)
    return back("contests.rubric", call_id,
                _("The call is now also a contest. Adapt its categories and rubric."))


# --- overview and entries -----------------------------------------------------------------


def _manage(contest: Contest, status: int = 200, **refused: Any) -> ResponseReturnValue:
    return render_template("contests/manage.html", contest=contest, call=contest.call,
                           gathered=queries.gathered(db.session, contest),
                           jurors=queries.jurors(db.session, contest),
                           error=refused.get("error"), errors=refused.get("errors", {}),
                           typed=refused.get("typed", {}),
                           ficha_id=refused.get("ficha_id")), status


@bp.get(BASE)
@login_required
def manage(call_id: int) -> ResponseReturnValue:
    return _manage(managed(call_id))


@bp.post(f"{BASE}/estado")
@login_required
def change_state(call_id: int) -> ResponseReturnValue:
    contest = managed(call_id)
    action = request.form.get("action", "")
    step = {"open": services.open_jury, "close": services.close_jury}.get(action)
    if step is None:
        return _manage(contest, 400, error=_("Choose what to do with the jury."))
    try:
        step(db.session, current_user, contest.id)
    except DomainError as exc:
        return _manage(contest_for(call_id), exc.status, **refusal(exc))
    message = _("The jury is open: jurors can score.") if action == "open" else \
        _("The jury is closed: the deliberation can start.")
    return back("contests.manage", call_id, message)


@bp.post(f"{BASE}/ubicar")
@login_required
def place(call_id: int) -> ResponseReturnValue:
    contest = managed(call_id)
    ficha_id = int_arg(request.form.get("ficha_id"))
    try:
        services.place_entry(db.session, current_user, contest.id, ficha_id,
                             int_arg(request.form.get("category_id")) or None)
    except DomainError as exc:
        return _manage(contest_for(call_id), exc.status, **refusal(exc), ficha_id=ficha_id)
    return back("contests.manage", call_id, _("Saved."), anchor=f"entry-{ficha_id}")


# --- rules --------------------------------------------------------------------------------


def rubric_values(contest: Contest) -> dict[str, str]:
    return {
        "score_min": str(contest.score_min), "score_max": str(contest.score_max),
        "mentions_max": str(contest.mentions_max),
        "categories": "\n".join(c.name for c in contest.categories),
        "dimensions": "\n".join(f"{d.name}: {d.guidance}" if d.guidance else d.name
                                for d in contest.dimensions),
    }


@bp.route(f"{BASE}/bases", methods=["GET", "POST"])
@login_required
def rubric(call_id: int) -> ResponseReturnValue:
    """GET is for facilitators; a refused POST (anyone's) shows the typed rules again."""
    if request.method == "GET":
        contest = managed(call_id)
        return render_template("contests/rubric.html", contest=contest, call=contest.call,
                               values=rubric_values(contest), errors={}, error=None)
    contest = contest_for(call_id)
    fields = ("score_min", "score_max", "mentions_max", "categories", "dimensions")
    typed = {name: request.form.get(name, "") for name in fields}
    try:
        services.update_rubric(db.session, current_user, contest.id, **typed)
    except DomainError as exc:
        refused = refusal(exc)
        return render_template("contests/rubric.html", contest=contest_for(call_id),
                               call=contest.call, values=typed, errors=refused["errors"],
                               error=refused["error"]), exc.status
    return back("contests.rubric", call_id, _("The rules of the contest are saved."))


# --- jury ---------------------------------------------------------------------------------


def _jury(contest: Contest, status: int = 200, **refused: Any) -> ResponseReturnValue:
    return render_template("contests/jury.html", contest=contest, call=contest.call,
                           jurors=queries.jurors(db.session, contest),
                           error=refused.get("error"), errors=refused.get("errors", {}),
                           typed=refused.get("typed", {}), juror_id=refused.get("juror_id")
                           ), status


@bp.route(f"{BASE}/jurado", methods=["GET", "POST"])
@login_required
def jury(call_id: int) -> ResponseReturnValue:
    contest = managed(call_id)
    if request.method == "GET":
        return _jury(contest)
    try:
        juror = services.add_juror(db.session, current_user, contest.id,
                                   request.form.get("email", ""))
    except DomainError as exc:
        return _jury(contest_for(call_id), exc.status, **refusal(exc))
    return back("contests.jury", call_id,
                _("%(name)s is on the jury.", name=juror.user.display_name))


@bp.post(f"{BASE}/jurado/<int:juror_id>/categorias")
@login_required
def juror_categories(call_id: int, juror_id: int) -> ResponseReturnValue:
    contest = managed(call_id)
    ids = [int_arg(v) for v in request.form.getlist("category_id")]
    try:
        services.set_juror_categories(db.session, current_user, contest.id, juror_id, ids)
    except DomainError as exc:
        return _jury(contest_for(call_id), exc.status, **refusal(exc), juror_id=juror_id)
    return back("contests.jury", call_id, _("Saved."), anchor=f"juror-{juror_id}")


@bp.post(f"{BASE}/jurado/<int:juror_id>/quitar")
@login_required
def remove_juror(call_id: int, juror_id: int) -> ResponseReturnValue:
    contest = managed(call_id)
    try:
        services.remove_juror(db.session, current_user, contest.id, juror_id)
    except DomainError as exc:
        return _jury(contest_for(call_id), exc.status, **refusal(exc), juror_id=juror_id)
    return back("contests.jury", call_id, _("The person is no longer on the jury."))


# --- deliberation -------------------------------------------------------------------------


def awards_typed(contest: Contest) -> dict[int, dict[str, list[int]]]:
    """The award form as posted: "first-<category>" etc.; anything not a number is 0,
    a sheet no category has, so the service names the field."""
    return {c.id: {k.value: [int_arg(v) for v in request.form.getlist(f"{k.value}-{c.id}")
                             if v != ""] for k in AwardKind} for c in contest.categories}


def _deliberation(contest: Contest, status: int = 200, chosen: dict | None = None,
                  **refused: Any) -> ResponseReturnValue:
    rankings = scoring.aggregate(db.session, contest) \
        if permissions.can_see_aggregate(current_user, contest) else []
    if chosen is None:
        saved = awards.awards_of(db.session, contest)
        chosen = awards.chosen_from_awards(saved) if any(saved.values()) \
            else awards.suggested(rankings)
    return render_template("contests/deliberation.html", contest=contest, call=contest.call,
                           rankings=rankings, chosen=chosen, kinds=list(AwardKind),
                           error=refused.get("error"), errors=refused.get("errors", {}),
                           typed=refused.get("typed", {})), status


@bp.get(f"{BASE}/deliberacion")
@login_required
def deliberation(call_id: int) -> ResponseReturnValue:
    return _deliberation(managed(call_id))


@bp.post(f"{BASE}/deliberacion")
@login_required
def give_awards(call_id: int) -> ResponseReturnValue:
    """"Save" keeps the awards for later; "publish" saves and publishes them."""
    contest = managed(call_id)
    chosen = awards_typed(contest)
    publish = request.form.get("action") == "publish"
    try:
        if publish:
            awards.publish_results(db.session, current_user, contest.id, chosen)
        else:
            awards.set_awards(db.session, current_user, contest.id, chosen)
    except NotAllowed:
        raise
    except DomainError as exc:
        return _deliberation(contest_for(call_id), exc.status, chosen, **refusal(exc))
    if publish:
        return back("contests.results_page", call_id, _("The results are published."))
    return back("contests.deliberation", call_id, _("The awards are saved."), anchor="awards")


@bp.post(f"{BASE}/deliberacion/empate")
@login_required
def settle_tie(call_id: int) -> ResponseReturnValue:
    contest = managed(call_id)
    orders = {int_arg(key.removeprefix("order-")): value
              for key, value in request.form.items() if key.startswith("order-")}
    try:
        scoring.settle_tie(db.session, current_user, contest.id, orders)
    except NotAllowed:
        raise
    except DomainError as exc:
        return _deliberation(contest_for(call_id), exc.status, **refusal(exc))
    return back("contests.deliberation", call_id, _("The tie is settled."), anchor="ranking")


@bp.post(f"{BASE}/despublicar")
@login_required
def unpublish(call_id: int) -> ResponseReturnValue:
    contest = managed(call_id)
    awards.unpublish_results(db.session, current_user, contest.id)
    return back("contests.deliberation", call_id,
                _("The results are withdrawn: the awards can be changed again."))
