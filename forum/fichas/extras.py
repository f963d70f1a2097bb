"""What other packages show beside a sheet (awards, recommended guides) without the fichas
package knowing them: they register here at start-up, the sheet page asks here.

A provider renders its own HTML; it is kept with the page and rendered anew when the sheet's
`extras_rev` changes, so a package that changes what it shows must call
`fichas.services.bump_extras` in the same transaction. Guide links are the completeness
guide's "read this to write that part" links, keyed by sheet field name.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

SLOTS = ("before", "after")  # above the sheet's article, or below it (before similar sheets)

Provider = Callable[[Session, int], str]
GuideLinks = Callable[[Session], dict[str, list[tuple[str, str]]]]
GuideStamp = Callable[[Session], Hashable]


@dataclass
class Registry:
    providers: dict[str, list[Provider]] = field(default_factory=lambda: {s: [] for s in SLOTS})
    guide_links: GuideLinks | None = None
    guide_stamp: GuideStamp | None = None


REGISTRY = Registry()


def register(slot: str, provider: Provider) -> None:
    """Add a provider of HTML for one slot of every sheet page (idempotent per function)."""
    if provider not in REGISTRY.providers[slot]:
        REGISTRY.providers[slot].append(provider)


def register_guides(links: GuideLinks, stamp: GuideStamp) -> None:
    """The source of the completeness guide's reading links and a cheap stamp of it."""
    REGISTRY.guide_links, REGISTRY.guide_stamp = links, stamp


def render(session: Session, ficha_id: int) -> dict[str, str]:
    """Each slot's HTML for one sheet, joined in registration order."""
    return {slot: "".join(p(session, ficha_id) for p in REGISTRY.providers[slot])
            for slot in SLOTS}


def guide_links(session: Session) -> dict[str, list[tuple[str, str]]]:
    return REGISTRY.guide_links(session) if REGISTRY.guide_links else {}


def guide_stamp(session: Session) -> Hashable:
    return REGISTRY.guide_stamp(session) if REGISTRY.guide_stamp else None
