"""Domain events: published after commit only, handled in-transaction atomically."""

from forum.core import events
from forum.extensions import db
from tests.conftest import make_user


def test_after_commit_only_and_dropped_on_rollback(app):
    heard = []

    def handler(ev):
        heard.append(ev.data["n"])

    events.subscribe("test.happened", handler)
    try:
        events.record(db.session, "test.happened", n=1)
        db.session.rollback()
        assert heard == []
        events.record(db.session, "test.happened", n=2)
        assert heard == []  # not before commit
        db.session.commit()
        assert heard == [2]
    finally:
        events.unsubscribe("test.happened", handler)


def test_in_transaction_handlers_write_with_the_change(app):
    from forum.accounts.models import User

    def handler(session, ev):
        session.get(User, ev.data["user_id"]).organisation = "escrito en la misma transacción"

    events.subscribe_in_transaction("test.tx", handler)
    try:
        user = make_user()
        events.record(db.session, "test.tx", user_id=user.id)
        db.session.rollback()
        db.session.expire_all()
        assert db.session.get(User, user.id).organisation != "escrito en la misma transacción"
        events.record(db.session, "test.tx", user_id=user.id)
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(User, user.id).organisation == "escrito en la misma transacción"
    finally:
        events._in_transaction["test.tx"].remove(handler)
