"""Facilitation and moderation use cases, on SQLite and PostgreSQL: flags, the review queue,
hide/restore, pin, lock, move, held posts and the audit log. The pages and forms are tested
in test_moderation_pages.py, which reuses the factories below."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from forum.accounts.models import Role, User
from forum.core import events
from forum.core.errors import Conflict, Invalid, NotAllowed
from forum.extensions import db
from forum.spaces import moderation
from forum.spaces.kinds import KINDS, PostStatus, SpaceKind
from forum.spaces.models import AuditEntry, Flag, Post, Space
from tests.conftest import make_user

pytestmark = pytest.mark.both_backends


# --- factories ------------------------------------------------------------------------------


def make_space(*, creator: User, kind: str = "debate", title: str | None = None) -> Space:
    space = Space(kind=kind, title=title or f"Mesa sobre {kind}", created_by_id=creator.id,
                  state="open")
    db.session.add(space)
    db.session.commit()
    return space


def make_post(*, space: Space, author: User, parent: Post | None = None,
              status: str = PostStatus.VISIBLE.value, body: str = "Desde Guaqui: acuerdos.",
              ) -> Post:
    """A root post (root_id is its own id) or, with `parent`, a reply in its thread."""
    rules = KINDS[SpaceKind(space.kind)]
    post = Post(space_id=space.id, author_id=author.id, body=body, body_html=f"<p>{body}</p>",
                kind=(rules.reply if parent else rules.root).value, status=status,
                parent_id=parent.id if parent else None,
                root_id=(parent.root_id or parent.id) if parent else None,
                depth=parent.depth + 1 if parent else 0)
    db.session.add(post)
    db.session.flush()
    if parent is None:
        post.root_id = post.id
    db.session.commit()
    return post


def cast() -> dict[str, User]:
    """A facilitator, the author of the opening post, and another participant."""
    return {"fac": make_user(role=Role.FACILITATOR, name="Facilitadora Ana"),
            "author": make_user(name="Rosa Mamani"),
            "other": make_user(name="Juan Quispe")}


def open_thread(people: dict[str, User]) -> dict[str, Any]:
    """A debate table with a position by the author and a reply by the other participant."""
    space = make_space(creator=people["fac"])
    root = make_post(space=space, author=people["author"])
    reply = make_post(space=space, author=people["other"], parent=root)
    return {"space": space, "root": root, "reply": reply}


@pytest.fixture
def people(app) -> dict[str, User]:  # noqa: ARG001 - the app context holds db.session
    return cast()


@pytest.fixture
def thread(people: dict[str, User]) -> dict[str, Any]:
    return open_thread(people)


@pytest.fixture
def recorded() -> list[events.DomainEvent]:
    """The domain events moderation records (not the live journal's own bookkeeping)."""
    seen: list[events.DomainEvent] = []

    def keep(event: events.DomainEvent) -> None:
        if not event.type.startswith("live."):
            seen.append(event)

    events.subscribe("*", keep)
    yield seen
    events.unsubscribe("*", keep)


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


def fresh(post: Post) -> Post:
    db.session.expire_all()
    return db.session.get(Post, post.id)


def text(response) -> str:
    return response.get_data(as_text=True)


# --- use cases ------------------------------------------------------------------------------

ACTIONS = [
    ("hide_post", {"reason": "Ofende a una comunidad."}),
    ("restore_post", {}),
    ("pin_post", {}),
    ("unpin_post", {}),
    ("lock_thread", {}),
    ("unlock_thread", {}),
    ("approve_held", {}),
    ("dismiss_held", {}),
    ("dismiss_flags", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_participants_cannot_moderate_and_nothing_changes(people, thread, name, kwargs):
    root = thread["root"]
    moderation.flag_post(db.session, people["other"], root.id, "Parece publicidad.")
    db.session.commit()
    before = (root.status, root.pinned, root.locked, root.space_id)
    with pytest.raises(NotAllowed):
        getattr(moderation, name)(db.session, people["author"], root.id, **kwargs)
    db.session.rollback()
    root = fresh(root)
    assert (root.status, root.pinned, root.locked, root.space_id) == before
    assert audit_count() == 0
    assert db.session.scalar(select(Flag.resolved_at)) is None


def test_participants_cannot_move_read_the_queue_or_the_log(people, thread):
    other = make_space(creator=people["fac"])
    for call in (lambda p: moderation.move_thread(db.session, p, thread["root"].id, other.id),
                 lambda p: moderation.review_queue(db.session, p),
                 lambda p: moderation.audit_log(db.session, p),
                 lambda p: moderation.hide_post(db.session, None, thread["root"].id, "Razón")):
        with pytest.raises(NotAllowed):
            call(people["other"])
    assert fresh(thread["root"]).space_id == thread["space"].id and audit_count() == 0


def test_hide_records_the_reason_for_the_author_and_the_audit_log(people, thread, recorded):
    root = thread["root"]
    moderation.hide_post(db.session, people["fac"], root.id, "  Datos personales de un vecino. ")
    db.session.commit()
    root = fresh(root)
    assert root.status == PostStatus.HIDDEN and not root.shown
    assert root.moderation_reason == "Datos personales de un vecino."
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.actor_id, entry.post_id, entry.space_id, entry.reason) == (
        "hide", people["fac"].id, root.id, thread["space"].id, "Datos personales de un vecino.")
    hidden = [e for e in recorded if e.type == "post.hidden"]
    assert hidden and hidden[0].data == {"post_id": root.id, "space_id": thread["space"].id,
                                         "root_id": root.id}


def test_hide_needs_a_reason_and_a_visible_post(people, thread):
    with pytest.raises(Invalid) as exc:
        moderation.hide_post(db.session, people["fac"], thread["root"].id, "   ")
    assert "reason" in exc.value.fields
    moderation.hide_post(db.session, people["fac"], thread["root"].id, "Fuera de tema.")
    with pytest.raises(Conflict):
        moderation.hide_post(db.session, people["fac"], thread["root"].id, "Otra vez.")


def test_restore_shows_the_post_again_and_clears_the_reason(people, thread):
    moderation.hide_post(db.session, people["fac"], thread["reply"].id, "Fuera de tema.")
    moderation.restore_post(db.session, people["fac"], thread["reply"].id)
    db.session.commit()
    reply = fresh(thread["reply"])
    assert reply.status == PostStatus.VISIBLE and reply.moderation_reason == ""
    assert [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))] \
        == ["hide", "restore"]
    with pytest.raises(Conflict):
        moderation.restore_post(db.session, people["fac"], thread["reply"].id)


