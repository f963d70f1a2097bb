"""Pages of experience sheets: list, read, write, history, diff, co-editors, files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
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
from markupsafe import Markup
from sqlalchemy.orm import joinedload, selectinload

from forum.core import pagecache
from forum.core.content import render_markdown
from forum.core.errors import Conflict, Invalid, NotFound
from forum.core.permissions import can_edit_ficha, can_manage_editors
from forum.core.slugs import Ref, slugify
from forum.core.web import cacheable_visit, int_arg, moved_permanently, page_cache, shared_page
from forum.extensions import db
from forum.fichas import exchange, extras, queries, schema, services
from forum.fichas.completeness import assess
from forum.fichas.diff import diff_snapshots
from forum.fichas.models import Attachment, Ficha
from forum.spaces.queries import innovations_citing

bp = Blueprint("fichas", __name__, url_prefix="/fichas")


def form_data(form: Any) -> dict[str, Any]:
    """The sheet fields of a posted form, in the API's shape."""
    return {
        f.name: (form.getlist(f.name) if f.kind == "multi" else form.get(f.name, ""))
        for f in schema.FIELDS
    }


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _render_form(
    ficha: Ficha | None, values: dict, errors: dict | None = None, status: int = 200, **extra: Any
):  # noqa: ANN202
    first_time = (
        not ficha and not db.session.query(Ficha.id).filter_by(owner_id=current_user.id).first()
    )
    return render_template(
        "fichas/form.html",
        ficha=ficha,
        values=values,
        errors=errors or {},
        schema=schema,
        first_time=first_time,
        guide=assess(values),
        **extra,
    ), status


@bp.get("/")
def index():  # noqa: ANN201
    if not queries.read_filters(request.args)[1]:  # a refused filter is explained: 422
        key = ("fichas", request.query_string, str(get_locale()), *queries.fichas_stamp(db.session))
        if shown := shared_page(key, lambda: _index()[0]):
            return shown
    return _index()


def _index() -> tuple[str, int]:
    filters, errors = queries.read_filters(request.args, current_app.config["PAGE_SIZE"])
    page = queries.list_fichas(db.session, current_user, filters)
    return render_template(
        "fichas/index.html",
        page=page,
        filters=filters,
        errors=errors,
    ), 422 if errors else 200


@bp.get("/exportar.<fmt>")
def export(fmt: str):  # noqa: ANN201
    if fmt not in ("csv", "json"):
        raise NotFound(_("Unknown format."))
    filters = queries.parse_filters(request.args)
    rows = queries.iter_fichas(db.session, current_user, filters)
    body = exchange.csv_lines(rows) if fmt == "csv" else exchange.json_chunks(rows)
    mime = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    headers = {"Content-Disposition": f'attachment; filename="fichas.{fmt}"'}
    return Response(body, mimetype=mime, headers=headers)


@bp.route("/nueva", methods=["GET", "POST"])
@login_required
def new():  # noqa: ANN201
    if request.method == "GET":
        return _render_form(None, schema.blank())
    values = form_data(request.form)
    try:
        ficha = services.create_ficha(
            db.session, current_user, values, edit_summary=request.form.get("edit_summary", "")
        )
    except Invalid as exc:
        return _render_form(None, values, exc.fields, 422)
    db.session.commit()
    flash(_("Your experience sheet is published. You can keep improving it."), "success")
    return redirect(url_for("fichas.show", ficha_id=ficha))


@bp.get("/<ref:ficha_id>")
def show(ficha_id: Ref):  # noqa: ANN201
    """Visitors get the whole page from memory (or a 304); people who log in get the same
    cached article for their variant, with their own header and form tokens around it.
    Old words in the URL (the sheet was renamed) get a 301 to the current ones."""
    ref, ficha_id = ficha_id, ficha_id.id
    locale = str(get_locale())
    if cacheable_visit():
        # the stamp covers every sheet: the page lists similar experiences
        stamp = services.ficha_stamp(db.session, ficha_id)
        if moved := moved_permanently("fichas.show", ref, slugify(stamp[0])):
            return moved
        key = ("ficha", ficha_id, *stamp, locale)
        return pagecache.respond(
            *page_cache(), key, lambda: _render_page(*_article(ficha_id, "reader"),
                                                     _extras(ficha_id, stamp[3]))
        )
    access = services.ficha_access(db.session, ficha_id, extras.stamp_columns())
    if moved := moved_permanently("fichas.show", ref, slugify(access.title)):
        return moved
    variant = (
        "manager"
        if can_manage_editors(current_user, access)
        else "editor"
        if can_edit_ficha(current_user, access)
        else "reader"
    )
    # editors see the completeness guide, whose reading links come from elsewhere
    guides = access.guide_stamp if variant != "reader" else ()
    # extras_rev: also bumped when the owner or a co-editor, named in the article, is renamed
    key = ("ficha-article", ficha_id, access.version, access.updated_at, access.extras_rev,
           locale, variant, guides)
    cache = page_cache()[0]
    title, article, meta = cache.get_or_render(key, lambda: _article(ficha_id, variant, guides))
    around = cache.get_or_render(("ficha-extras", ficha_id, access.extras_rev, locale),
                                 lambda: _extras(ficha_id, access.extras_rev))
    return _render_page(title, pagecache.with_token(article), meta, around)


