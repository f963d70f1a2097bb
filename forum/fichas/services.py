"""Use cases on experience sheets: create, revise, revert, co-editors, attachments.

Each takes the session and the acting person explicitly and raises core.errors; none
commits except where noted, so a view or the CLI decides the transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ColumnElement

from forum.accounts.models import User
from forum.accounts.services import find_by_email
from forum.core import database, events, permissions
from forum.core.content import render_markdown
from forum.core.errors import Conflict, Invalid, NotAllowed, NotFound
from forum.fichas import schema, uploads
from forum.fichas.completeness import assess
from forum.fichas.models import Attachment, Ficha, FichaRevision, FichaTag, ficha_editors

REVISION_SUMMARY_MAX = 300


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _apply(ficha: Ficha, values: dict[str, Any]) -> None:
    """Copy clean values onto the sheet, render Markdown once, refresh tags and score."""
    for name in schema.SCALAR_FIELDS:
        setattr(ficha, name, values[name])
    for name in schema.MARKDOWN_FIELDS:
        setattr(ficha, f"{name}_html", render_markdown(values[name]) if values[name] else "")
    wanted = {(kind, code) for kind in schema.MULTI_FIELDS for code in values[kind]}
    ficha.tags = [t for t in ficha.tags if (t.kind, t.code) in wanted]
    have = {(t.kind, t.code) for t in ficha.tags}
    for kind in schema.MULTI_FIELDS:
        ficha.tags.extend(
            FichaTag(kind=kind, code=c) for c in values[kind] if (kind, c) not in have
        )
    result = assess(values)
    ficha.completeness = result.score
    ficha.lessons_missing = result.lessons_missing


def _summary(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > REVISION_SUMMARY_MAX:
        raise Invalid({"edit_summary": _l("At most %(n)d characters.", n=REVISION_SUMMARY_MAX)})
    return text


def get_ficha(session: Session, ficha_id: int, person: User | None = None) -> Ficha:
    ficha = session.get(Ficha, ficha_id)
    if ficha is None or not permissions.can_view_ficha(person, ficha):
        raise NotFound(_l("This experience sheet does not exist."))
    return ficha


@functools.cache
def _stamp_query() -> Select:
    """Built once: making the aliased subqueries anew cost more than the query itself on
    the cached sheet page (about 4 ms a view)."""
    every = aliased(Ficha)
    return (select(Ficha.title, Ficha.version, Ficha.updated_at, Ficha.extras_rev,
                   select(func.count(every.id)).scalar_subquery(),
                   select(func.max(every.updated_at)).scalar_subquery())
            .where(Ficha.id == bindparam("ficha_id")))


def ficha_stamp(
    session: Session, ficha_id: int
) -> tuple[str, int, datetime, int, int, datetime]:
    """(title, version, updated_at, extras, sheets, last update of any sheet), in one query:
    changes whenever anything shown on the sheet page changes, similar sheets included."""
    row = database.read(session, _stamp_query(), {"ficha_id": ficha_id}).first()
    if row is None:
        raise NotFound(_l("This experience sheet does not exist."))
    return tuple(row)


@dataclass(frozen=True)
class FichaAccess:
    """What permission checks and page caches need of a sheet, without loading it."""

    id: int
    version: int
    updated_at: datetime
    owner_id: int
    editor_ids: frozenset[int]
    extras_rev: int = 0
    title: str = ""
    guide_stamp: tuple = ()  # fichas.extras.stamp_columns, when asked for


def ficha_access(session: Session, ficha_id: int,
                 stamp_columns: Sequence[ColumnElement[Any]] = ()) -> FichaAccess:
    """One query: the sheet's row joined to its co-editors (one row per co-editor), with
    any scalar subqueries the page wants to know in the same round trip."""
    rows = database.read(session, (
        select(Ficha.version, Ficha.updated_at, Ficha.owner_id, Ficha.extras_rev, Ficha.title,
               ficha_editors.c.user_id, *(c.label(f"stamp_{n}")
                                          for n, c in enumerate(stamp_columns)))
        .outerjoin(ficha_editors, ficha_editors.c.ficha_id == Ficha.id)
        .where(Ficha.id == ficha_id)), {}).all()
    if not rows:
        raise NotFound(_l("This experience sheet does not exist."))
    editors = frozenset(r.user_id for r in rows if r.user_id is not None)
    first = rows[0]
    return FichaAccess(ficha_id, first.version, first.updated_at, first.owner_id, editors,
                       first.extras_rev, first.title, tuple(first[6:]))


def bump_extras(session: Session, ficha_ids: Iterable[int]) -> None:
    """Call in the transaction that changes what another package shows beside these sheets
    (see fichas.extras): their cached pages are then rendered anew."""
    ids = sorted(set(ficha_ids))
    if ids:
        session.execute(update(Ficha).where(Ficha.id.in_(ids))
                        .values(extras_rev=Ficha.extras_rev + 1)
                        .execution_options(synchronize_session=False))


def person_updated(session: Session, event: events.DomainEvent) -> None:
    """In-transaction subscriber: a sheet page names its owner and co-editors, so the
    cached pages of theirs are rendered anew when one changes their name or country."""
    user_id = event.data["user_id"]
    coedited = select(ficha_editors.c.ficha_id).where(ficha_editors.c.user_id == user_id)
    bump_extras(session, session.scalars(select(Ficha.id).where(
        (Ficha.owner_id == user_id) | Ficha.id.in_(coedited))))


def _touch(ficha: Ficha) -> None:
    """Co-editors and files are not revisions, but readers must see them change."""
    ficha.updated_at = _now()


def create_ficha(
    session: Session, actor: User, data: dict[str, Any], *, edit_summary: str = ""
) -> Ficha:
    """A new sheet owned by `actor`, with its first revision."""
    if not permissions.can_create_ficha(actor):
        raise NotAllowed(_l("Log in to write an experience sheet."))
    values = schema.clean(data)
    summary = _summary(edit_summary)
    now = _now()
    ficha = Ficha(owner=actor, version=1, created_at=now, updated_at=now)
    _apply(ficha, values)
    session.add(ficha)
    session.flush()
    session.add(
        FichaRevision(
            ficha=ficha,
            number=1,
            author=actor,
            summary=summary,
            snapshot=ficha.values(),
            created_at=now,
        )
    )
    session.flush()
    events.record(session, "ficha.created", ficha_id=ficha.id, version=1)
    return ficha


def revise_ficha(
    session: Session,
    actor: User,
    ficha_id: int,
    data: dict[str, Any],
    *,
    base_version: int,
    edit_summary: str = "",
) -> Ficha:
    """Save a new version unless someone saved since `base_version` (then Conflict).

    Nothing is overwritten: the caller gets the current sheet in the Conflict to show
    the other person's changes next to the text this person typed.
    """
    ficha = get_ficha(session, ficha_id, actor)
    if not permissions.can_edit_ficha(actor, ficha):
        raise NotAllowed(_l("Only the authors, co-editors and facilitators edit this sheet."))
    values = schema.clean(data)
    summary = _summary(edit_summary)
    if base_version != ficha.version:
        raise Conflict(_l("Someone saved this sheet after you opened it."), current=ficha)
    if values == ficha.values():
        return ficha  # nothing changed: no empty revision
    _apply(ficha, values)
    return _new_revision(session, ficha, actor, summary)


def _new_revision(session: Session, ficha: Ficha, actor: User, summary: str) -> Ficha:
    ficha.version += 1
    ficha.updated_at = _now()
    session.add(
        FichaRevision(
            ficha_id=ficha.id,
            number=ficha.version,
            author=actor,
            summary=summary,
            snapshot=ficha.values(),
            created_at=_now(),
        )
    )
    try:
        session.flush()
    except StaleDataError:  # another transaction saved between our read and our write
        session.rollback()
        raise Conflict(
            _l("Someone saved this sheet after you opened it."),
            current=session.get(Ficha, ficha.id),
        ) from None
    events.record(session, "ficha.revised", ficha_id=ficha.id, version=ficha.version,
                  actor_id=actor.id)
    return ficha


def revert_ficha(
    session: Session, actor: User, ficha_id: int, number: int, *, base_version: int
) -> Ficha:
    """Bring back an earlier revision's content as a new revision (history is never cut)."""
    revision = get_revision(session, ficha_id, number)
    data = schema.blank() | revision.snapshot
    summary = str(_l("Reverted to revision %(n)d", n=number))
    return revise_ficha(
        session,
        actor,
        ficha_id,
        data,
        base_version=base_version,
        edit_summary=summary[:REVISION_SUMMARY_MAX],
    )


