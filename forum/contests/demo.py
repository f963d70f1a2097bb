"""The demo contest (forum/demo_data/contests.json) on the demo call, played through the
same use cases people use: rules, jury, sheets in categories, scores, a tie settled, awards
published. Runs after the demo call exists (forum.demo hooks it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.communities.models import Call, CallSubmission
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
    call = session.scalar(select(Call).where(Call.title == data.get("call", "")))
    if call is None:
        return 0
    people = {u.email: u for u in session.scalars(select(User))}
    sheets = {f.title: f for f in session.scalars(select(Ficha))}
    facilitator = next(u for u in people.values() if u.is_facilitator)
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
    sent = set(session.scalars(select(CallSubmission.ficha_id)
                               .where(CallSubmission.call_id == call.id)))
    for item in data["entries"]:
        ficha = sheets[item["ficha"]]
        if ficha.id in sent:
            services.place_entry(session, facilitator, contest.id, ficha.id,
                                 category[item["category"]])
        else:
            services.submit_entry(session, ficha.owner, call.id, ficha.id,
                                  category[item["category"]])
        _step(progress)
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


def _step(progress: Callable[[int], None] | None) -> None:
    if progress:
        progress(1)
