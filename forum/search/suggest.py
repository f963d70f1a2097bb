""""Did you mean": a close word from the index for a word that found nothing.

Words are compared as written (folded), not as stems: a misspelling keeps its ending
("cooperasion") while the stem of the right word has lost it ("cooper"). A candidate is
offered only if the person asking may read at least one document with it, so words that
only occur in hidden or members-only content are never suggested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from forum.search.access import Access
from forum.search.analysis import MAX_TOKEN, STOP_WORDS, TOKEN, fold, term
from forum.search.models import SearchWord
from forum.search.query import ParsedQuery

if TYPE_CHECKING:
    from forum.search.service import SearchBackend

MAX_CANDIDATES = 8  # checked against the index per misspelled word
KNOWN_MAX = 500_000


@dataclass(frozen=True)
class Suggestion:
    query: str
    words: tuple[tuple[str, str], ...]  # (typed, suggested)


def distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance, giving up (limit + 1) once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


def _candidates(session: Session, word: str) -> list[tuple[int, str, str]]:
    """(distance, word, term) of recorded words close to `word`, same first letter."""
    limit = 1 if len(word) <= 4 else 2
    first = word[0]
    rows = session.execute(
        select(SearchWord.word, SearchWord.term)
        .where(SearchWord.word >= first, SearchWord.word < chr(ord(first) + 1))
    )
    found = []
    for other, other_term in rows:
        if abs(len(other) - len(word)) <= limit and other != word:
            d = distance(word, other, limit)
            if d <= limit:
                found.append((d, other, other_term))
    return sorted(found, key=lambda c: (c[0], abs(len(c[1]) - len(word)), c[1]))


def did_you_mean(session: Session, backend: SearchBackend, parsed: ParsedQuery,
                 access: Access) -> Suggestion | None:
    """A corrected query for the typed words that match nothing this person may read."""
    fixes: dict[str, str] = {}
    for typed in parsed.words:
        if not typed.surface or backend.term_count(typed.term, access):
            continue
        tried: set[str] = set()
        best: tuple[int, int, str] | None = None
        for d, word, word_term in _candidates(session, fold(typed.surface)):
            if word_term in tried or len(tried) >= MAX_CANDIDATES:
                continue
            tried.add(word_term)
            count = backend.term_count(word_term, access)
            if count and (best is None or (d, -count) < best[:2]):
                best = (d, -count, word)
        if best:
            fixes[typed.surface] = best[2]
    if not fixes:
        return None
    text = parsed.text
    for typed, better in fixes.items():
        text = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", better, text)
    return Suggestion(text, tuple(fixes.items()))


def words_of(texts: Iterable[str], known: set[str]) -> dict[str, str]:
    """Folded word -> term for the words of these texts that are not in `known` (the
    tokens this process already recorded in this database), which it then includes."""
    out: dict[str, str] = {}
    if len(known) > KNOWN_MAX:
        known.clear()
    for text in texts:
        for token in set(TOKEN.findall(text.lower())) - known:
            known.add(token)
            if len(token) < 3 or len(token) > MAX_TOKEN or token.isdigit():
                continue
            folded = fold(token)
            if folded not in STOP_WORDS:
                out[folded] = term(token)
    return out


def record_words(session: Session, words: dict[str, str]) -> None:
    """Add words to the vocabulary; a word already there is left as it is."""
    if not words:
        return
    rows = [{"word": w, "term": t} for w, t in words.items()]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), 1000):
        session.execute(dialect.insert(SearchWord).values(rows[start : start + 1000])
                        .on_conflict_do_nothing())
