"""The search page and the page of similar experiences: plain GET forms, no JavaScript."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from forum.extensions import db
from forum.fichas import services as fichas
from forum.search import presenting, service, similar
from forum.search.params import read_params

bp = Blueprint("search", __name__, url_prefix="/buscar")


@bp.app_context_processor
def helpers() -> dict:
    return {"search_doc_url": presenting.doc_url, "search_doc_label": presenting.doc_label,
            "search_kind_label": presenting.kind_label,
            "search_part_label": presenting.part_label}


@bp.get("/")
def page():  # noqa: ANN201
    """Bad filter values are the only 4xx: the page still shows what it could use."""
    params, errors = read_params(request.args, current_app.config["PAGE_SIZE"])
    found = service.search(db.session, current_user, params)
    return render_template(
        "search/index.html", page=found, params=params, errors=errors,
        groups=presenting.facet_groups(found), labels=presenting.ARGUMENT_LABELS,
    ), 422 if errors else 200


@bp.get("/parecidas/<int:ficha_id>")
def similar_page(ficha_id: int):  # noqa: ANN201
    ficha = fichas.get_ficha(db.session, ficha_id, current_user)
    hits = similar.similar_sheets(ficha_id, limit=20)
    return render_template("search/similar.html", ficha=ficha, hits=hits)
