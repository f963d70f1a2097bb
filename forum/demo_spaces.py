"""Demo spaces, a community of practice and a call (forum/demo_data/spaces.json), created
through the same use cases people use, after the demo sheets exist."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.communities import services as communities
from forum.fichas.models import Ficha
from forum.spaces import marks, posting, services
from forum.spaces.models import Post

DATA = Path(__file__).parent / "demo_data" / "spaces.json"


class Demo:
    """Looks people up by e-mail and sheets by title while replaying the file."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.people = {u.email: u for u in session.scalars(select(User))}
        self.fichas = {f.title: f for f in session.scalars(select(Ficha))}
        self.facilitator = next(u for u in self.people.values() if u.is_facilitator)
        self.communities: dict[str, int] = {}

    def community(self, item: dict[str, Any]) -> None:
        made = communities.create_community(
            self.session, self.facilitator, name=item["name"], theme=item.get("theme", ""),
            description=item.get("description", ""))
        for email in item.get("members", []):
            communities.join_community(self.session, self.people[email], made.id)
        self.communities[item["name"]] = made.id

    def call(self, item: dict[str, Any]) -> None:
        now = services.now()
        made = communities.open_call(
            self.session, self.facilitator, title=item["title"],
            instructions=item.get("instructions", ""), themes=item.get("themes", []),
            opens_at=now - timedelta(days=item.get("opens_days_ago", 1)),
            closes_at=now + timedelta(days=item.get("closes_in_days", 30)))
        for title in item.get("submissions", []):
            ficha = self.fichas[title]
            communities.submit_to_call(self.session, ficha.owner, made.id, ficha.id)

    def space(self, item: dict[str, Any]) -> None:
        data = {k: item.get(k) or "" for k in ("kind", "title", "framing", "summary",
                                               "video_url")}
        data["themes"] = item.get("themes", [])
        if item.get("community"):
            data["community_id"] = self.communities[item["community"]]
            data["members_only"] = "1" if item.get("members_only") else ""
        if item.get("starts_in_hours") is not None:
            start = services.now() + timedelta(hours=item["starts_in_hours"])
            data["starts_at"] = start
            data["ends_at"] = start + timedelta(hours=item.get("duration_hours") or 2)
        space = services.create_space(self.session, self.facilitator, data)
        for email in item.get("speakers", []):
            services.add_speaker(self.session, self.facilitator, space.id, email)
        for post in item.get("posts", []):
            self.root(space.id, post)
        if item.get("synthesis"):
            services.close_with_synthesis(self.session, self.facilitator, space.id,
                                          item["synthesis"])
        elif item.get("state") == "closed":
            services.set_state(self.session, self.facilitator, space.id, "closed")

    def root(self, space_id: int, item: dict[str, Any]) -> None:
        author = self.people[item["by"]]
        data = {"title": item.get("title", ""), "body": item["body"],
                "stance": item.get("stance", ""), **(item.get("fields") or {})}
        if item.get("ficha"):
            data["ficha_id"] = self.fichas[item["ficha"]].id
        data["cites_fichas"] = [self.fichas[t].id for t in item.get("cites", [])]
        post = posting.post_root(self.session, author, space_id, data)
        for email in item.get("supports", []):
            marks.support_question(self.session, self.people[email], post.id)
        self.replies(post, item.get("replies", []))
        if item.get("answered"):
            post.answered = True
        resolved = item.get("resolved")
        if resolved:
            marks.resolve_dilemma(self.session, author, post.id, resolved["will_try"])
            if resolved.get("followup"):
                marks.record_followup(self.session, author, post.id, resolved["followup"])

    def replies(self, parent: Post, items: list[dict[str, Any]]) -> None:
        for item in items:
            made = posting.reply(self.session, self.people[item["by"]], parent.id, item["body"])
            if item.get("helped"):
                root = self.session.get(Post, made.root_id)
                marks.mark_helped(self.session, root.author, made.id)
            self.replies(made, item.get("replies", []))


def load(session: Session) -> dict[str, int]:
    """Replay the demo spaces file; the caller commits."""
    if not DATA.exists():
        return {"spaces": 0}
    data = json.loads(DATA.read_text(encoding="utf-8"))
    demo = Demo(session)
    for item in data.get("communities", []):
        demo.community(item)
    for item in data.get("calls", []):
        demo.call(item)
    for item in data.get("spaces", []):
        demo.space(item)
    return {"spaces": len(data.get("spaces", [])), "communities": len(data.get("communities", []))}
