"""Who may do what: predicates and the matching query filters, one rule in two forms.

Pages, API, search, live rooms and templates all ask here, so a button is never shown for
an action the service would refuse. `person` is a User or None (a visitor).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Select

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


PREDICATES = {
    "create_ficha": can_create_ficha,
    "view_ficha": can_view_ficha,
    "edit_ficha": can_edit_ficha,
    "manage_editors": can_manage_editors,
    "facilitate": is_facilitator,
}