def get_revision(session: Session, ficha_id: int, number: int) -> FichaRevision:
    revision = session.query(FichaRevision).filter_by(ficha_id=ficha_id, number=number).first()
    if revision is None:
        raise NotFound(_l("This revision does not exist."))
    return revision


def list_revisions(session: Session, ficha_id: int) -> list[FichaRevision]:
    return (
        session.query(FichaRevision)
        .filter_by(ficha_id=ficha_id)
        .order_by(FichaRevision.number.desc())
        .all()
    )


def add_editor(session: Session, actor: User, ficha_id: int, email: str) -> User:
    """Invite a registered person to co-edit."""
    ficha = get_ficha(session, ficha_id, actor)
    if not permissions.can_manage_editors(actor, ficha):
        raise NotAllowed(_l("Only the owner of the sheet invites co-editors."))
    person = find_by_email(session, email or "")
    if person is None:
        raise Invalid({"email": _l("Nobody is registered with this e-mail.")})
    if person.id == ficha.owner_id or person in ficha.editors:
        raise Invalid({"email": _l("This person can already edit the sheet.")})
    ficha.editors.append(person)
    _touch(ficha)
    session.flush()
    events.record(session, "ficha.editor_added", ficha_id=ficha.id, user_id=person.id)
    return person


def remove_editor(session: Session, actor: User, ficha_id: int, user_id: int) -> None:
    ficha = get_ficha(session, ficha_id, actor)
    if not permissions.can_manage_editors(actor, ficha):
        raise NotAllowed(_l("Only the owner of the sheet removes co-editors."))
    ficha.editors = [e for e in ficha.editors if e.id != user_id]
    _touch(ficha)
    session.flush()


