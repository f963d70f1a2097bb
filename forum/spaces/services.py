"""Use cases on spaces: create, edit, open/close/archive, speakers, debate synthesis.

Posting inside a space lives in spaces.posting. Both take the session and the acting person
and raise core.errors; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, joinedload

from forum.accounts.models import User
from forum.accounts.services import find_by_email
from forum.communities.models import Community
from forum.core import database, events, permissions, vocab
from forum.core.content import render_markdown
from forum.core.errors import Invalid, NotAllowed, NotFound
from forum.core.slugs import slugify
from forum.spaces.kinds import SpaceKind, SpaceState
from forum.spaces.models import Post, Space, space_speakers, space_themes
from forum.spaces.queries import Participation, has_own_things, position_of
from forum.spaces.video import embed_url

TEXT_MAX = 20_000


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def require_facilitator(actor: User | None) -> None:
    if not permissions.can_manage_space(actor):
        raise NotAllowed(_l("Only facilitators open and manage spaces."))


def get_space(session: Session, space_id: int, person: User | None) -> Space:
    """With its speakers and files (few rows), which every page of the space shows."""
    space = session.get(Space, space_id,
                        options=[joinedload(Space.speakers), joinedload(Space.files)])
    if space is None or not permissions.can_view_space(person, space):
        raise NotFound(_l("This space does not exist or is not open to you."))
    return space


def _when(raw: Any, errors: dict, key: str) -> datetime | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime):
        return raw
    try:
        return datetime.fromisoformat(str(raw).strip()).replace(tzinfo=None)
    except ValueError:
        errors[key] = _l("Write a date and time such as 2026-03-15 16:00.")
        return None


def clean_space(session: Session, data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a space's fields (form or API shape); Invalid lists every bad one."""
    errors: dict[str, Any] = {}
    kind = str(data.get("kind") or "")
    if kind not in SpaceKind.__members__.values():
        errors["kind"] = _l("Choose one of the five kinds of space.")
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 200:
        errors["title"] = _l("A title of 1 to 200 characters is needed.")
    texts = {k: str(data.get(k) or "").replace("\x00", "") for k in ("framing", "summary")}
    for key, value in texts.items():
        if len(value) > TEXT_MAX:
            errors[key] = _l("At most %(n)d characters.", n=TEXT_MAX)
    themes = data.get("themes") or []
    themes = [themes] if isinstance(themes, str) else list(themes)
    if any(t not in vocab.THEMES for t in themes):
        errors["themes"] = _l("Choose themes from the list.")
    video = str(data.get("video_url") or "").strip()
    if video and embed_url(video) is None:
        errors["video_url"] = _l("Use an https link to a YouTube, Vimeo or PeerTube video.")
    community_id = data.get("community_id") or None
    if community_id is not None:
        try:
            community_id = int(community_id)
        except (TypeError, ValueError):
            community_id = -1
        if session.get(Community, community_id) is None:
            errors["community_id"] = _l("This community does not exist.")
    members_only = str(data.get("members_only", "")).lower() in ("1", "true", "on", "yes")
    if members_only and not community_id:
        errors["members_only"] = _l("Only a space of a community can be limited to its members.")
    starts, ends = _when(data.get("starts_at"), errors, "starts_at"), _when(
        data.get("ends_at"), errors, "ends_at")
    if starts and ends and ends <= starts:
        errors["ends_at"] = _l("The end must come after the start.")
    if errors:
        raise Invalid(errors)
    hold = str(data.get("hold_questions", "")).lower() in ("1", "true", "on", "yes")
    return {"kind": kind, "title": title, **texts, "themes": sorted(set(themes)),
            "video_url": video, "community_id": community_id, "members_only": members_only,
            "hold_questions": hold, "starts_at": starts, "ends_at": ends}


def _apply(session: Session, space: Space, values: dict[str, Any]) -> None:
    for key in ("title", "framing", "summary", "video_url", "community_id", "members_only",
                "hold_questions", "starts_at", "ends_at"):
        setattr(space, key, values[key])
    space.framing_html = render_markdown(values["framing"]) if values["framing"] else ""
    space.summary_html = render_markdown(values["summary"]) if values["summary"] else ""
    space.updated_at = now()
    session.flush()
    session.execute(delete(space_themes).where(space_themes.c.space_id == space.id))
    if values["themes"]:
        session.execute(insert(space_themes),
                        [{"space_id": space.id, "code": c} for c in values["themes"]])


def create_space(session: Session, actor: User, data: Mapping[str, Any]) -> Space:
    require_facilitator(actor)
    values = clean_space(session, data)
    space = Space(kind=values["kind"], created_by_id=actor.id, state=SpaceState.OPEN.value,
                  created_at=now())
    session.add(space)
    _apply(session, space, values)
    events.record(session, "space.created", space_id=space.id)
    return space


def update_space(session: Session, actor: User, space_id: int, data: Mapping[str, Any]) -> Space:
    """The kind of a space never changes: its posts were written for that kind."""
    require_facilitator(actor)
    space = get_space(session, space_id, actor)
    values = clean_space(session, {**data, "kind": space.kind})
    _apply(session, space, values)
    events.record(session, "space.updated", space_id=space.id)
    return space


def space_themes_of(session: Session, space_id: int) -> list[str]:
    return list(session.scalars(
        select(space_themes.c.code).where(space_themes.c.space_id == space_id)))


