"""What the community and call pages show, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, load_only, selectinload

from forum.accounts.models import User
from forum.communities import services
from forum.communities.models import Call, CallState, CallSubmission, Community, Membership
from forum.core import permissions
from forum.fichas.models import Ficha, ficha_editors
from forum.fichas.queries import CARD_COLUMNS
from forum.spaces.kinds import SpaceState
from forum.spaces.models import Space

MEMBER_SHEETS = 30  # the community page shows the latest sheets; the profiles show the rest


def _cards(query: Select, person: User | None) -> Select:
    """Sheet cards: card columns, owner joined, tags in one more query."""
    return permissions.visible_fichas(query, person).options(
        load_only(*CARD_COLUMNS), selectinload(Ficha.tags)
    )


def list_communities(session: Session) -> list[tuple[Community, int]]:
    """Every community with its member count, in one query whatever their number."""
    rows = session.execute(
        select(Community, func.count(Membership.id))
        .outerjoin(Membership, Membership.community_id == Community.id)
        .group_by(Community.id)
        .order_by(Community.name)
    ).all()
    return [(community, count) for community, count in rows]


@dataclass(frozen=True)
class CommunityPage:
    community: Community
    members: Sequence[User]
    fichas: Sequence[Ficha]
    fichas_total: int
    spaces: Sequence[Space]

    def has_member(self, person: User | None) -> bool:
        return permissions.is_member(person) and any(m.id == person.id for m in self.members)


def _member_ids(community_id: int) -> Select:
    return select(Membership.user_id).where(Membership.community_id == community_id)


def community_page(session: Session, community_id: int, viewer: User | None) -> CommunityPage:
    """The group, its members, their latest sheets and the group's spaces: six queries."""
    community = services.get_community(session, community_id)
    members = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community_id)
        .order_by(User.display_name, User.id)
    ).all()
    by_members = Ficha.owner_id.in_(_member_ids(community_id))
    fichas = session.scalars(
        _cards(select(Ficha).where(by_members), viewer)
        .order_by(Ficha.updated_at.desc(), Ficha.id.desc())
        .limit(MEMBER_SHEETS)
    ).all()
    total = session.scalar(
        permissions.visible_fichas(select(func.count(Ficha.id)).where(by_members), viewer)
    )
    spaces = _spaces(session, community_id, viewer)
    return CommunityPage(community, members, fichas, total or 0, spaces)


def _spaces(session: Session, community_id: int, viewer: User | None) -> Sequence[Space]:
    """Open and closed spaces; drafts only for facilitators, archived ones never (they are
    out of every listing)."""
    states = [SpaceState.OPEN.value, SpaceState.CLOSED.value]
    if permissions.is_facilitator(viewer):
        states.append(SpaceState.DRAFT.value)
    return session.scalars(
        select(Space)
        .options(load_only(Space.id, Space.title, Space.kind, Space.state, Space.members_only))
        .where(Space.community_id == community_id, Space.state.in_(states))
        .order_by(Space.created_at.desc(), Space.id.desc())
    ).all()


@dataclass(frozen=True)
class CallLists:
    open: list[tuple[Call, int]] = field(default_factory=list)
    upcoming: list[tuple[Call, int]] = field(default_factory=list)
    closed: list[tuple[Call, int]] = field(default_factory=list)


def list_calls(session: Session, now: datetime) -> CallLists:
    """Every call with the number of sheets it gathered, sorted into open, upcoming and
    past by `now`, in one query."""
    rows = session.execute(
        select(Call, func.count(CallSubmission.id))
        .outerjoin(CallSubmission, CallSubmission.call_id == Call.id)
        .group_by(Call.id)
        .order_by(Call.closes_at.desc(), Call.id.desc())
    ).all()
    lists = CallLists()
    for call, count in rows:
        getattr(lists, call.state_at(now).value).append((call, count))
    lists.open.reverse()  # the one closing soonest first
    lists.upcoming.reverse()
    return lists


@dataclass(frozen=True)
class CallPage:
    call: Call
    state: CallState
    gathered: Sequence[Ficha]
    own: Sequence[tuple[int, str]]  # the viewer's sheets not sent yet: (id, title)
    withdrawable: frozenset[int]


def call_page(session: Session, call_id: int, viewer: User | None, now: datetime) -> CallPage:
    """The call, the sheets it gathered and, for a logged-in person, their own sheets."""
    call = services.get_call(session, call_id)
    query = (
        _cards(select(Ficha), viewer)
        .join(CallSubmission, CallSubmission.ficha_id == Ficha.id)
        .where(CallSubmission.call_id == call_id)
        .order_by(CallSubmission.submitted_at, CallSubmission.id)
    )
    logged_in = permissions.is_member(viewer)
    if logged_in:
        query = query.options(selectinload(Ficha.editors))
    gathered = session.scalars(query).all()
    sent = {f.id for f in gathered}
    own = [row for row in own_sheets(session, viewer) if row[0] not in sent] if logged_in else []
    withdrawable = frozenset(
        f.id for f in gathered if logged_in and services.can_withdraw(viewer, call, f, now)
    )
    return CallPage(call, call.state_at(now), gathered, own, withdrawable)


def own_sheets(session: Session, person: User) -> list[tuple[int, str]]:
    """Sheets a person owns or co-edits: the ones they may send to a call."""
    co_edited = select(ficha_editors.c.ficha_id).where(ficha_editors.c.user_id == person.id)
    rows = session.execute(
        select(Ficha.id, Ficha.title)
        .where(or_(Ficha.owner_id == person.id, Ficha.id.in_(co_edited)))
        .order_by(Ficha.title, Ficha.id)
    ).all()
    return [(row.id, row.title) for row in rows]