def test_flag_rules(people, thread):
    post_id = thread["root"].id
    with pytest.raises(Invalid):
        moderation.flag_post(db.session, people["other"], post_id, "no")
    with pytest.raises(Invalid):
        moderation.flag_post(db.session, people["other"], post_id, "x" * 501)
    with pytest.raises(NotAllowed):
        moderation.flag_post(db.session, None, post_id, "Parece publicidad.")
    moderation.flag_post(db.session, people["other"], post_id, "Parece publicidad.")
    db.session.commit()
    with pytest.raises(Conflict):
        moderation.flag_post(db.session, people["other"], post_id, "Insisto: publicidad.")
    db.session.rollback()
    moderation.flag_post(db.session, people["fac"], post_id, "Lo reviso yo también.")
    db.session.commit()
    assert db.session.scalar(select(func.count(Flag.id))) == 2
    assert audit_count() == 0  # flags are not moderation actions


def test_the_same_flag_sent_from_two_tabs_at_once_is_kept_once(people, thread, monkeypatch,
                                                               recorded):
    """Both requests pass the check before either writes: the database index refuses the
    second, which gets the same clear refusal and leaves nothing half-written."""
    post_id, who, now = thread["root"].id, people["other"].id, moderation._now()
    check_reason = moderation._reason

    def other_tab_writes_first(*args: Any, **kwargs: Any) -> str:
        with db.engine.begin() as conn:  # its own connection: the other request's commit
            conn.execute(insert(Flag).values(post_id=post_id, user_id=who, created_at=now,
                                             reason="Publicidad (otra pestaña).", resolution=""))
        return check_reason(*args, **kwargs)

    monkeypatch.setattr(moderation, "_reason", other_tab_writes_first)
    with pytest.raises(Conflict, match="Ya señalaste"):
        moderation.flag_post(db.session, people["other"], post_id, "Parece publicidad.")
    db.session.rollback()
    assert db.session.scalars(select(Flag.reason)).all() == ["Publicidad (otra pestaña)."]
    assert [e for e in recorded if e.type == "post.flagged"] == []