def _show_with_errors(ficha_id: int, errors: dict[str, Any]):  # noqa: ANN202
    """The sheet again, uncached, with the refused form's message and typed e-mail (422)."""
    db.session.rollback()
    access = services.ficha_access(db.session, ficha_id, extras.stamp_columns())
    variant = "manager" if can_manage_editors(current_user, access) else "editor"
    title, article, meta = _article(ficha_id, variant, access.guide_stamp, errors=errors,
                                    typed=request.form)
    return _render_page(title, pagecache.with_token(article), meta,
                        _extras(ficha_id, access.extras_rev)), 422


def _article(
    ficha_id: int, variant: str, guides: tuple = (), errors: dict | None = None,
    typed: Any = None
) -> tuple[str, str, str]:
    options = [
        selectinload(Ficha.tags),
        joinedload(Ficha.editors),  # few rows each: joined, to stay within 6 queries
        joinedload(Ficha.attachments),
    ]
    ficha = db.session.get(Ficha, ficha_id, options=options)
    if ficha is None:
        raise NotFound(_("This experience sheet does not exist."))
    html = render_template(
        "fichas/_article.html",
        ficha=ficha,
        schema=schema,
        guide=assess(ficha.values()),
        editor=variant != "reader",
        manager=variant == "manager",
        csrf=pagecache.TOKEN_MARK,
        errors=errors or {},
        typed=typed or {},
        innovations=innovations_citing(db.session, ficha.id),
        guide_links=extras.guide_links(db.session, guides) if variant != "reader" else {},
    )
    # what links to the sheet from elsewhere show (OpenGraph, Twitter cards, canonical URL)
    meta = render_template("fichas/_meta.html", ficha=ficha)
    return ficha.title, html, meta


def _extras(ficha_id: int, rev: int) -> dict[str, str]:
    return extras.render(db.session, ficha_id, rev)


def _render_page(title: str, article: str, meta: str, around: dict[str, str]) -> str:
    return render_template("fichas/show.html", title=title, article=Markup(article),
                           meta=Markup(meta), before=Markup(around["before"]),
                           after=Markup(around["after"]))


@bp.route("/<int:ficha_id>/editar", methods=["GET", "POST"])
@login_required
def edit(ficha_id: int):  # noqa: ANN201
    ficha = services.get_ficha(db.session, ficha_id, current_user)
    if request.method == "GET":
        if not _can_edit(ficha):
            return render_template(
                "error.html",
                status=403,
                message=_("Only the authors, co-editors and facilitators edit this sheet."),
            ), 403
        return _render_form(ficha, ficha.values(), base_version=ficha.version)
    values = form_data(request.form)
    base = int_arg(request.form.get("base_version"))
    try:
        services.revise_ficha(
            db.session,
            current_user,
            ficha_id,
            values,
            base_version=base,
            edit_summary=request.form.get("edit_summary", ""),
        )
    except Invalid as exc:
        return _render_form(ficha, values, exc.fields, 422, base_version=base)
    except Conflict as exc:
        return _conflict(exc.current, values, base)
    db.session.commit()
    flash(_("Saved. The earlier version stays in the history."), "success")
    return redirect(url_for("fichas.show", ficha_id=ficha))


def _can_edit(ficha: Ficha) -> bool:
    return can_edit_ficha(current_user, ficha)


def _conflict(current: Ficha, mine: dict, base: int):  # noqa: ANN202
    """Show what others changed since `base`, and this person's text ready to resubmit."""
    try:
        start = services.get_revision(db.session, current.id, base).snapshot
    except NotFound:
        start = {}
    theirs = diff_snapshots(start, current.values())
    ours = diff_snapshots(current.values(), mine)
    return _render_form(
        current,
        mine,
        {},
        409,
        base_version=current.version,
        conflict={"theirs": theirs, "ours": ours, "base": base},
    )


@bp.get("/<int:ficha_id>/historial")
def history(ficha_id: int):  # noqa: ANN201
    return _history(ficha_id)


