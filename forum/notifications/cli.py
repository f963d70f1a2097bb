"""`flask notifications ...`: the daily digest (through Flask-Mail when FORUM_MAIL_SERVER is
set, printed to the console otherwise, as development needs) and follow-up reminders.
"""

from __future__ import annotations

import sys

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from flask_mail import Message

from forum.extensions import db, mail
from forum.notifications import inbox, services
from forum.notifications.models import utcnow

notifications_cli = AppGroup("notifications", help="Notification digests and reminders.")
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def console_send(email: str, subject: str, text: str) -> None:
    click.echo(f"To: {email}\nSubject: {subject}\n\n{text}")


def mail_send(email: str, subject: str, text: str) -> None:
    """Through Flask-Mail when FORUM_MAIL_SERVER is set; printed in development."""
    if not current_app.config.get("MAIL_SERVER"):
        console_send(email, subject, text)
        return
    mail.send(Message(subject=subject, recipients=[email], body=text))


def absolute_link(endpoint: str, values: dict) -> str:
    return url_for(endpoint, _external=True, **values)


@notifications_cli.command("digest")
def digest() -> None:
    """Send each opted-in person what happened since their last digest."""
    now = utcnow()
    people = len(inbox.digest_recipients(db.session))
    base_url = current_app.config.get("BASE_URL") or DEFAULT_BASE_URL  # FORUM_BASE_URL
    with (
        current_app.test_request_context(base_url=base_url),  # absolute links via url_for
        click.progressbar(length=people, label="digests", file=sys.stderr) as bar,
    ):
        sent = inbox.send_digests(db.session, now, mail_send, link=absolute_link,
                                  progress=bar.update)
    db.session.commit()
    click.echo(f"sent {sent} digest(s) to {people} subscriber(s)")


@notifications_cli.command("followups")
def followups() -> None:
    """Ask the authors of resolved dilemmas whose follow-up is due whether it worked."""
    made = services.notify_followups(db.session, utcnow())
    db.session.commit()
    click.echo(f"{made} follow-up reminder(s)")