def test_a_resolved_flag_does_not_count_as_open_for_the_database(people, thread):
    post_id, who, now = thread["root"].id, people["other"].id, moderation._now()

    def flag(reason: str, **resolved: Any) -> Flag:
        return Flag(post_id=post_id, user_id=who, reason=reason, created_at=now, **resolved)

    db.session.add(flag("Primera vez.", resolved_at=now, resolution="dismissed"))
    db.session.add(flag("Otra vez."))
    db.session.commit()
    db.session.add(flag("Y otra."))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_hiding_resolves_the_open_flags(people, thread):
    root = thread["root"]
    moderation.flag_post(db.session, people["other"], root.id, "Insulta a los productores.")
    moderation.flag_post(db.session, people["fac"], root.id, "Confirmo el insulto.")
    moderation.hide_post(db.session, people["fac"], root.id, "Lenguaje ofensivo.")
    db.session.commit()
    flags = db.session.scalars(select(Flag)).all()
    assert {f.resolution for f in flags} == {"hidden"} and all(f.resolved_at for f in flags)
    assert moderation.review_queue(db.session, people["fac"]).flagged == []
    # a resolved flag no longer blocks a new one once the post is back
    moderation.restore_post(db.session, people["fac"], root.id)
    moderation.flag_post(db.session, people["other"], root.id, "Vuelve a insultar.")


def test_dismissing_flags_keeps_the_post(people, thread):
    root = thread["root"]
    moderation.flag_post(db.session, people["other"], root.id, "No me gusta.")
    moderation.dismiss_flags(db.session, people["fac"], root.id)
    db.session.commit()
    assert fresh(root).status == PostStatus.VISIBLE
    assert db.session.scalars(select(Flag.resolution)).all() == ["kept"]
    assert db.session.scalars(select(AuditEntry.action)).all() == ["dismiss_flags"]
    with pytest.raises(Conflict):
        moderation.dismiss_flags(db.session, people["fac"], root.id)


def test_lock_and_unlock_act_on_the_root_once(people, thread, recorded):
    root = thread["root"]
    moderation.lock_thread(db.session, people["fac"], root.id)
    moderation.lock_thread(db.session, people["fac"], root.id)  # already locked: no-op
    db.session.commit()
    assert fresh(root).locked and audit_count() == 1
    assert [e.type for e in recorded] == ["thread.locked"]
    with pytest.raises(Invalid):
        moderation.lock_thread(db.session, people["fac"], thread["reply"].id)
    moderation.unlock_thread(db.session, people["fac"], root.id)
    db.session.commit()
    assert not fresh(root).locked
    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() \
        == ["lock", "unlock"]


def test_pin_and_unpin(people, thread):
    moderation.pin_post(db.session, people["fac"], thread["reply"].id)
    db.session.commit()
    assert fresh(thread["reply"]).pinned
    moderation.unpin_post(db.session, people["fac"], thread["reply"].id)
    db.session.commit()
    assert not fresh(thread["reply"]).pinned
    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() \
        == ["pin", "unpin"]


def test_move_carries_every_reply(people, thread, recorded):
    root, reply = thread["root"], thread["reply"]
    deeper = make_post(space=thread["space"], author=people["author"], parent=reply)
    stays = make_post(space=thread["space"], author=people["other"])
    target = make_space(creator=people["fac"], title="Mesa sobre mancomunidades")
    moderation.move_thread(db.session, people["fac"], root.id, target.id)
    db.session.commit()
    db.session.expire_all()
    assert {db.session.get(Post, p.id).space_id for p in (root, reply, deeper)} == {target.id}
    assert db.session.get(Post, stays.id).space_id == thread["space"].id
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.action == "move" and entry.post_id == root.id
    assert entry.data == {"from": thread["space"].id, "to": target.id, "posts": 3}
    assert [e.type for e in recorded] == ["thread.moved"]
    assert recorded[0].data["space_id"] == target.id


