"""Use cases of the library: facilitators curate items; facilitators and a sheet's editors
recommend them on sheets and spaces.

Each takes the session and the acting person and raises core.errors; none commits. What is
shown beside a sheet or on a space page is cached there, so every change that alters it
bumps those caches in the same transaction (fichas.services.bump_extras for sheets, a domain
event naming the space for spaces, which spaces.services.bump_revision follows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.core import events, permissions
from forum.core.content import render_markdown
from forum.core.errors import Invalid, NotAllowed, NotFound
from forum.fichas import services as fichas
from forum.fichas import uploads
from forum.library import queries, schema
from forum.library.models import LibraryFile, LibraryItem, LibraryPart, LibraryTheme, Recommendation
from forum.spaces import services as spaces


@dataclass(frozen=True)
class Upload:
    """A file as it arrived (the name is a claim; the bytes decide)."""

    filename: str
    stream: IO[bytes]


@dataclass(frozen=True)
class Storage:
    """Where files go and how large they may be (the app's config, passed in)."""

    directory: Path
    max_bytes: int


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def can_curate(person: User | None) -> bool:
    """Facilitators curate the library: it is the forum's shelf, not anyone's notes."""
    return permissions.is_facilitator(person)


def _require_curator(actor: User | None) -> None:
    if not can_curate(actor):
        raise NotAllowed(_l("Only facilitators curate the library."))


def _check_file(upload: Upload | None, storage: Storage, errors: dict
                ) -> uploads.SniffedType | None:
    """The sheet attachments' content check, narrowed to documents; errors go to "file"."""
    if upload is None:
        return None
    try:
        sniffed = uploads.check_upload(upload.filename or "", upload.stream, storage.max_bytes)
    except uploads.UploadRejected as exc:
        if exc.reason == "unknown_type":
            errors["file"] = _l("Only PDF and office documents are accepted.")
        else:
            message = fichas.UPLOAD_REASONS.get(exc.reason, fichas.UPLOAD_REASONS["unknown_type"])
            errors["file"] = str(message) % {"mb": storage.max_bytes // (1024 * 1024)}
        return None
    if sniffed.kind not in schema.DOCUMENT_KINDS:
        errors["file"] = _l("Only PDF and office documents are accepted.")
        return None
    return sniffed


def _validate(data: dict[str, Any], upload: Upload | None, storage: Storage,
              has_file: bool) -> tuple[dict[str, Any], uploads.SniffedType | None]:
    """Every field's reason at once, before anything is written (file included)."""
    errors: dict[str, Any] = {}
    try:
        values = schema.clean(data)
    except Invalid as exc:
        values, errors = {"source": data.get("source")}, dict(exc.fields)
    sniffed = _check_file(upload, storage, errors) if values.get("source") != "link" else None
    if values.get("source") == "file" and upload is None and not has_file:
        errors.setdefault("file", _l("Choose the file to upload (PDF or office document)."))
    if errors:
        raise Invalid(errors)
    return values, sniffed


def _apply(item: LibraryItem, values: dict[str, Any]) -> None:
    for name in ("title", "authors", "year", "language", "summary", "source", "url"):
        setattr(item, name, values[name])
    item.summary_html = render_markdown(values["summary"]) if values["summary"] else ""
    keep = {t.code: t for t in item.theme_rows}
    item.theme_rows = [keep.get(c) or LibraryTheme(code=c) for c in values["themes"]]
    keep_parts = {p.part: p for p in item.part_rows}
    item.part_rows = [keep_parts.get(p) or LibraryPart(part=p) for p in values["helps_with"]]
    item.updated_at = _now()


def _attach(session: Session, item: LibraryItem, actor: User, upload: Upload,
            sniffed: uploads.SniffedType, storage: Storage) -> Path:
    stored, size = uploads.store(upload.stream, storage.directory, sniffed)
    item.file = LibraryFile(uploader_id=actor.id, stored_name=stored, size=size,
                            kind=sniffed.kind, mime=sniffed.mime,
                            display_name=uploads.safe_display_name(upload.filename))
    return storage.directory / stored


def _flush_or_unlink(session: Session, path: Path | None) -> None:
    """A file stored for a write that fails must not stay behind."""
    try:
        session.flush()
    except BaseException:
        if path is not None:
            path.unlink(missing_ok=True)
        raise


def _forget_file(session: Session, item: LibraryItem, storage: Storage) -> None:
    """Unlink the old file; its bytes go only once the change has committed."""
    if item.file is not None:
        events.record(session, "attachment.removed",
                      path=str(storage.directory / item.file.stored_name))
        item.file = None


def _bump_sheets(session: Session, ficha_ids: list[int]) -> None:
    """Their cached extras are rendered anew."""
    fichas.bump_extras(session, ficha_ids)


def _shown_changed(session: Session, item_id: int) -> None:
    """What sheets and spaces show of this item changed: their cached pages follow."""
    _bump_sheets(session, queries.ficha_ids_recommending(session, item_id))
    for space_id in queries.space_ids_recommending(session, item_id):
        events.record(session, "guide.recommendations", space_id=space_id, guide_id=item_id)


def create_item(session: Session, actor: User, data: dict[str, Any], upload: Upload | None,
                storage: Storage) -> LibraryItem:
    """A new item with its file (checked by content) or its link."""
    _require_curator(actor)
    values, sniffed = _validate(data, upload, storage, has_file=False)
    item = LibraryItem(created_by_id=actor.id, created_at=_now())
    _apply(item, values)
    session.add(item)
    path = _attach(session, item, actor, upload, sniffed, storage) if sniffed and upload else None
    _flush_or_unlink(session, path)
    events.record(session, "guide.created", guide_id=item.id)
    return item


def update_item(session: Session, actor: User, item_id: int, data: dict[str, Any],
                upload: Upload | None, storage: Storage) -> LibraryItem:
    """Change an item; a new file replaces the old one, a link drops it."""
    _require_curator(actor)
    item = queries.get_item(session, item_id)
    values, sniffed = _validate(data, upload, storage, has_file=item.file is not None)
    _apply(item, values)
    path = None
    if values["source"] == "link" or (sniffed and upload):
        _forget_file(session, item, storage)
        session.flush()  # the old row goes before the new one takes its item_id
    if sniffed and upload:
        path = _attach(session, item, actor, upload, sniffed, storage)
    _flush_or_unlink(session, path)
    _shown_changed(session, item.id)
    events.record(session, "guide.updated", guide_id=item.id)
    return item


def remove_item(session: Session, actor: User, item_id: int, storage: Storage) -> None:
    """Remove an item and its recommendations; its file goes after commit."""
    _require_curator(actor)
    item = queries.get_item(session, item_id)
    _shown_changed(session, item.id)
    _forget_file(session, item, storage)
    session.delete(item)
    session.flush()
    events.record(session, "guide.removed", guide_id=item_id)


# --- recommendations ----------------------------------------------------------------------


def can_recommend_on_ficha(person: User | None, ficha: Any) -> bool:
    """A sheet's editors choose what it recommends (facilitators may help)."""
    return permissions.can_edit_ficha(person, ficha)


def can_recommend_on_space(person: User | None, space: Any = None) -> bool:  # noqa: ARG001
    return permissions.is_facilitator(person)


def require_target(session: Session, actor: User, ficha_id: int | None, space_id: int | None
            ) -> tuple[int | None, int | None]:
    """Check the acting person may change what this sheet or space recommends."""
    if (ficha_id is None) == (space_id is None):
        raise Invalid({"target": _l("Choose one sheet or one space.")})
    if ficha_id is not None:
        ficha = fichas.get_ficha(session, ficha_id, actor)
        if not can_recommend_on_ficha(actor, ficha):
            raise NotAllowed(_l("Only the sheet's editors and facilitators recommend readings "
                                "on it."))
        return ficha.id, None
    space = spaces.get_space(session, space_id, actor)
    if not can_recommend_on_space(actor, space):
        raise NotAllowed(_l("Only facilitators recommend readings on a space."))
    return None, space.id


def _changed_on(session: Session, rec: Recommendation) -> None:
    if rec.ficha_id is not None:
        _bump_sheets(session, [rec.ficha_id])
    else:
        events.record(session, "guide.recommendations", space_id=rec.space_id,
                      guide_id=rec.item_id)


def recommend(session: Session, actor: User, item_id: int, *, ficha_id: int | None = None,
              space_id: int | None = None, note: Any = "") -> Recommendation:
    """Recommend an item on a sheet or a space, with an optional short note."""
    ficha_id, space_id = require_target(session, actor, ficha_id, space_id)
    item = session.get(LibraryItem, item_id)
    if item is None:
        raise Invalid({"item_id": _l("Choose a guide or document of the library.")})
    note = schema.clean_note(note)
    same = Recommendation.ficha_id == ficha_id if ficha_id else \
        Recommendation.space_id == space_id
    if session.scalar(select(Recommendation.id).where(Recommendation.item_id == item_id, same)):
        raise Invalid({"item_id": _l("This reading is already recommended here.")})
    rec = Recommendation(item_id=item.id, ficha_id=ficha_id, space_id=space_id, note=note,
                         created_by_id=actor.id, created_at=_now())
    session.add(rec)
    session.flush()
    _changed_on(session, rec)
    return rec


def remove_recommendation(session: Session, actor: User, recommendation_id: int
                          ) -> Recommendation:
    """Take a recommendation away; returns it (detached) so the caller knows its target."""
    rec = session.get(Recommendation, recommendation_id)
    if rec is None:
        raise NotFound(_l("This recommendation does not exist."))
    require_target(session, actor, rec.ficha_id, rec.space_id)
    _changed_on(session, rec)
    session.delete(rec)
    session.flush()
    return rec
