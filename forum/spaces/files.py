"""Slides and documents attached to a space: checked by content like sheet attachments."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.core import events, permissions
from forum.core.errors import NotAllowed, NotFound
from forum.fichas.services import accept_upload
from forum.spaces.models import SpaceFile
from forum.spaces.services import get_space, now


def can_attach(person: User | None, space: object) -> bool:
    """Facilitators and the conference's speakers bring slides."""
    return permissions.can_answer(person, space)


def add_space_file(session: Session, actor: User, space_id: int, filename: str,
                   stream: IO[bytes], *, max_bytes: int, directory: Path) -> SpaceFile:
    space = get_space(session, space_id, actor)
    if not can_attach(actor, space):
        raise NotAllowed(_l("Only facilitators and speakers attach slides to a space."))
    made = SpaceFile(space_id=space.id, uploader_id=actor.id, created_at=now(),
                     **accept_upload(filename, stream, max_bytes, directory))
    session.add(made)
    session.flush()
    events.record(session, "space.file_added", space_id=space.id)
    return made


def remove_space_file(session: Session, actor: User, file_id: int, directory: Path) -> int:
    found = session.get(SpaceFile, file_id)
    if found is None:
        raise NotFound(_l("This file does not exist."))
    space = get_space(session, found.space_id, actor)
    if not can_attach(actor, space):
        raise NotAllowed(_l("Only facilitators and speakers attach slides to a space."))
    session.delete(found)
    session.flush()
    events.record(session, "attachment.removed", space_id=space.id,
                  path=str(directory / found.stored_name))
    return space.id


def get_space_file(session: Session, file_id: int, person: User | None) -> SpaceFile:
    found = session.get(SpaceFile, file_id)
    if found is None:
        raise NotFound(_l("This file does not exist."))
    get_space(session, found.space_id, person)  # a members-only space's slides stay inside
    return found
