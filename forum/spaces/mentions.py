"""`@Name_Surname` mentions: found in rendered posts, linked to the person's page."""

from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum.accounts.models import User

MENTION = re.compile(r"(?<![\w@./-])@([^\W\d_][\w.-]{1,79})", re.UNICODE)
TAG = re.compile(r"(<[^>]+>)")
SKIP = {"a", "code", "pre"}


def handle(name: str) -> str:
    """How people write a display name in a mention: spaces become underscores."""
    return "_".join(name.split()).lower()


def link_mentions(session: Session, html: str) -> tuple[str, list[int]]:
    """Link the mentions of registered people in sanitised HTML; return the people's ids."""
    wanted = {m.group(1).rstrip(".-").lower() for m in MENTION.finditer(html)}
    if not wanted:
        return html, []
    rows = session.execute(
        select(User.id, User.display_name).where(
            func.lower(func.replace(func.trim(User.display_name), " ", "_")).in_(wanted)
        )
    ).all()
    people = {handle(r.display_name): r.id for r in rows}
    found: list[int] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).rstrip(".-")
        user_id = people.get(name.lower())
        if user_id is None:
            return match.group(0)
        found.append(user_id)
        rest = match.group(1)[len(name):]
        return f'<a class="mention" href="/personas/{user_id}">@{escape(name)}</a>{rest}'

    out, inside = [], 0
    for chunk in TAG.split(html):
        if TAG.fullmatch(chunk):
            tag = chunk.strip("</>").split()[0].lower() if chunk.strip("</>") else ""
            if tag in SKIP:
                inside += -1 if chunk.startswith("</") else 1
            out.append(chunk)
        else:
            out.append(chunk if inside > 0 else MENTION.sub(replace, chunk))
    return "".join(out), sorted(set(found))
