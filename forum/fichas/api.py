"""API v1 routes for experience sheets; thin wrappers over the same services as the pages."""

from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for
from flask_babel import gettext as _

from forum.api import bp, json_body, optional_user, token_required
from forum.core.errors import Conflict, Invalid
from forum.extensions import db
from forum.fichas import queries, services
from forum.fichas.exchange import ficha_json, person_json


@bp.get("/fichas")
def list_fichas():  # noqa: ANN201
    person = optional_user()
    filters = queries.parse_filters(request.args, current_app.config["PAGE_SIZE"])
    page = queries.list_fichas(db.session, person, filters)
    items = [
        {
            "id": f.id,
            "title": f.title,
            "summary": f.summary,
            "country": f.country,
            "status": f.status,
            "modality": f.modality,
            "themes": f.themes,
            "actors": f.actors,
            "completeness": f.completeness,
            "version": f.version,
            "owner": person_json(f.owner),
            "updated_at": f.updated_at.isoformat() + "Z",
            "url": url_for("api.get_ficha", ficha_id=f.id),
        }
        for f in page.items
    ]
    return jsonify(
        {
            "items": items,
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
            "pages": page.pages,
        }
    )


@bp.get("/fichas/<int:ficha_id>")
def get_ficha(ficha_id: int):  # noqa: ANN201
    return jsonify(ficha_json(services.get_ficha(db.session, ficha_id, optional_user())))


@bp.get("/fichas/<int:ficha_id>/revisions")
def list_revisions(ficha_id: int):  # noqa: ANN201
    services.get_ficha(db.session, ficha_id, optional_user())
    revisions = services.list_revisions(db.session, ficha_id)
    return jsonify(
        {
            "items": [
                {
                    "number": r.number,
                    "author": person_json(r.author),
                    "summary": r.summary,
                    "created_at": r.created_at.isoformat() + "Z",
                    "snapshot": r.snapshot,
                }
                for r in revisions
            ]
        }
    )


@bp.post("/fichas")
@token_required
def create_ficha():  # noqa: ANN201
    data = json_body()
    summary = data.pop("edit_summary", "")
    ficha = services.create_ficha(db.session, g.api_user, data, edit_summary=summary)
    db.session.commit()
    response = jsonify(ficha_json(ficha))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_ficha", ficha_id=ficha.id)
    return response


@bp.put("/fichas/<int:ficha_id>")
@token_required
def update_ficha(ficha_id: int):  # noqa: ANN201
    data = json_body()
    version = data.pop("version", None)
    summary = data.pop("edit_summary", "")
    if not isinstance(version, int) or isinstance(version, bool):
        raise Invalid({"version": _("Send the version you started from (an integer).")})
    try:
        ficha = services.revise_ficha(
            db.session, g.api_user, ficha_id, data, base_version=version, edit_summary=summary
        )
    except Conflict as exc:
        db.session.rollback()
        current = services.get_ficha(db.session, ficha_id)
        body = {
            "error": {
                "code": "conflict",
                "message": str(exc.message),
                "fields": {},
                "current_version": current.version,
            },
            "current": ficha_json(current),
        }
        return jsonify(body), 409
    db.session.commit()
    return jsonify(ficha_json(ficha))
