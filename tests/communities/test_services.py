"""Use cases of communities and calls, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from forum.communities import services
from forum.communities.models import Call, CallState, CallSubmission, Community, Membership
from forum.core import events
from forum.core.errors import Conflict, Invalid, NotAllowed, NotFound
from forum.extensions import db
from forum.fichas import services as fichas
from tests.communities.factories import make_call, make_community, make_facilitator, now
from tests.conftest import make_ficha, make_user

pytestmark = pytest.mark.both_backends


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def heard():
    """The domain events published after commit."""
    seen: list[events.DomainEvent] = []
    events.subscribe("*", seen.append)
    yield seen
    events.unsubscribe("*", seen.append)


# --- communities --------------------------------------------------------------------------


def test_facilitator_creates_a_community_and_is_its_first_member(backend, app, heard):
    facilitator = make_facilitator()
    community = make_community(
        by=facilitator, theme="environment", description="Cuencas y **acuerdos** comunales."
    )
    assert community.description_html == "<p>Cuencas y <strong>acuerdos</strong> comunales.</p>"
    assert services.is_member(db.session, facilitator, community.id)
    assert [e.type for e in heard] == ["community.created"]


def test_participant_cannot_create_a_community(backend, app):
    with pytest.raises(NotAllowed):
        services.create_community(db.session, make_user(), name="Mía")
    db.session.rollback()
    assert count(Community) == 0


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 161}, "name"),
        ({"name": "Turismo", "theme": "astrology"}, "theme"),
        ({"name": "Turismo", "description": "d" * 10_001}, "description"),
    ],
)
def test_community_input_is_checked(backend, app, fields, field):
    with pytest.raises(Invalid) as exc:
        services.create_community(db.session, make_facilitator(), **fields)
    assert field in exc.value.fields


def test_community_names_are_unique_whatever_the_case(backend, app):
    facilitator = make_facilitator()
    make_community(by=facilitator, name="Gestión del agua")
    with pytest.raises(Invalid) as exc:
        services.create_community(db.session, facilitator, name="gestión DEL agua")
    assert "name" in exc.value.fields


def test_update_community_is_for_facilitators(backend, app):
    facilitator = make_facilitator()
    community = make_community(by=facilitator)
    with pytest.raises(NotAllowed):
        services.update_community(db.session, make_user(), community.id, name="Otro")
    services.update_community(
        db.session, facilitator, community.id, name="Agua y riego", description="_Riego_"
    )
    db.session.commit()
    db.session.expire_all()
    updated = db.session.get(Community, community.id)
    assert updated.name == "Agua y riego" and updated.description_html == "<p><em>Riego</em></p>"


def test_join_twice_is_a_no_op_and_leave_removes(backend, app, heard):
    community = make_community(by=make_facilitator())
    person = make_user()
    services.join_community(db.session, person, community.id)
    services.join_community(db.session, person, community.id)
    db.session.commit()
    assert count(Membership) == 2  # the creator and this person, once
    assert services.member_community_ids(db.session, person) == frozenset({community.id})
    services.leave_community(db.session, person, community.id)
    services.leave_community(db.session, person, community.id)
    db.session.commit()
    assert not services.is_member(db.session, person, community.id)
    assert [e.type for e in heard][-2:] == ["community.joined", "community.left"]


def test_visitors_belong_to_nothing_and_cannot_join(backend, app):
    community = make_community(by=make_facilitator())
    assert services.member_community_ids(db.session, None) == frozenset()
    assert not services.is_member(db.session, None, community.id)
    with pytest.raises(NotAllowed):
        services.join_community(db.session, None, community.id)
    with pytest.raises(NotFound):
        services.join_community(db.session, make_user(), 999)


# --- calls --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": ""}, "title"),
        ({"title": "t" * 300}, "title"),
        ({"closes_at": -1}, "closes_at"),
        ({"closes_at": 0}, "closes_at"),
        ({"opens_at": None}, "opens_at"),
        ({"themes": ["gender", "astrology"]}, "themes"),
    ],
)
def test_call_input_is_checked(backend, app, changes, field):
    start = now()
    values = {"title": "Turismo comunitario", "opens_at": start, "closes_at": start}
    values |= changes
    if isinstance(values["closes_at"], int):
        values["closes_at"] = start + timedelta(days=values["closes_at"])
    with pytest.raises(Invalid) as exc:
        services.open_call(db.session, make_facilitator(), **values)
    assert field in exc.value.fields
    db.session.rollback()
    assert count(Call) == 0


def test_participants_do_not_open_calls(backend, app):
    with pytest.raises(NotAllowed):
        services.open_call(
            db.session, make_user(), title="x", opens_at=now(), closes_at=now() + timedelta(1)
        )


def test_call_window_includes_its_opening_and_excludes_its_closing(backend, app):
    call = make_call(by=make_facilitator(), themes=["gender", "gender", "education"])
    assert call.themes == ["gender", "education"]
    assert call.state_at(call.opens_at) == CallState.OPEN
    assert call.state_at(call.opens_at - timedelta(seconds=1)) == CallState.UPCOMING
    assert call.state_at(call.closes_at) == CallState.CLOSED


@pytest.mark.parametrize("window, accepted", [("open", True), ("upcoming", False),
                                              ("closed", False)])
def test_only_an_open_call_takes_sheets(backend, app, heard, window, accepted):
    call = make_call(by=make_facilitator(), window=window)
    author = make_user()
    ficha = make_ficha(owner=author)
    if accepted:
        services.submit_to_call(db.session, author, call.id, ficha.id)
        db.session.commit()
        assert heard[-1].type == "call.submitted"
    else:
        with pytest.raises(Conflict) as exc:
            services.submit_to_call(db.session, author, call.id, ficha.id)
        with app.test_request_context(headers={"Accept-Language": "en"}):
            refresh()  # the test's app context cached Spanish
            message = str(exc.value.message)  # a lazy message, read in English here
        assert ("not open yet" if window == "upcoming" else "closed") in message
        db.session.rollback()
    assert count(CallSubmission) == int(accepted)


def test_the_same_sheet_goes_to_a_call_once(backend, app):
    call = make_call(by=make_facilitator())
    author = make_user()
    ficha = make_ficha(owner=author)
    services.submit_to_call(db.session, author, call.id, ficha.id)
    db.session.commit()
    with pytest.raises(Conflict):
        services.submit_to_call(db.session, author, call.id, ficha.id)
    db.session.rollback()
    assert count(CallSubmission) == 1


def test_co_editors_may_submit_strangers_may_not(backend, app):
    call = make_call(by=make_facilitator())
    owner, colleague = make_user(), make_user()
    ficha = make_ficha(owner=owner)
    fichas.add_editor(db.session, owner, ficha.id, colleague.email)
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.submit_to_call(db.session, make_user(), call.id, ficha.id)
    db.session.rollback()
    services.submit_to_call(db.session, colleague, call.id, ficha.id)
    db.session.commit()
    assert db.session.scalar(select(CallSubmission.submitted_by_id)) == colleague.id


def test_missing_things_are_not_found_or_invalid(backend, app):
    call = make_call(by=make_facilitator())
    author = make_user()
    with pytest.raises(NotFound):
        services.submit_to_call(db.session, author, 999, 1)
    with pytest.raises(NotFound):
        services.submit_to_call(db.session, author, call.id, 999)
    with pytest.raises(Invalid):
        services.submit_to_call(db.session, author, call.id, None)


def test_a_call_that_closed_takes_no_more_and_keeps_what_it_gathered(backend, app):
    call = make_call(by=make_facilitator())
    author = make_user()
    first, second = make_ficha(owner=author), make_ficha(owner=author, title="Segunda")
    services.submit_to_call(db.session, author, call.id, first.id)
    db.session.get(Call, call.id).closes_at = now() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(Conflict):
        services.submit_to_call(db.session, author, call.id, second.id)
    db.session.rollback()
    with pytest.raises(NotAllowed):  # what a closed call gathered stays for its authors
        services.withdraw_submission(db.session, author, call.id, first.id)
    db.session.rollback()
    assert count(CallSubmission) == 1


def test_withdraw_while_open_and_facilitators_any_time(backend, app):
    facilitator = make_facilitator()
    call = make_call(by=facilitator)
    author = make_user()
    ficha = make_ficha(owner=author)
    services.submit_to_call(db.session, author, call.id, ficha.id)
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.withdraw_submission(db.session, make_user(), call.id, ficha.id)
    db.session.rollback()
    services.withdraw_submission(db.session, author, call.id, ficha.id)
    db.session.commit()
    with pytest.raises(NotFound):
        services.withdraw_submission(db.session, author, call.id, ficha.id)
    db.session.rollback()
    services.submit_to_call(db.session, author, call.id, ficha.id)
    db.session.get(Call, call.id).closes_at = now() - timedelta(minutes=1)
    db.session.commit()
    services.withdraw_submission(db.session, facilitator, call.id, ficha.id)
    db.session.commit()
    assert count(CallSubmission) == 0
