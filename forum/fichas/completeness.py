"""What a sheet still lacks, asked for in the order that helps readers most.

Real sheets described objectives and actions at length but said little about lessons,
keys and benefits; so those are weighed most and asked for first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

# (field, weight, words below which it is "thin", prompt)
CHECKS: tuple[tuple[str, int, int, Any], ...] = (
    (
        "lessons",
        20,
        40,
        _l(
            "What did you learn that another territory could use? "
            "Write two or three lessons, each with the situation that taught it."
        ),
    ),
    ("keys", 15, 30, _l("Which decisions, agreements or people unlocked the hard moments?")),
    (
        "benefits",
        15,
        30,
        _l("Who benefited and how: families, producers, the municipality? Numbers help."),
    ),
    ("results", 10, 25, _l("What changed, with figures where you have them?")),
    ("problem", 8, 20, _l("Describe the situation that made you start.")),
    ("strategy", 8, 25, _l("Tell what was done, by whom and in what order.")),
    ("objectives", 6, 10, _l("What did you set out to achieve?")),
    ("sustainability", 6, 15, _l("What keeps the experience going after the project?")),
    ("actors", 4, 2, _l("Name the actors and alliances that took part.")),
    ("contacts", 4, 3, _l("Say whom others can contact to learn more.")),
    ("summary", 4, 8, _l("A one-sentence summary helps people find your sheet.")),
)
PRIORITY = ("lessons", "keys", "benefits")
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Gap:
    field: str
    level: str  # "missing" or "thin"
    prompt: Any
    priority: bool


@dataclass(frozen=True)
class Assessment:
    score: int
    gaps: tuple[Gap, ...]

    @property
    def lessons_missing(self) -> bool:
        """No lessons at all (thin ones are still asked for by the guide)."""
        return any(g.field == "lessons" and g.level == "missing" for g in self.gaps)


def _size(value: Any) -> int:
    if isinstance(value, list | tuple):
        return len(value)
    return len(WORD.findall(value or ""))


def assess(values: Mapping[str, Any]) -> Assessment:
    """Score 0-100 and the gaps, priority parts first; thin parts count half."""
    score, gaps = 0, []
    for name, weight, thin, prompt in CHECKS:
        size = _size(values.get(name))
        if size >= thin:
            score += weight
            continue
        level = "missing" if size == 0 else "thin"
        score += weight // 2 if level == "thin" else 0
        gaps.append(Gap(name, level, prompt, name in PRIORITY))
    total = sum(c[1] for c in CHECKS)
    return Assessment(round(100 * score / total), tuple(gaps))
