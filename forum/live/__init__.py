"""The live layer (Socket.IO). For now it only binds the server and its message queue.

Handlers, rooms and catch-up arrive with the live issue; with FORUM_REDIS_URL set the
message queue already lets several workers (and the CLI) emit to the same clients.
"""

from __future__ import annotations

from flask import Flask

from forum.extensions import socketio


def init_app(app: Flask) -> None:
    origins = app.config.get("SOCKETIO_ORIGINS")
    socketio.init_app(
        app,
        message_queue=app.config.get("REDIS_URL") or None,
        cors_allowed_origins=[o.strip() for o in origins.split(",")] if origins else None,
    )
