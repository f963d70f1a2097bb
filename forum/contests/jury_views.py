"""The jurors' pages (their list to score, the scoring form), the public results (page and
CSV) and sending a sheet to the contest in a category. Routes on `views.bp`."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.contests import permissions, queries, results, scoring, services
from forum.contests.models import Contest, Entry
from forum.contests.views import BASE, bp, contest_for, refusal
from forum.core.errors import DomainError, NotFound
from forum.core.web import int_arg
from forum.extensions import db
from forum.fichas.models import Ficha
from forum.fichas.services import ficha_access


@bp.get("/concursos/mis-evaluaciones")
@login_required
def desk() -> ResponseReturnValue:
    """A juror's home: every contest they judge, what is left to score, and why some
    sheets are not theirs to score."""
    return render_template("contests/desk.html",
                           desks=scoring.my_desks(db.session, current_user))


# --- scoring one sheet --------------------------------------------------------------------


def _score_page(contest: Contest, entry: Entry, status: int = 200,
                **refused: Any) -> ResponseReturnValue:
    juror = services.juror_for(db.session, contest.id, current_user)
    ficha = db.session.get(Ficha, entry.ficha_id)
    allowed = permissions.can_score(current_user, contest, juror, entry.category_id,
                                    ficha_access(db.session, entry.ficha_id))
    return render_template(
        "contests/score.html", contest=contest, call=contest.call, entry=entry, ficha=ficha,
        category=next((c for c in contest.categories if c.id == entry.category_id), None),
        juror=juror, allowed=allowed, own=scoring.own_scores(db.session, entry, juror),
        others=scoring.all_scores(db.session, current_user, contest, entry),
        error=refused.get("error"), errors=refused.get("errors", {}),
        typed=refused.get("typed")), status


@bp.get(f"{BASE}/fichas/<int:ficha_id>")
@login_required
def score(call_id: int, ficha_id: int) -> ResponseReturnValue:
    """Jurors of the sheet's category; facilitators too once the jury has closed."""
    contest = contest_for(call_id)
    entry = scoring.entry_of(db.session, contest, ficha_id)
    if not permissions.can_see_aggregate(current_user, contest):
        scoring.require_juror_of(db.session, current_user, contest, entry)
    return _score_page(contest, entry)


@bp.post(f"{BASE}/fichas/<int:ficha_id>")
@login_required
def save_score(call_id: int, ficha_id: int) -> ResponseReturnValue:
    contest = contest_for(call_id)
    values = {d.id: request.form.get(f"score-{d.id}", "") for d in contest.dimensions}
    comments = {d.id: request.form.get(f"comment-{d.id}", "") for d in contest.dimensions}
    try:
        scoring.score_entry(db.session, current_user, contest.id, ficha_id, values, comments)
    except DomainError as exc:
        refused = refusal(exc)
        contest = contest_for(call_id)
        return _score_page(contest, scoring.entry_of(db.session, contest, ficha_id),
                           exc.status, **refused)
    db.session.commit()
    flash(_("Your scores are saved. You can revise them while the jury is open."), "success")
    return redirect(url_for("contests.desk", _anchor=f"contest-{contest.id}"))


# --- results ------------------------------------------------------------------------------


def _results_of(call_id: int) -> results.Results:
    contest = contest_for(call_id)
    if not permissions.can_view_results(current_user, contest):
        raise NotFound(_("The results of this contest are not published yet."))
    return results.results(db.session, contest)


@bp.get(f"{BASE}/resultados")
def results_page(call_id: int) -> ResponseReturnValue:
    found = _results_of(call_id)
    return render_template("contests/results.html", r=found, contest=found.contest,
                           call=found.contest.call)


@bp.get(f"{BASE}/resultados.csv")
def results_csv(call_id: int) -> Response:
    found = _results_of(call_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("table"), _("code"), _("label"), _("category"), _("sheets")])
    writer.writerows(results.csv_rows(found))
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="concurso-{call_id}-resultados.csv"')
    return response


# --- sending a sheet in a category --------------------------------------------------------


@bp.post(f"{BASE}/enviar")
@login_required
def submit(call_id: int) -> ResponseReturnValue:
    ficha_id = request.form.get("ficha_id", type=int)
    category_id = int_arg(request.form.get("category_id")) or None
    try:
        services.submit_entry(db.session, current_user, call_id, ficha_id, category_id)
    except DomainError as exc:
        refused = refusal(exc)
        contest = contest_for(call_id)
        return render_template("contests/submit.html", contest=contest, call=contest.call,
                               own=queries.sendable(db.session, contest, current_user),
                               chosen_ficha=ficha_id, chosen_category=category_id,
                               **refused), exc.status
    db.session.commit()
    flash(_("Your sheet was sent to this call and its contest."), "success")
    return redirect(url_for("communities.call", call_id=call_id, _anchor="gathered"))
