"""The panorama page and its CSV downloads. Thin: ask figures, draw or write."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.core.errors import Invalid, NotFound
from forum.core.web import page_cache, shared_page
from forum.dashboard import figures
from forum.dashboard import report as reporting
from forum.extensions import db
from forum.spaces.kinds import STANCES
from forum.spaces.services import require_facilitator

bp = Blueprint("dashboard", __name__, url_prefix="/panorama")

FILTER_ARG = {"country": "country", "themes": "theme", "actors": "actor",
              "modality": "modality", "status": "status"}


def _titles() -> dict[str, str]:
    return {"country": _("Experiences by country"), "themes": _("Experiences by theme"),
            "actors": _("Experiences by kind of actor"),
            "modality": _("Experiences by cooperation modality"),
            "status": _("Experiences by status")}


@bp.get("/")
def index() -> ResponseReturnValue:
    """Seven grouped queries over every sheet and post (~90 ms at 10,000 sheets) run once
    per change of the figures and language; visitors get the page itself from memory."""
    key = ("panorama", str(get_locale()), *figures.panorama_stamp(db.session))
    return shared_page(key, lambda: _page(key)) or _page(key)


def _page(key: tuple) -> str:
    charts, spaces, months = page_cache()[0].get_or_render(("figures", *key), _count)
    return render_template("dashboard/index.html", charts=charts, spaces=spaces,
                           months=months, kind_label=figures.kind_label)


def _count() -> tuple[list, list, list]:
    charts = []
    for dimension in figures.DIMENSIONS:
        counts = figures.sheets_by(db.session, dimension)
        rows = [(c.label, c.n, url_for("fichas.index", **{FILTER_ARG[dimension]: c.code}))
                for c in counts]
        charts.append((dimension, _titles()[dimension], rows))
    return (charts, figures.participation_by_space(db.session),
            figures.participation_by_month(db.session))


def _csv(name: str, header: list[str], rows: list) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="panorama-{name}.csv"'
    return response


@bp.get("/<name>.csv")
def download(name: str) -> Response:
    if name in figures.DIMENSIONS:
        counts = figures.sheets_by(db.session, name)
        return _csv(name, ["code", "label", "sheets"], [(c.code, c.label, c.n) for c in counts])
    if name == "spaces":
        rows = [(s.space_id, s.title, s.kind, s.posts, s.people)
                for s in figures.participation_by_space(db.session)]
        return _csv(name, ["space_id", "title", "kind", "posts", "people"], rows)
    if name == "months":
        return _csv(name, ["month", "posts", "people", "new_sheets"],
                    figures.participation_by_month(db.session))
    raise NotFound(_("There is no such table."))


@bp.get("/informe")
@login_required
def report() -> ResponseReturnValue:
    """The forum report for a period, for facilitators: printable, and downloadable."""
    require_facilitator(current_user)
    typed = {"since": request.args.get("desde", ""), "until": request.args.get("hasta", "")}
    try:
        period = reporting.parse_period(typed["since"], typed["until"], date.today())
    except Invalid as exc:
        return render_template("dashboard/report.html", report=None, typed=typed,
                               errors=exc.fields, kind_label=figures.kind_label), 422
    found = reporting.forum_report(db.session, period)
    html = render_template("dashboard/report.html", report=found, typed=typed, errors={},
                           kind_label=figures.kind_label, stances=STANCES)
    if request.args.get("descargar") == "1":
        response = Response(html, mimetype="text/html")
        name = f"informe-foro-{period.since.isoformat()}-{period.until.isoformat()}.html"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return html
