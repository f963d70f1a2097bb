"""Library tests: the search tests' app (whoosh on SQLite, PostgreSQL's own search on
PostgreSQL, for modules marked both_backends), and factories for library items."""

from __future__ import annotations

import io
from typing import Any

from flask import current_app

from forum.accounts.models import Role, User
from forum.extensions import db
from forum.library import services
from forum.library.models import LibraryItem
from tests.conftest import make_user
from tests.search.conftest import app, find  # noqa: F401 - fixtures for this package

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def storage() -> services.Storage:
    from pathlib import Path

    return services.Storage(Path(current_app.config["UPLOAD_DIR"]),
                            current_app.config["MAX_ATTACHMENT_BYTES"])


def item_data(**overrides: Any) -> dict[str, Any]:
    data = {"title": "Para sistematizar experiencias", "authors": "Oscar Jara Holliday",
            "year": 1994, "language": "es", "summary": "Cinco tiempos para **sistematizar**.",
            "source": "link", "url": "https://www.cepalforja.org/", "themes": ["education"],
            "helps_with": ["lessons"]}
    data.update(overrides)
    return data


def make_item(*, by: User | None = None, pdf: bytes | None = None, **overrides: Any
              ) -> LibraryItem:
    """An item through the real use case: a link, or a PDF when `pdf` is given."""
    by = by or make_user(role=Role.FACILITATOR)
    upload = None
    if pdf is not None:
        overrides = {"source": "file", "url": "", **overrides}
        upload = services.Upload("guia.pdf", io.BytesIO(pdf))
    item = services.create_item(db.session, by, item_data(**overrides), upload, storage())
    db.session.commit()
    return item
