"""Pages of spaces: listing, the five kinds' pages, threads, and facilitators' forms."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from forum.accounts.auth import post_limit, rate_key
from forum.communities.models import Community
from forum.core import pagecache
from forum.core.errors import Conflict, Invalid, NotFound
from forum.core.permissions import visible_spaces
from forum.core.slugs import Ref
from forum.core.web import (
    cacheable_person_visit,
    cacheable_visit,
    int_arg,
    moved_permanently,
    page_cache,
    personal_page,
)
from forum.extensions import db, limiter
from forum.fichas.models import Ficha
from forum.fichas.queries import editable_titles
from forum.spaces import files, posting, queries, services
from forum.spaces.kinds import KINDS, STANCES, STATES, STRUCTURED_LABELS, SpaceKind, SpaceState
from forum.spaces.models import Space
from forum.spaces.video import embed_url, frame_origin

bp = Blueprint("spaces", __name__, url_prefix="/espacios")

SPACE_FIELDS = ("kind", "title", "framing", "summary", "video_url", "community_id",
                "members_only", "hold_questions", "starts_at", "ends_at")


def space_form_data(form: Any) -> dict[str, Any]:
    return {**{k: form.get(k, "") for k in SPACE_FIELDS}, "themes": form.getlist("themes")}


@bp.get("/")
def index():  # noqa: ANN201
    kind = request.args.get("tipo", "")
    kind = kind if kind in SpaceKind.__members__.values() else ""
    archived = request.args.get("archivo") == "1"
    summaries = queries.list_spaces(db.session, current_user, kind=kind, archived=archived)
    return render_template("spaces/index.html", summaries=summaries, kind=kind, kinds=KINDS,
                           archived=archived, states=STATES, stances=STANCES)


def _space_form(space: Space | None, values: dict, errors: dict, status: int = 200):  # noqa: ANN202
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    return render_template("spaces/form.html", space=space, values=values, errors=errors,
                           kinds=KINDS, communities=communities), status


@bp.route("/nuevo", methods=["GET", "POST"])
@login_required
def new():  # noqa: ANN201
    if request.method == "GET":
        services.require_facilitator(current_user)
        return _space_form(None, {"kind": request.args.get("tipo", "")}, {})
    values = space_form_data(request.form)
    try:
        space = services.create_space(db.session, current_user, values)
    except Invalid as exc:
        db.session.rollback()
        return _space_form(None, values, exc.fields, 422)
    db.session.commit()
    return redirect(url_for("spaces.show", space_id=space))


@bp.route("/<int:space_id>/editar", methods=["GET", "POST"])
@login_required
def edit(space_id: int):  # noqa: ANN201
    services.require_facilitator(current_user)
    space = services.get_space(db.session, space_id, current_user)
    if request.method == "GET":
        values = {k: getattr(space, k) for k in SPACE_FIELDS}
        values["themes"] = services.space_themes_of(db.session, space.id)
        return _space_form(space, values, {})
    values = space_form_data(request.form)
    try:
        services.update_space(db.session, current_user, space_id, values)
    except Invalid as exc:
        db.session.rollback()
        return _space_form(space, values | {"kind": space.kind}, exc.fields, 422)
    db.session.commit()
    return redirect(url_for("spaces.show", space_id=space))


@bp.get("/<ref:space_id>")
def show(space_id: Ref):  # noqa: ANN201
    """Old words in the URL (the space was renamed) get a 301 to the current ones."""
    return (_cached_for_visitors(space_id.id, None, space_id)
            or _for_person(space_id.id, None, space_id))


@bp.get("/<int:space_id>/hilos/<int:root_id>")
def thread(space_id: int, root_id: int):  # noqa: ANN201
    return _cached_for_visitors(space_id, root_id) or _for_person(space_id, root_id)


def _cached_for_visitors(space_id: int, root_id: int | None,
                         ref: Ref | None = None):  # noqa: ANN202
    """Visitors share one rendering per revision of a public space (None: render it)."""
    if not cacheable_visit() or request.args.get("video") == "1":  # the embed sets its own CSP
        return None
    stamp = services.space_stamp(db.session, space_id)
    if stamp and ref and (moved := moved_permanently("spaces.show", ref, stamp.slug)):
        return moved
    if stamp is None or stamp.state == SpaceState.DRAFT or stamp.members_only:
        return None
    key = ("space", space_id, root_id, stamp.revision, stamp.window, stamp.state,
           request.query_string, str(get_locale()))
    return pagecache.respond(*page_cache(), key, lambda: _page_html(space_id, root_id))


def _for_person(space_id: int, root_id: int | None,
                ref: Ref | None = None):  # noqa: ANN202
    """Plain participants of a public space share one rendering per revision, with their
    own header part and form tokens spliced in; anyone else gets their own rendering."""
    viewer = (services.viewer_stamp(db.session, current_user, space_id)
              if current_user.is_authenticated else None)
    if viewer and ref and (moved := moved_permanently("spaces.show", ref, viewer.stamp.slug)):
        return moved
    if viewer is None or not _shareable(viewer):
        return space_page(space_id, root_id=root_id,
                          mine=viewer.participation if viewer else None)
    stamp = viewer.stamp
    # the position form offers the person's own sheets: people with the same list share
    sheets = (tuple(editable_titles(db.session, current_user))
              if viewer.kind == SpaceKind.DEBATE else ())
    key = ("space-person", space_id, root_id, stamp.revision, stamp.window, stamp.state,
           request.query_string, str(get_locale()), str(get_timezone()), sheets)
    html = page_cache()[0].get_or_render(key, lambda: pagecache.render_shared(
        lambda: _page_html(space_id, root_id, viewer.participation)))
    return personal_page(html)


def _shareable(viewer: services.ViewerStamp) -> bool:
    return (viewer.plain and cacheable_person_visit() and request.args.get("video") != "1"
            and viewer.stamp.state != SpaceState.DRAFT and not viewer.stamp.members_only
            # an innovation's forms list every citable sheet: not fixed by the revision
            and viewer.kind != SpaceKind.INNOVATION)


def _page_html(space_id: int, root_id: int | None,
               mine: queries.Participation | None = None) -> str:
    response = space_page(space_id, root_id=root_id, mine=mine)
    if response.status_code != 200:
        raise NotFound(_("This thread does not exist."))
    return response.get_data(as_text=True)


def space_page(space_id: int, *, root_id: int | None = None, errors: dict | None = None,
               typed: Any = None, status: int = 200,
               mine: queries.Participation | None = None):  # noqa: ANN201
    """One template for every kind; what differs is data, chosen by the kind's rules."""
    space = services.get_space(db.session, space_id, current_user)
    sort = request.args.get("orden", "support" if space.kind == SpaceKind.CONFERENCE else "")
    page = max(int_arg(request.args.get("pagina"), 1), 1)
    context = {"space": space, "rules": space.rules, "sort": sort, "page": page,
               "root_id": root_id, "errors": errors or {}, "typed": typed or {},
               "stances": STANCES, "structured_labels": STRUCTURED_LABELS, "states": STATES,
               "window": services.window(space), "kinds": KINDS}
    mine = mine or queries.participation(db.session, current_user, space)
    context |= _kind_context(space) | {"mine": {"id": mine.position_id}
                                       if mine.position_id else None}
    shared = not root_id and not errors and mine.plain
    if shared:  # the same list for every participant with nothing of their own here
        key = ("space-list", space.id, space.revision, context["window"], space.state, sort,
               page, str(get_locale()))
        html, more = page_cache()[0].get_or_render(key, lambda: _thread_list(context))
        context |= {"threads": queries.ThreadList([], more=more), "supported": set(),
                    "thread_list": Markup(pagecache.with_token(html))}
    else:
        found = queries.threads(db.session, current_user, space, sort=sort, root_id=root_id,
                                page=page)
        if root_id and not found:  # hidden, held, removed or never there: one answer
            raise NotFound(_("This thread does not exist."))
        if space.kind == SpaceKind.CONFERENCE:
            context["supported"] = queries.my_supports(db.session, current_user, space.id)
        context["threads"] = found
        context["thread_list"] = Markup(render_template("spaces/_list.html", **context))
    response = current_app.make_response((render_template("spaces/show.html", **context),
                                          status))
    if context.get("embed") and request.args.get("video") == "1":
        csp = response.headers.get("Content-Security-Policy", "")
        response.headers["Content-Security-Policy"] = csp.replace(
            "frame-src ", f"frame-src {frame_origin(context['embed'])} ")
    return response