def test_move_refuses_other_kinds_missing_spaces_and_replies(people, thread):
    conference = make_space(creator=people["fac"], kind="conference")
    with pytest.raises(Invalid) as exc:
        moderation.move_thread(db.session, people["fac"], thread["root"].id, conference.id)
    assert "space_id" in exc.value.fields
    with pytest.raises(Invalid):
        moderation.move_thread(db.session, people["fac"], thread["root"].id, 9999)
    with pytest.raises(Invalid):
        moderation.move_thread(db.session, people["fac"], thread["root"].id, thread["space"].id)
    other = make_space(creator=people["fac"])
    with pytest.raises(Invalid):
        moderation.move_thread(db.session, people["fac"], thread["reply"].id, other.id)
    db.session.rollback()
    assert fresh(thread["root"]).space_id == thread["space"].id and audit_count() == 0


def test_approve_and_dismiss_held_posts(people, thread):
    first = make_post(space=thread["space"], author=people["other"], status="held")
    second = make_post(space=thread["space"], author=people["other"], status="held")
    queue = moderation.review_queue(db.session, people["fac"])
    assert [p.id for p in queue.held] == [first.id, second.id]
    moderation.approve_held(db.session, people["fac"], first.id)
    moderation.dismiss_held(db.session, people["fac"], second.id)
    db.session.commit()
    assert fresh(first).status == PostStatus.VISIBLE
    assert fresh(second).status == PostStatus.DISMISSED
    assert moderation.review_queue(db.session, people["fac"]).held == []
    with pytest.raises(Conflict):
        moderation.approve_held(db.session, people["fac"], second.id)
    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() \
        == ["approve", "dismiss"]


def test_queue_groups_flags_by_post_oldest_first(people, thread):
    root, reply = thread["root"], thread["reply"]
    moderation.flag_post(db.session, people["other"], root.id, "Publicidad de una empresa.")
    moderation.flag_post(db.session, people["author"], reply.id, "Datos de un vecino.")
    moderation.flag_post(db.session, people["fac"], root.id, "Sí, es publicidad.")
    db.session.commit()
    flagged = moderation.review_queue(db.session, people["fac"]).flagged
    assert [(f.post.id, f.count) for f in flagged] == [(root.id, 2), (reply.id, 1)]
    assert flagged[0].reasons[0] == ("Juan Quispe", "Publicidad de una empresa.")


def test_audit_log_filters_and_pages(people, thread):
    second = make_user(role=Role.FACILITATOR, name="Facilitador Luis")
    moderation.pin_post(db.session, people["fac"], thread["root"].id)
    moderation.lock_thread(db.session, second, thread["root"].id)
    moderation.hide_post(db.session, second, thread["reply"].id, "Fuera de tema.")
    db.session.commit()
    old = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "pin")).one()
    old.created_at = datetime(2025, 3, 1, 12, 0)
    db.session.commit()
    log = moderation.audit_log
    assert [e.action for e in log(db.session, people["fac"]).items] == ["hide", "lock", "pin"]
    assert [e.action for e in log(db.session, people["fac"], action="lock").items] == ["lock"]
    assert {e.action for e in log(db.session, people["fac"], actor_id=second.id).items} \
        == {"hide", "lock"}
    march = log(db.session, people["fac"], since=date(2025, 3, 1), until=date(2025, 3, 1))
    assert [e.action for e in march.items] == ["pin"]
    assert log(db.session, people["fac"], since=date.today() + timedelta(days=2)).total == 0
    paged = log(db.session, people["fac"], per_page=2, page=2)
    assert (paged.total, paged.pages, [e.action for e in paged.items]) == (3, 2, ["pin"])