UPLOAD_REASONS = {
    "empty": _l("The file is empty."),
    "too_large": _l("The file is larger than the limit of %(mb)s MB."),
    "unknown_type": _l(
        "Only PDF, images (PNG, JPEG, GIF, WebP) and office documents are accepted."
    ),
    "type_mismatch": _l("The file's content does not match its extension."),
    "bad_name": _l("The file name needs an extension such as .pdf."),
}


def accept_upload(filename: str, stream: IO[bytes], max_bytes: int,
                  directory: Path) -> dict[str, Any]:
    """Check a file by content and store it; the StoredFile columns, or Invalid("file")."""
    try:
        sniffed = uploads.check_upload(filename or "", stream, max_bytes)
    except uploads.UploadRejected as exc:
        message = UPLOAD_REASONS.get(exc.reason, UPLOAD_REASONS["unknown_type"])
        raise Invalid({"file": str(message) % {"mb": max_bytes // (1024 * 1024)}}) from None
    stored, size = uploads.store(stream, directory, sniffed)
    return {"stored_name": stored, "size": size, "kind": sniffed.kind, "mime": sniffed.mime,
            "display_name": uploads.safe_display_name(filename)}


def add_attachment(
    session: Session,
    actor: User,
    ficha_id: int,
    filename: str,
    stream: IO[bytes],
    *,
    max_bytes: int,
    directory: Path,
) -> Attachment:
    """Check the file by content, store it under a generated name, link it to the sheet."""
    ficha = get_ficha(session, ficha_id, actor)
    if not permissions.can_edit_ficha(actor, ficha):
        raise NotAllowed(_l("Only the authors, co-editors and facilitators edit this sheet."))
    attachment = Attachment(ficha=ficha, uploader_id=actor.id,
                            **accept_upload(filename, stream, max_bytes, directory))
    session.add(attachment)
    _touch(ficha)
    session.flush()
    return attachment


def remove_attachment(session: Session, actor: User, attachment_id: int, directory: Path) -> int:
    """Unlink the file from the sheet; the bytes go only once the removal has committed."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(_l("This file does not exist."))
    if not permissions.can_edit_ficha(actor, attachment.ficha):
        raise NotAllowed(_l("Only the authors, co-editors and facilitators edit this sheet."))
    ficha_id = attachment.ficha_id
    _touch(attachment.ficha)
    session.delete(attachment)
    session.flush()
    events.record(session, "attachment.removed", ficha_id=ficha_id,
                  path=str(directory / attachment.stored_name))
    return ficha_id


def delete_removed_file(event: events.DomainEvent) -> None:
    """After-commit subscriber: a rolled-back removal must still find its file."""
    Path(event.data["path"]).unlink(missing_ok=True)