def _thread_list(context: dict[str, Any]) -> tuple[str, bool]:
    """Render the list for the shared variant, with the token mark to splice per person."""
    found = queries.threads(db.session, current_user, context["space"], sort=context["sort"],
                            page=context["page"])
    html = render_template("spaces/_list.html", **context | {
        "threads": found, "supported": set(), "csrf_token": lambda: pagecache.TOKEN_MARK})
    return html, found.more


def _kind_context(space: Space) -> dict[str, Any]:
    extra: dict[str, Any] = {"embed": embed_url(space.video_url) if space.video_url else None,
                             "show_video": request.args.get("video") == "1"}
    if space.kind == SpaceKind.CONFERENCE:
        extra["held"] = queries.moderation_counts(db.session, space.id)
    if space.kind == SpaceKind.DEBATE:
        extra["balance"], extra["by_country"] = queries.stance_counts(db.session, space.id)
    if current_user.is_authenticated and space.kind in (SpaceKind.DEBATE,
                                                        SpaceKind.INNOVATION):
        extra["my_fichas"] = editable_titles(db.session, current_user)
    if space.kind == SpaceKind.INNOVATION and current_user.is_authenticated:
        extra["citable_fichas"] = db.session.execute(
            select(Ficha.id, Ficha.title).where(Ficha.lessons != "").order_by(Ficha.title)
            .limit(200)).all()
        extra["citable_syntheses"] = db.session.execute(
            visible_spaces(select(Space.id, Space.title), current_user)
            .where(Space.synthesis != "").order_by(Space.title).limit(100)).all()
    return extra


