"""Rooms: one per page that shows changing content, and who may be in which.

A room is named as the page it stands for: `space:<id>`, `thread:<id>` (a thread's opening
post) or `ficha:<id>`. Inside Socket.IO each room is split by *audience* (visitor,
participant, speaker, facilitator) and language, because what a change looks like depends on
who reads it: a held question reaches facilitators only, a facilitator's copy has the
moderation buttons. Everybody in one audience sees the same HTML, rendered once per event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.core import permissions
from forum.core.errors import Invalid
from forum.fichas.models import Ficha
from forum.spaces.models import Post, Space

ROOM = re.compile(r"^(space|thread|ficha):([1-9][0-9]{0,9})$")
AUDIENCES = ("visitor", "participant", "speaker", "facilitator")
LANGUAGES = ("es", "en")


@dataclass(frozen=True)
class Room:
    kind: str  # space | thread | ficha
    id: int

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.id}"

    def channel(self, audience: str, language: str) -> str:
        """The Socket.IO room of one audience reading in one language."""
        return f"{self.name}|{audience}|{language}"


def parse(name: object) -> Room:
    """A room name as clients send it; anything else is refused with a clear message."""
    found = ROOM.match(name) if isinstance(name, str) else None
    if not found:
        raise Invalid({"room": "A room is space:<id>, thread:<id> or ficha:<id>."})
    return Room(found.group(1), int(found.group(2)))


def space_of(session: Session, room: Room) -> Space | None:
    """The space a space or thread room belongs to (None for sheets or unknown ids)."""
    if room.kind == "space":
        return session.get(Space, room.id)
    if room.kind == "thread":
        root = session.get(Post, room.id)
        return root.space if root is not None and root.is_root else None
    return None


def may_join(session: Session, person: User | None, room: Room) -> bool:
    """The same rule as the page: whoever may read the page may watch it change."""
    if room.kind == "ficha":
        ficha = session.get(Ficha, room.id)
        return ficha is not None and permissions.can_view_ficha(person, ficha)
    space = space_of(session, room)
    if space is None or not permissions.can_view_space(person, space):
        return False
    if room.kind == "thread":
        return permissions.can_view_post(person, session.get(Post, room.id))
    return True


def audience_of(session: Session, person: User | None, room: Room) -> str:
    if permissions.is_facilitator(person):
        return "facilitator"
    if not permissions.is_member(person):
        return "visitor"
    space = space_of(session, room)
    if space is not None and permissions.is_speaker(person, space):
        return "speaker"
    return "participant"


def language_of(locale: object) -> str:
    code = str(locale or "es")[:2]
    return code if code in LANGUAGES else "es"
