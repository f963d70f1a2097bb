"""Notifications: in-app notices of replies, answers, mentions, marks, sheet edits and
moderation, each person's choice of kinds, and a daily e-mail digest.

`register(app)` wires the feature in: the in-transaction event rules, the header's unread
count and the CLI group. The blueprint (views.bp) is registered with the others.
"""

from __future__ import annotations

from flask import Flask

from forum.accounts import auth
from forum.core import web
from forum.notifications import cli, inbox, services, views


def register(app: Flask) -> None:
    services.subscribe()
    app.before_request(views.forget_count)
    app.context_processor(views.header_count)
    if views.unread_fact not in web.HEADER_FACTS:
        web.HEADER_FACTS.append(views.unread_fact)
    auth.USER_FACTS[views.UNREAD] = inbox.unread_of_user
    app.cli.add_command(cli.notifications_cli)
