"""Stand-ins: who a live event is rendered for, when it is rendered once for many people.

A stand-in is logged in (or not), a facilitator (or not), a speaker (or not), and nobody in
particular: its id matches no author, so the HTML has no "edit" link and no "your post"
parts; each person's own posts keep their own rendering in their browser. Rooms check
membership when someone joins, so a stand-in for a room's members counts as a member.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import AnonymousUserMixin


@dataclass(frozen=True)
class StandIn:
    role: str
    stands_for_speakers: bool = False
    stands_for_members: bool = True
    id: int = 0
    display_name: str = ""
    country: str = ""
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    @property
    def is_facilitator(self) -> bool:
        return self.role == "facilitator"

    def get_id(self) -> str:
        return "0"


def stand_in(audience: str) -> StandIn | AnonymousUserMixin:
    if audience == "visitor":
        return AnonymousUserMixin()
    if audience == "facilitator":
        return StandIn("facilitator")
    return StandIn("participant", stands_for_speakers=audience == "speaker")