def _history(ficha_id: int, error: str = "") -> str:
    ficha = services.get_ficha(db.session, ficha_id, current_user)
    revisions = services.list_revisions(db.session, ficha_id)
    return render_template("fichas/history.html", ficha=ficha, revisions=revisions, error=error)


@bp.get("/<int:ficha_id>/diferencias")
def diff(ficha_id: int):  # noqa: ANN201
    ficha = services.get_ficha(db.session, ficha_id, current_user)
    new_n = int_arg(request.args.get("a"), ficha.version)
    old_n = int_arg(request.args.get("de"), max(1, new_n - 1))
    old = services.get_revision(db.session, ficha_id, old_n)
    new = services.get_revision(db.session, ficha_id, new_n)
    return render_template(
        "fichas/diff.html",
        ficha=ficha,
        old=old,
        new=new,
        diffs=diff_snapshots(old.snapshot, new.snapshot),
    )


@bp.get("/<int:ficha_id>/revisiones/<int:number>")
def revision(ficha_id: int, number: int):  # noqa: ANN201
    ficha = services.get_ficha(db.session, ficha_id, current_user)
    rev = services.get_revision(db.session, ficha_id, number)
    rendered = {
        name: render_markdown(rev.snapshot.get(name, "")) for name in schema.MARKDOWN_FIELDS
    }
    return render_template(
        "fichas/revision.html", ficha=ficha, rev=rev, rendered=rendered, schema=schema
    )


@bp.post("/<int:ficha_id>/revisiones/<int:number>/revertir")
@login_required
def revert(ficha_id: int, number: int):  # noqa: ANN201
    base = int_arg(request.form.get("base_version"))
    try:
        services.revert_ficha(db.session, current_user, ficha_id, number, base_version=base)
    except Conflict:
        db.session.rollback()
        message = _("The sheet changed meanwhile: look at the history again before reverting.")
        return _history(ficha_id, message), 409
    db.session.commit()
    flash(_("Revision %(n)d was brought back as a new revision.", n=number), "success")
    return redirect(url_for("fichas.show", ficha_id=ficha_id))


@bp.post("/<int:ficha_id>/coeditores")
@login_required
def add_editor(ficha_id: int):  # noqa: ANN201
    try:
        person = services.add_editor(
            db.session, current_user, ficha_id, request.form.get("email", "")
        )
    except Invalid as exc:
        return _show_with_errors(ficha_id, exc.fields)
    db.session.commit()
    flash(_("%(name)s can now edit this sheet.", name=person.display_name), "success")
    return redirect(url_for("fichas.show", ficha_id=ficha_id, _anchor="coeditores"))


@bp.post("/<int:ficha_id>/coeditores/<int:user_id>/quitar")
@login_required
def remove_editor(ficha_id: int, user_id: int):  # noqa: ANN201
    services.remove_editor(db.session, current_user, ficha_id, user_id)
    db.session.commit()
    return redirect(url_for("fichas.show", ficha_id=ficha_id, _anchor="coeditores"))


@bp.post("/<int:ficha_id>/adjuntos")
@login_required
def upload(ficha_id: int):  # noqa: ANN201
    file = request.files.get("file")
    try:
        services.add_attachment(
            db.session,
            current_user,
            ficha_id,
            file.filename if file else "",
            file.stream if file else _empty(),
            directory=_upload_dir(),
            max_bytes=current_app.config["MAX_ATTACHMENT_BYTES"],
        )
    except Invalid as exc:
        return _show_with_errors(ficha_id, exc.fields)
    db.session.commit()
    flash(_("File attached."), "success")
    return redirect(url_for("fichas.show", ficha_id=ficha_id, _anchor="adjuntos"))


def _empty() -> io.BytesIO:
    return io.BytesIO(b"")


@bp.get("/adjuntos/<int:attachment_id>/<path:name>")
def download(attachment_id: int, name: str):  # noqa: ANN201, ARG001
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(_("This file does not exist."))
    return send_from_directory(
        _upload_dir(),
        attachment.stored_name,
        as_attachment=True,
        download_name=attachment.display_name,
        mimetype=attachment.mime,
        max_age=86400,
    )


@bp.post("/adjuntos/<int:attachment_id>/borrar")
@login_required
def remove_attachment(attachment_id: int):  # noqa: ANN201
    ficha_id = services.remove_attachment(db.session, current_user, attachment_id, _upload_dir())
    db.session.commit()
    flash(_("File removed."), "success")
    return redirect(url_for("fichas.show", ficha_id=ficha_id, _anchor="adjuntos"))
