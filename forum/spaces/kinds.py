"""The five kinds of space and what each allows: a table of rules, not a plugin system."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l


class SpaceKind(enum.StrEnum):
    CONFERENCE = "conference"
    DEBATE = "debate"
    CONTRIBUTION = "contribution"
    INNOVATION = "innovation"
    WORKSHOP = "workshop"


class PostKind(enum.StrEnum):
    QUESTION = "question"  # conference
    ANSWER = "answer"  # a speaker's or facilitator's answer to a question
    POSITION = "position"  # debate table
    CONTRIBUTION = "contribution"
    INNOVATION = "innovation"
    DILEMMA = "dilemma"  # improvement workshop
    COMMENT = "comment"  # replies anywhere else


class Stance(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    NUANCED = "nuanced"


STANCES = {Stance.FOR: _l("For"), Stance.AGAINST: _l("Against"), Stance.NUANCED: _l("Nuanced")}


@dataclass(frozen=True)
class KindRules:
    label: Any
    plural: Any
    root: PostKind  # what participants open in this space
    reply: PostKind  # what answers it
    one_root_per_person: bool = False  # a debate table: one position each (revisable)
    supports: bool = False  # questions can be supported (upvoted)
    reply_depth: int = 1  # how deep replies nest below the root
    structured: tuple[str, ...] = ()  # extra Markdown fields of the root post
    needs_title: bool = False


KINDS: dict[SpaceKind, KindRules] = {
    SpaceKind.CONFERENCE: KindRules(
        _l("Conference"), _l("Conferences"), PostKind.QUESTION, PostKind.ANSWER, supports=True
    ),
    SpaceKind.DEBATE: KindRules(
        _l("Debate table"), _l("Debate tables"), PostKind.POSITION, PostKind.COMMENT,
        one_root_per_person=True, reply_depth=2,
    ),
    SpaceKind.CONTRIBUTION: KindRules(
        _l("Contribution"), _l("Contributions"), PostKind.CONTRIBUTION, PostKind.COMMENT,
        reply_depth=4, needs_title=True,
    ),
    SpaceKind.INNOVATION: KindRules(
        _l("Innovation"), _l("Innovations"), PostKind.INNOVATION, PostKind.COMMENT,
        reply_depth=3, needs_title=True, structured=("before", "change", "why", "evidence"),
    ),
    SpaceKind.WORKSHOP: KindRules(
        _l("Improvement workshop"), _l("Improvement workshops"), PostKind.DILEMMA,
        PostKind.COMMENT, reply_depth=2, needs_title=True,
        structured=("context", "options", "constraints"),
    ),
}

STRUCTURED_LABELS = {
    "before": _l("The practice before"),
    "change": _l("What changed"),
    "why": _l("Why it is innovative"),
    "evidence": _l("Evidence of what it produced"),
    "context": _l("Context"),
    "options": _l("Options considered"),
    "constraints": _l("Constraints"),
}


class SpaceState(enum.StrEnum):
    DRAFT = "draft"  # only facilitators see it
    OPEN = "open"
    CLOSED = "closed"  # readable, takes no posts
    ARCHIVED = "archived"  # readable, out of the listings


STATES = {
    SpaceState.DRAFT: _l("Draft"),
    SpaceState.OPEN: _l("Open"),
    SpaceState.CLOSED: _l("Closed"),
    SpaceState.ARCHIVED: _l("Archived"),
}


class PostStatus(enum.StrEnum):
    VISIBLE = "visible"
    HELD = "held"  # waiting for a facilitator (held questions, new accounts' first posts)
    HIDDEN = "hidden"  # moderated; the author sees why
    DISMISSED = "dismissed"  # a held question a facilitator decided not to show
    DELETED = "deleted"  # by its author; the thread stays readable
