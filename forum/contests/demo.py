"""The demo contest (forum/demo_data/contests.json) on a call of its own, played through the
same use cases people use: the call opened, sheets sent in categories, the call closed, rules,
jury, scores, a tie settled, awards published. Runs after the demo sheets exist."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.communities import services as communities
from forum.communities.models import Call
from forum.contests import awards, scoring, services
from forum.fichas.models import Ficha

DATA = Path(__file__).resolve().parent.parent / "demo_data" / "contests.json"


def _data() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8")) if DATA.exists() else {}


def count() -> int:
    """Steps for a progress bar: one per entry and per juror's scoring of a sheet."""
    data = _data()
    return len(data.get("entries", [])) + len(data.get("scores", []))


def load(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Create the demo contest; returns how many sheets it judged (0 if the call is
    missing). The caller commits."""
    data = _data()
    people = {u.email: u for u in session.scalars(select(User))}
    sheets = {f.title: f for f in session.scalars(select(Ficha))}
    facilitator = next((u for u in people.values() if u.is_facilitator), None)
    if not data or facilitator is None:
        return 0
    call = _open_call(session, facilitator, data["call"])
    contest = services.create_contest(session, facilitator, call.id)
    services.update_rubric(
        session, facilitator, contest.id, score_min=data["score_min"],
        score_max=data["score_max"], mentions_max=data["mentions_max"],
        categories="\n".join(data["categories"]),
        dimensions="\n".join(f"{name}: {guidance}" for name, guidance in data["dimensions"]))
    category = {c.name: c.id for c in contest.categories}
    for item in data["jurors"]:
        juror = services.add_juror(session, facilitator, contest.id, item["email"])
        services.set_juror_categories(session, facilitator, contest.id, juror.id,
                                      [category[n] for n in item.get("categories", [])])
    for item in data["entries"]:  # each owner sends their sheet into a category
        ficha = sheets[item["ficha"]]
        services.submit_entry(session, ficha.owner, call.id, ficha.id, category[item["category"]])
        _step(progress)
    _close_call(session, facilitator, call, data["call"])  # sheets in; the jury judges after
    services.open_jury(session, facilitator, contest.id)
    dimensions = [d.id for d in contest.dimensions]
    for item in data["scores"]:
        comments = item.get("comments") or [""] * len(dimensions)
        scoring.score_entry(session, people[item["juror"]], contest.id,
                            sheets[item["ficha"]].id, dict(zip(dimensions, item["values"],
                                                               strict=True)),
                            dict(zip(dimensions, comments, strict=True)))
        _step(progress)
    services.close_jury(session, facilitator, contest.id)
    for tie in data.get("ties", []):
        scoring.settle_tie(session, facilitator, contest.id,
                           {sheets[t].id: i for i, t in enumerate(tie["order"], start=1)})
    chosen = {category[name]: {kind: [sheets[t].id for t in titles]
                               for kind, titles in given.items()}
              for name, given in data["awards"].items()}
    if data.get("publish"):
        awards.publish_results(session, facilitator, contest.id, chosen)
    else:
        awards.set_awards(session, facilitator, contest.id, chosen)
    return len(data["entries"])


def _open_call(session: Session, facilitator: User, item: dict[str, Any]) -> Call:
    """The contest's own call, open for now so the demo sheets can be sent to it."""
    start = services.now() - timedelta(days=item["opens_days_ago"])
    return communities.open_call(session, facilitator, title=item["title"],
                                 instructions=item["instructions"], themes=item["themes"],
                                 opens_at=start, closes_at=services.now() + timedelta(days=1))


def _close_call(session: Session, facilitator: User, call: Call, item: dict[str, Any]) -> None:
    """Move its closing date back, as a facilitator would, so it reads as a past contest."""
    communities.update_call(session, facilitator, call.id, title=call.title,
                            instructions=call.instructions, themes=call.themes,
                            opens_at=call.opens_at,
                            closes_at=services.now() - timedelta(days=item["closed_days_ago"]))


def _step(progress: Callable[[int], None] | None) -> None:
    if progress:
        progress(1)