def set_state(session: Session, actor: User, space_id: int, state: str) -> Space:
    require_facilitator(actor)
    space = get_space(session, space_id, actor)
    if state not in SpaceState.__members__.values():
        raise Invalid({"state": _l("Unknown state.")})
    space.state = state
    space.closed_at = now() if state == SpaceState.CLOSED else space.closed_at
    space.updated_at = now()
    events.record(session, "space.state", space_id=space.id, state=state)
    return space


def close_with_synthesis(session: Session, actor: User, space_id: int, synthesis: str) -> Space:
    """A facilitator closes a debate table and writes what the positions said together."""
    require_facilitator(actor)
    space = get_space(session, space_id, actor)
    synthesis = (synthesis or "").replace("\x00", "").strip()
    if not synthesis:
        raise Invalid({"synthesis": _l("Write the synthesis of the positions.")})
    if len(synthesis) > TEXT_MAX:
        raise Invalid({"synthesis": _l("At most %(n)d characters.", n=TEXT_MAX)})
    space.synthesis = synthesis
    space.synthesis_html = render_markdown(synthesis)
    space.state = SpaceState.CLOSED.value
    space.closed_at = space.updated_at = now()
    events.record(session, "space.synthesis", space_id=space.id)
    return space


def add_speaker(session: Session, actor: User, space_id: int, email: str) -> User:
    require_facilitator(actor)
    space = get_space(session, space_id, actor)
    if space.kind != SpaceKind.CONFERENCE:
        raise Invalid({"email": _l("Only conferences have speakers.")})
    person = find_by_email(session, email or "")
    if person is None:
        raise Invalid({"email": _l("Nobody is registered with this e-mail.")})
    if person not in space.speakers:
        space.speakers.append(person)
    return person


def remove_speaker(session: Session, actor: User, space_id: int, user_id: int) -> None:
    require_facilitator(actor)
    space = get_space(session, space_id, actor)
    space.speakers = [s for s in space.speakers if s.id != user_id]


def bump_revision(session: Session, event: events.DomainEvent) -> None:
    """In-transaction subscriber: any event about a space changes that space's page, and a
    person's new name changes every page that shows their posts or them as a speaker."""
    if event.type == "person.updated":
        user_id = event.data["user_id"]
        spoke = select(space_speakers.c.space_id).where(space_speakers.c.user_id == user_id)
        wrote = select(Post.space_id).where(Post.author_id == user_id)
        session.execute(update(Space).where(Space.id.in_(spoke) | Space.id.in_(wrote))
                        .values(revision=Space.revision + 1)
                        .execution_options(synchronize_session=False))
        return
    space_ids = {event.data.get("space_id"), event.data.get("from_space_id")} - {None}
    for space_id in space_ids:
        session.execute(update(Space).where(Space.id == space_id)
                        .values(revision=Space.revision + 1))


@dataclass(frozen=True)
class SpaceStamp:
    state: str
    members_only: bool
    revision: int
    window: str
    slug: str = ""  # the words of its readable URL


SPACE_STAMP = (select(Space.state, Space.members_only, Space.revision, Space.starts_at,
                      Space.ends_at, Space.title).where(Space.id == bindparam("space_id")))


def space_stamp(session: Session, space_id: int) -> SpaceStamp | None:
    """What decides whether a visitor's cached page is still right, in one small query."""
    row = database.read(session, SPACE_STAMP, {"space_id": space_id}).first()
    if row is None:
        return None
    probe = Space(starts_at=row.starts_at, ends_at=row.ends_at)
    return SpaceStamp(row.state, row.members_only, row.revision, window(probe),
                      slugify(row.title))


@dataclass(frozen=True)
class ViewerStamp:
    stamp: SpaceStamp
    kind: str
    plain: bool  # a plain participant here: no facilitator or speaker, nothing of their own
    position_id: int | None  # their position, at a debate table

    @property
    def participation(self) -> Participation:
        return Participation(self.plain, self.position_id)


def _viewer_stamp_query() -> Select:
    person_id = bindparam("person_id")
    speaker = (select(space_speakers.c.user_id).where(space_speakers.c.space_id == Space.id,
                                                      space_speakers.c.user_id == person_id)
               .exists())
    return (select(Space.state, Space.members_only, Space.revision, Space.starts_at,
                   Space.ends_at, Space.kind, has_own_things(Space.id, person_id) | speaker,
                   position_of(Space.id, person_id), Space.title)
            .where(Space.id == bindparam("space_id")))


# built once: it runs on every logged-in view of a space, where building it cost more than
# running it
VIEWER_STAMP = _viewer_stamp_query()


def viewer_stamp(session: Session, person: User, space_id: int) -> ViewerStamp | None:
    """The stamp, and whether this person is a plain participant here (no facilitator or
    speaker, nothing of their own in the space), in one query: plain participants of a
    public space all get one shared page."""
    row = database.read(session, VIEWER_STAMP,
                        {"space_id": space_id, "person_id": person.id}).first()
    if row is None:
        return None
    probe = Space(starts_at=row.starts_at, ends_at=row.ends_at)
    stamp = SpaceStamp(row.state, row.members_only, row.revision, window(probe),
                       slugify(row.title))
    plain = not row[6] and not permissions.is_facilitator(person)
    return ViewerStamp(stamp, row.kind, plain, row[7])


def window(space: Space, at: datetime | None = None) -> str:
    """'upcoming', 'live' or 'ended' for a conference's scheduled window ('' if none)."""
    if not space.starts_at:
        return ""
    at = at or now()
    if at < space.starts_at:
        return "upcoming"
    if space.ends_at and at > space.ends_at:
        return "ended"
    return "live"
