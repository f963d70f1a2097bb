"""Pages of the library: browse and filter, an item's page, facilitators' forms, downloads,
and the recommendations of a sheet or a space. Forms post and redirect; no script needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from forum.core import pagecache, permissions
from forum.core.errors import Invalid, NotAllowed, NotFound
from forum.core.web import cacheable_visit, int_arg, page_cache, safe_next
from forum.extensions import db
from forum.fichas.queries import editable_titles
from forum.fichas.services import get_ficha
from forum.library import queries, schema, services
from forum.library.models import LibraryItem, Recommendation
from forum.spaces.models import Space
from forum.spaces.services import get_space

bp = Blueprint("library", __name__, url_prefix="/biblioteca")

TEXT_FIELDS = ("title", "authors", "year", "language", "summary", "source", "url")


def item_form_data(form: Any) -> dict[str, Any]:
    """The item fields of a posted form, in the API's shape."""
    return {**{k: form.get(k, "") for k in TEXT_FIELDS}, "themes": form.getlist("themes"),
            "helps_with": form.getlist("helps_with")}


def _upload() -> services.Upload | None:
    file = request.files.get("file")
    return services.Upload(file.filename, file.stream) if file and file.filename else None


def _storage() -> services.Storage:
    return services.Storage(Path(current_app.config["UPLOAD_DIR"]),
                            current_app.config["MAX_ATTACHMENT_BYTES"])


def _require_curator() -> None:
    if not services.can_curate(current_user):
        raise NotAllowed(_("Only facilitators curate the library."))


@bp.get("/")
def index():  # noqa: ANN201
    """Visitors share one rendering per filter set and state of the library."""
    if cacheable_visit() and not queries.read_filters(request.args)[1]:
        key = ("library", request.query_string, str(get_locale()),
               *queries.library_stamp(db.session))
        return pagecache.respond(*page_cache(), key, lambda: _index()[0])
    return _index()


def _index() -> tuple[str, int]:
    filters, errors = queries.read_filters(request.args, current_app.config["PAGE_SIZE"])
    page = queries.list_items(db.session, filters)
    return render_template("library/index.html", page=page, filters=filters, errors=errors,
                           years=queries.years(db.session), schema=schema), \
        422 if errors else 200


@bp.get("/<int:item_id>")
def show(item_id: int):  # noqa: ANN201
    return _show(item_id)


def _show(item_id: int, errors: dict | None = None, typed: Any = None,
          status: int = 200):  # noqa: ANN202
    item = queries.get_item(db.session, item_id)
    places = queries.recommended_where(db.session, item.id, current_user)
    mine = editable_titles(db.session, current_user) if current_user.is_authenticated else []
    spaces = (db.session.execute(select(Space.id, Space.title).order_by(Space.title)).all()
              if permissions.is_facilitator(current_user) else [])
    return render_template("library/show.html", item=item, places=places, my_fichas=mine,
                           spaces=spaces, schema=schema, errors=errors or {},
                           typed=typed or {}), status


def _form(item: LibraryItem | None, values: dict, errors: dict | None = None,
          status: int = 200):  # noqa: ANN202
    return render_template("library/form.html", item=item, values=values, errors=errors or {},
                           schema=schema), status


@bp.route("/nueva", methods=["GET", "POST"])
@login_required
def new():  # noqa: ANN201
    _require_curator()
    if request.method == "GET":
        return _form(None, schema.blank())
    values = item_form_data(request.form)
    try:
        item = services.create_item(db.session, current_user, values, _upload(), _storage())
    except Invalid as exc:
        db.session.rollback()
        return _form(None, values, exc.fields, 422)
    db.session.commit()
    flash(_("The guide is in the library."), "success")
    return redirect(url_for("library.show", item_id=item.id))


@bp.route("/<int:item_id>/editar", methods=["GET", "POST"])
@login_required
def edit(item_id: int):  # noqa: ANN201
    _require_curator()
    item = queries.get_item(db.session, item_id)
    if request.method == "GET":
        values = {k: getattr(item, k) for k in TEXT_FIELDS}
        return _form(item, values | {"themes": item.themes, "helps_with": item.helps_with})
    values = item_form_data(request.form)
    try:
        services.update_item(db.session, current_user, item_id, values, _upload(), _storage())
    except Invalid as exc:
        db.session.rollback()
        return _form(queries.get_item(db.session, item_id), values, exc.fields, 422)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("library.show", item_id=item_id))


