"""The digest goes out through Flask-Mail when a mail server is configured."""

from forum.extensions import db, mail
from forum.notifications import inbox
from forum.notifications.models import Notification, utcnow
from tests.conftest import make_ficha, make_user


def test_digest_is_mailed_when_a_server_is_set_and_printed_otherwise(app):
    subscriber = make_user()
    inbox.set_preferences(db.session, subscriber, ["sheet_edited"], digest=True)
    ficha = make_ficha(owner=subscriber)
    db.session.add(Notification(user_id=subscriber.id, kind="sheet_edited", ficha_id=ficha.id,
                                actor_id=make_user().id, created_at=utcnow()))
    db.session.commit()
    runner = app.test_cli_runner()
    printed = runner.invoke(args=["notifications", "digest"])
    assert printed.exit_code == 0 and f"To: {subscriber.email}" in printed.output
    db.session.add(Notification(user_id=subscriber.id, kind="sheet_edited", ficha_id=ficha.id,
                                actor_id=make_user().id, created_at=utcnow()))
    db.session.commit()
    app.config["MAIL_SERVER"] = "smtp.example.org"
    with mail.record_messages() as outbox:
        mailed = runner.invoke(args=["notifications", "digest"])
    assert mailed.exit_code == 0, mailed.output
    assert [m.recipients for m in outbox] == [[subscriber.email]]
    assert "Taraco" in outbox[0].body and "To:" not in mailed.output
