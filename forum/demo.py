"""Demo content: people and experience sheets written for this project (forum/demo_data)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts import services as accounts
from forum.accounts.models import Role, User
from forum.fichas import schema, services
from forum.fichas.models import Ficha

DATA = Path(__file__).parent / "demo_data" / "fichas.json"


def is_empty(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is None


def load(session: Session, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Create the demo people and sheets, replaying each sheet's history as revisions."""
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    people: dict[str, User] = {}
    for p in data["people"]:
        people[p["email"]] = accounts.register(
            session,
            email=p["email"],
            name=p["name"],
            password=p["password"],
            country=p.get("country", ""),
            organisation=p.get("organisation", ""),
            role=Role(p.get("role", "participant")),
        )
    for record in data["fichas"]:
        owner = people[record["owner"]]
        fields = {k: v for k, v in record.items() if k in schema.BY_NAME}
        ficha = services.create_ficha(session, owner, fields)
        for email in record.get("editors", []):
            services.add_editor(session, owner, ficha.id, email)
        for step in record.get("history", []):
            current: Ficha = ficha
            services.revise_ficha(
                session,
                people[step["by"]],
                ficha.id,
                current.values() | step["changes"],
                base_version=current.version,
                edit_summary=step["summary"],
            )
        if progress:
            progress(1)
    return {"people": len(people), "fichas": len(data["fichas"])}


def count() -> int:
    """How many demo sheets there are (for the progress bar)."""
    return len(json.loads(DATA.read_text(encoding="utf-8"))["fichas"]) if DATA.exists() else 0