def _back(space_id: int, post_id: int | None = None, root_id: int | None = None):  # noqa: ANN202
    anchor = f"post-{post_id}" if post_id else None
    if root_id and request.form.get("in_thread"):
        return redirect(url_for("spaces.thread", space_id=space_id, root_id=root_id,
                                _anchor=anchor))
    return redirect(url_for("spaces.show", space_id=space_id, _anchor=anchor))


@bp.post("/<int:space_id>/publicar")
@login_required
@limiter.limit(post_limit, key_func=rate_key)
def publish(space_id: int):  # noqa: ANN201
    data = {**request.form.to_dict(), "cites_fichas": request.form.getlist("cites_fichas"),
            "cites_spaces": request.form.getlist("cites_spaces")}
    try:
        post = posting.post_root(db.session, current_user, space_id, data,
                                 hold_first=current_app.config["HOLD_FIRST_POSTS"])
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        fields = getattr(exc, "fields", {"body": exc.message})
        return space_page(space_id, errors={"root": fields}, typed=request.form,
                          status=409 if isinstance(exc, Conflict) else 422)
    db.session.commit()
    return _back(space_id, post.id)


@bp.post("/<int:space_id>/estado")
@login_required
def set_state(space_id: int):  # noqa: ANN201
    services.set_state(db.session, current_user, space_id, request.form.get("state", ""))
    db.session.commit()
    return _back(space_id)


@bp.post("/<int:space_id>/sintesis")
@login_required
def synthesis(space_id: int):  # noqa: ANN201
    try:
        services.close_with_synthesis(db.session, current_user, space_id,
                                      request.form.get("synthesis", ""))
    except Invalid as exc:
        db.session.rollback()
        return space_page(space_id, errors={"synthesis": exc.fields["synthesis"]},
                          typed=request.form, status=422)
    db.session.commit()
    return _back(space_id)


@bp.post("/<int:space_id>/ponentes")
@login_required
def add_speaker(space_id: int):  # noqa: ANN201
    try:
        services.add_speaker(db.session, current_user, space_id, request.form.get("email", ""))
    except Invalid as exc:
        db.session.rollback()
        return space_page(space_id, errors={"speaker": exc.fields["email"]},
                          typed=request.form, status=422)
    db.session.commit()
    return _back(space_id)


@bp.post("/<int:space_id>/ponentes/<int:user_id>/quitar")
@login_required
def remove_speaker(space_id: int, user_id: int):  # noqa: ANN201
    services.remove_speaker(db.session, current_user, space_id, user_id)
    db.session.commit()
    return _back(space_id)


@bp.post("/<int:space_id>/archivos")
@login_required
def upload(space_id: int):  # noqa: ANN201
    file = request.files.get("file")
    try:
        files.add_space_file(db.session, current_user, space_id, file.filename if file else "",
                             file.stream if file else io.BytesIO(b""),
                             max_bytes=current_app.config["MAX_ATTACHMENT_BYTES"],
                             directory=Path(current_app.config["UPLOAD_DIR"]))
    except Invalid as exc:
        db.session.rollback()
        return space_page(space_id, errors={"file": exc.fields["file"]}, status=422)
    db.session.commit()
    return _back(space_id)


@bp.post("/archivos/<int:file_id>/borrar")
@login_required
def remove_file(file_id: int):  # noqa: ANN201
    space_id = files.remove_space_file(db.session, current_user, file_id,
                                       Path(current_app.config["UPLOAD_DIR"]))
    db.session.commit()
    return _back(space_id)


@bp.get("/archivos/<int:file_id>/<path:name>")
def download(file_id: int, name: str):  # noqa: ANN201, ARG001
    found = files.get_space_file(db.session, file_id, current_user)
    return send_from_directory(current_app.config["UPLOAD_DIR"], found.stored_name,
                               as_attachment=True, download_name=found.display_name,
                               mimetype=found.mime, max_age=86400)