@bp.post("/<int:item_id>/borrar")
@login_required
def remove(item_id: int):  # noqa: ANN201
    services.remove_item(db.session, current_user, item_id, _storage())
    db.session.commit()
    flash(_("The guide was removed from the library."), "success")
    return redirect(url_for("library.index"))


@bp.get("/archivos/<int:item_id>/<path:name>")
def download(item_id: int, name: str):  # noqa: ANN201, ARG001
    item = db.session.get(LibraryItem, item_id)
    if item is None or item.file is None:
        raise NotFound(_("This file does not exist."))
    return send_from_directory(current_app.config["UPLOAD_DIR"], item.file.stored_name,
                               as_attachment=True, download_name=item.file.display_name,
                               mimetype=item.file.mime, max_age=86400)


# --- recommendations ----------------------------------------------------------------------


def _target_of(form: Any) -> tuple[int | None, int | None]:
    """"ficha:12" or "space:3" from the picker, or a sheet's number typed by a facilitator."""
    if int_arg(form.get("ficha_number")):
        return int_arg(form.get("ficha_number")), None
    kind, _sep, ref = str(form.get("target", "")).partition(":")
    number = int_arg(ref) or None
    return (number, None) if kind == "ficha" else (None, number) if kind == "space" else \
        (None, None)


@bp.post("/<int:item_id>/recomendar")
@login_required
def recommend(item_id: int):  # noqa: ANN201
    """From an item's page: recommend it on one of my sheets or (facilitators) a space."""
    queries.get_item(db.session, item_id)
    ficha_id, space_id = _target_of(request.form)
    try:
        rec = services.recommend(db.session, current_user, item_id, ficha_id=ficha_id,
                                 space_id=space_id, note=request.form.get("note", ""))
    except Invalid as exc:
        db.session.rollback()
        return _show(item_id, errors=exc.fields, typed=request.form, status=422)
    db.session.commit()
    flash(_("Recommended. It now shows on that page."), "success")
    return redirect(_manage_url(rec.ficha_id, rec.space_id))


def _manage_url(ficha_id: int | None, space_id: int | None) -> str:
    if ficha_id:
        return url_for("library.for_ficha", ficha_id=ficha_id)
    return url_for("library.for_space", space_id=space_id)


def _manage(ficha_id: int | None, space_id: int | None):  # noqa: ANN202
    """The recommendations of one sheet or space, and a form to add one (same URL posts)."""
    services.require_target(db.session, current_user, ficha_id, space_id)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            services.recommend(db.session, current_user, int_arg(request.form.get("item_id")),
                               ficha_id=ficha_id, space_id=space_id,
                               note=request.form.get("note", ""))
        except Invalid as exc:
            db.session.rollback()
            errors = exc.fields
        else:
            db.session.commit()
            flash(_("Recommended. It now shows on that page."), "success")
            return redirect(_manage_url(ficha_id, space_id))
    target = (get_ficha(db.session, ficha_id, current_user) if ficha_id
              else get_space(db.session, space_id, current_user))
    recs = queries.recommendations_on(db.session, ficha_id=ficha_id, space_id=space_id)
    return render_template("library/manage.html", target=target, is_ficha=bool(ficha_id),
                           recs=recs, items=queries.all_titles(db.session), errors=errors,
                           typed=request.form if errors else {}), 422 if errors else 200


@bp.route("/recomendaciones/ficha/<int:ficha_id>", methods=["GET", "POST"])
@login_required
def for_ficha(ficha_id: int):  # noqa: ANN201
    return _manage(ficha_id, None)


@bp.route("/recomendaciones/espacio/<int:space_id>", methods=["GET", "POST"])
@login_required
def for_space(space_id: int):  # noqa: ANN201
    return _manage(None, space_id)


@bp.post("/recomendaciones/<int:recommendation_id>/quitar")
@login_required
def unrecommend(recommendation_id: int):  # noqa: ANN201
    rec: Recommendation = services.remove_recommendation(db.session, current_user,
                                                         recommendation_id)
    ficha_id, space_id = rec.ficha_id, rec.space_id
    db.session.commit()
    flash(_("The recommendation was removed."), "success")
    return redirect(safe_next(request.form.get("next"), _manage_url(ficha_id, space_id)))
