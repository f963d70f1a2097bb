"""The live layer: pages update as people post, over Socket.IO (namespace /live).

Changes are journalled in the database with the transaction that makes them (journal),
rendered per audience from the current state (render, viewers), and emitted to rooms
(rooms); clients join, resume after a dropped link and post through thin handlers
(handlers). With FORUM_REDIS_URL set, Flask-SocketIO's Redis message queue carries every
emit to the clients of every worker, and CLI commands emit the same way. The protocol is
documented in the README ("Live updates").
"""

from __future__ import annotations

from flask import Flask

from forum.extensions import socketio
from forum.live import handlers, journal
from forum.live.cli import live_cli
from forum.live.presence import Presence

MAX_PACKET = 100_000  # bytes: an incoming Socket.IO packet larger than this closes the link


def init_app(app: Flask) -> None:
    origins = app.config.get("SOCKETIO_ORIGINS")
    socketio.init_app(
        app,
        message_queue=app.config.get("REDIS_URL") or None,
        channel=app.config.get("SOCKETIO_CHANNEL", "forum-live"),
        cors_allowed_origins=[o.strip() for o in origins.split(",")] if origins else None,
        max_http_buffer_size=MAX_PACKET,
    )
    app.extensions["forum.presence"] = Presence(app.config.get("REDIS_URL") or None)
    handlers.register()
    journal.register()
    app.cli.add_command(live_cli)
