"""Keyword-only factories for spaces and posts, through the real use cases."""

from __future__ import annotations

from typing import Any

from forum.accounts.models import Role, User
from forum.extensions import db
from forum.spaces import posting, services
from forum.spaces.models import Post, Space
from tests.conftest import make_user


def make_space(*, kind: str, by: User | None = None, **fields: Any) -> Space:
    by = by or make_user(role=Role.FACILITATOR)
    data = {"kind": kind, "title": f"Espacio {kind}", "framing": "Marco **del** espacio.",
            **fields}
    space = services.create_space(db.session, by, data)
    db.session.commit()
    return space


def make_root(*, space: Space, by: User, **fields: Any) -> Post:
    data = {"body": "Texto del aporte.", "title": "Un título", "stance": "for", **fields}
    post = posting.post_root(db.session, by, space.id, data)
    db.session.commit()
    return post


def make_reply(*, to: Post, by: User, body: str = "Una respuesta.") -> Post:
    post = posting.reply(db.session, by, to.id, body)
    db.session.commit()
    return post
