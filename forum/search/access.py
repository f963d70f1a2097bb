"""Who may read which documents, as a filter every search applies inside its query.

Spaces come from core.permissions.visible_spaces, asked of the database at query time, so
a space closed to its members or back to draft is out of results the moment it commits,
whatever the index says. Posts carry their moderation state and author in the index and
follow the rule of core.permissions.visible_posts (tests/search/test_permissions.py
checks both forms agree); a post whose index entry is waiting to be rewritten (a post just
hidden, a thread just moved) is left out until the index has caught up: its pending row is
committed in the same transaction as the change itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.core import permissions
from forum.search.models import PendingIndex
from forum.spaces.models import Space

log = logging.getLogger(__name__)
PENDING_LIMIT = 20_000


@dataclass(frozen=True)
class Access:
    facilitator: bool = False
    user_id: int | None = None
    hidden_spaces: tuple[int, ...] = ()
    pending_keys: tuple[str, ...] = ()  # "post:12" ...
    pending_spaces: tuple[int, ...] = ()  # every document of these spaces
    pending_threads: tuple[int, ...] = ()  # every post of these threads
    posts_unsafe: bool = False  # too much is pending to tell: show no posts at all


def access_for(session: Session, person: User | None) -> Access:
    """Two small queries: the spaces this person may not read, and what is pending."""
    facilitator = permissions.is_facilitator(person)
    hidden: list[int] = []
    if not facilitator:
        visible = permissions.visible_spaces(select(Space.id), person)
        hidden = list(session.scalars(select(Space.id).where(Space.id.not_in(visible))))
    rows = session.execute(select(PendingIndex.kind, PendingIndex.ref_id)
                           .limit(PENDING_LIMIT + 1)).all()
    unsafe = len(rows) > PENDING_LIMIT and not facilitator
    if unsafe:
        log.warning("search: more than %d index updates pending; posts left out of results",
                    PENDING_LIMIT)
    keys = sorted({f"{kind}:{ref}" for kind, ref in rows
                   if kind in ("ficha", "space", "post", "guide")})
    return Access(
        facilitator=facilitator,
        user_id=person.id if permissions.is_member(person) else None,
        hidden_spaces=tuple(sorted(hidden)),
        pending_keys=tuple(keys),
        pending_spaces=tuple(sorted({ref for kind, ref in rows if kind == "space_posts"})),
        pending_threads=tuple(sorted({ref for kind, ref in rows if kind == "thread"})),
        posts_unsafe=unsafe,
    )
