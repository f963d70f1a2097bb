"""Who may do what: predicates and the matching query filters, one rule in two forms.

Pages, API, search, live rooms and templates all ask here, so a button is never shown for
an action the service would refuse. `person` is a User or None (a visitor).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, object_session

from forum.communities.models import Membership
from forum.spaces.kinds import PostStatus, SpaceState
from forum.spaces.models import Post, Space

if TYPE_CHECKING:
    from forum.accounts.models import User
    from forum.fichas.models import Ficha
    from forum.fichas.services import FichaAccess


def is_member(person: Any) -> bool:
    """A logged-in person (Flask-Login's anonymous user counts as a visitor)."""
    return person is not None and bool(getattr(person, "is_authenticated", False))


def is_facilitator(person: User | None) -> bool:
    return is_member(person) and person.is_facilitator


def can_create_ficha(person: User | None) -> bool:
    return is_member(person)


def can_view_ficha(person: User | None, ficha: Ficha) -> bool:  # noqa: ARG001
    """Sheets are public: visitors come precisely to read what others learned."""
    return True


def visible_fichas(query: Select, person: User | None) -> Select:  # noqa: ARG001
    """The query form of can_view_ficha: every sheet is public, so nothing is filtered."""
    return query


def can_edit_ficha(person: User | None, ficha: Ficha | FichaAccess) -> bool:
    """Owner, invited co-editors and facilitators improve a sheet; nobody else."""
    if not is_member(person):
        return False
    if person.is_facilitator or ficha.owner_id == person.id:
        return True
    return person.id in ficha.editor_ids


def can_manage_editors(person: User | None, ficha: Ficha | FichaAccess) -> bool:
    """Inviting co-editors is the owner's decision (facilitators may help)."""
    return is_member(person) and (person.is_facilitator or ficha.owner_id == person.id)





# --- spaces and posts -------------------------------------------------------------------


def _member_of(person: Any, community_id: int, session: Session | None) -> bool:
    if getattr(person, "stands_for_members", False):
        return True  # a live stand-in speaks for people the room already let in as members
    if session is None:
        return False
    found = session.scalar(
        select(Membership.id).where(
            Membership.community_id == community_id, Membership.user_id == person.id
        )
    )
    return found is not None


def can_view_space(person: User | None, space: Space) -> bool:
    """Drafts are for facilitators; a members-only space is for its community's members."""
    if is_facilitator(person):
        return True
    if space.state == SpaceState.DRAFT:
        return False
    if space.members_only:  # one whose community was removed is nobody's: facilitators only
        return (space.community_id is not None and is_member(person)
                and _member_of(person, space.community_id, object_session(space)))
    return True


def visible_spaces(query: Select, person: User | None) -> Select:
    """The query form of can_view_space."""
    if is_facilitator(person):
        return query
    query = query.where(Space.state != SpaceState.DRAFT.value)
    if not is_member(person):
        return query.where(Space.members_only.is_(False))
    mine = select(Membership.community_id).where(Membership.user_id == person.id)
    return query.where(or_(Space.members_only.is_(False), Space.community_id.in_(mine)))


def can_post_in(person: User | None, space: Space) -> bool:
    """Logged in, the space open, and allowed to read it."""
    return is_member(person) and space.is_open and can_view_space(person, space)


def can_manage_space(person: User | None, space: Space | None = None) -> bool:  # noqa: ARG001
    return is_facilitator(person)


def is_speaker(person: User | None, space: Space) -> bool:
    if getattr(person, "stands_for_speakers", False):
        return True  # a live stand-in rendering what the speakers of a room see
    return is_member(person) and any(s.id == person.id for s in space.speakers)


def can_answer(person: User | None, space: Space) -> bool:
    """Speakers and facilitators answer conference questions (after the window too)."""
    return is_facilitator(person) or is_speaker(person, space)


def can_view_post(person: User | None, post: Post) -> bool:
    """Hidden and held posts are seen by their author and facilitators only."""
    if post.status in (PostStatus.VISIBLE, PostStatus.DELETED):
        return True
    return is_facilitator(person) or (is_member(person) and post.author_id == person.id)


def visible_posts(query: Select, person: User | None) -> Select:
    """The query form of can_view_post."""
    if is_facilitator(person):
        return query
    shown = Post.status.in_([PostStatus.VISIBLE.value, PostStatus.DELETED.value])
    if not is_member(person):
        return query.where(shown)
    return query.where(or_(shown, Post.author_id == person.id))


def can_edit_post(person: User | None, post: Post) -> bool:
    """Authors edit their own posts; facilitators edit any, with a note."""
    if not is_member(person) or post.status == PostStatus.DELETED:
        return False
    return person.is_facilitator or post.author_id == person.id


def can_mark_helped(person: User | None, dilemma: Post) -> bool:
    """The person who posed the dilemma, or a facilitator, says which replies helped."""
    return is_member(person) and (person.is_facilitator or dilemma.author_id == person.id)


def can_moderate(person: User | None) -> bool:
    """Facilitators hide, restore, pin, lock, move and review posts; nobody else, so the
    review queue and the audit log stay in the hands of the people who answer for them."""
    return is_facilitator(person)


PREDICATES = {
    "create_ficha": can_create_ficha,
    "view_ficha": can_view_ficha,
    "edit_ficha": can_edit_ficha,
    "manage_editors": can_manage_editors,
    "facilitate": is_facilitator,
    "view_space": can_view_space,
    "post_in": can_post_in,
    "manage_space": can_manage_space,
    "answer": can_answer,
    "edit_post": can_edit_post,
    "mark_helped": can_mark_helped,
    "moderate": can_moderate,
}
