"""Snippets with the matched words highlighted, escaped by construction.

Made in Python from the stored text for both backends, so highlighting is identical and
every character of content goes through markupsafe.escape: a `<script>` in a post comes
out as text. A sheet's parts are tried in order, lessons learned first, so the snippet
shows what others learned whenever that is where the words match.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from markupsafe import Markup, escape

from forum.search.analysis import analyze, tokens_with_spans

WINDOW = 32  # words in a snippet
LEAD = 4  # words shown before the first match in the window
LOOKAHEAD = 2 * WINDOW  # words read past the first match when choosing the window
MAX_SCAN = 20_000  # characters looked at per part
MARK = Markup("<mark>%s</mark>")


def _matches(term: str, terms: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    return bool(term) and (term in terms or any(term.startswith(p) for p in prefixes))


def _has_match(text: str, terms: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    found = set(analyze(text))
    return not found.isdisjoint(terms) or any(t.startswith(p) for t in found for p in prefixes)


def _spans(text: str, terms: frozenset[str], prefixes: tuple[str, ...]
           ) -> tuple[list[tuple[int, int, str]], list[int]]:
    """Tokens up to LOOKAHEAD past the first match, and the indexes of matching ones."""
    spans: list[tuple[int, int, str]] = []
    hits: list[int] = []
    stop = None
    for i, span in enumerate(tokens_with_spans(text)):
        spans.append(span)
        if _matches(span[2], terms, prefixes):
            hits.append(i)
            stop = stop or i + LOOKAHEAD
        if stop is not None and i >= stop:
            break
    return spans, hits


def _window(spans: list[tuple[int, int, str]], hits: list[int]) -> int:
    """Where the window holding the most distinct matched terms (then most matches) starts."""
    best, best_start, j = (-1, -1), 0, 0
    inside: Counter[str] = Counter()
    for i, hit in enumerate(hits):
        while j < len(hits) and hits[j] < hit + WINDOW - LEAD:
            inside[spans[hits[j]][2]] += 1
            j += 1
        score = (len(inside), j - i)
        if score > best:
            best, best_start = score, max(0, hit - LEAD)
        inside[spans[hit][2]] -= 1
        if not inside[spans[hit][2]]:
            del inside[spans[hit][2]]
    return best_start


def _render(text: str, spans: list[tuple[int, int, str]], first: int, hits: list[int],
            more: bool) -> Markup:
    shown = spans[first : first + WINDOW]
    if not shown:
        return Markup("")
    out = [Markup("… ")] if first > 0 else []
    cursor = shown[0][0]
    for i in hits:
        if first <= i < first + WINDOW:
            start, end, _term = spans[i]
            out += [escape(text[cursor:start]), MARK % text[start:end]]
            cursor = end
    if more or first + WINDOW < len(spans):
        out += [escape(text[cursor : shown[-1][1]]), Markup(" …")]
    else:
        out.append(escape(text[cursor:]))
    return Markup("").join(out)


def snippet(parts: Sequence[tuple[str, str]], terms: frozenset[str],
            prefixes: tuple[str, ...] = ()) -> tuple[str, Markup]:
    """(part name, highlighted excerpt) from the first part where a searched word occurs;
    the start of the first part when none does (the match was in the title)."""
    for name, text in parts:
        text = text[:MAX_SCAN]
        if _has_match(text, terms, prefixes):
            spans, hits = _spans(text, terms, prefixes)
            more = len(spans) > hits[-1] + LOOKAHEAD - 1
            return name, _render(text, spans, _window(spans, hits), hits, more)
    if not parts:
        return "", Markup("")
    name, text = parts[0]
    spans = []
    for span in tokens_with_spans(text[:MAX_SCAN]):
        spans.append(span)
        if len(spans) > WINDOW:
            break
    return name, _render(text, spans, 0, [], len(spans) > WINDOW)


def highlight(text: str, terms: frozenset[str], prefixes: tuple[str, ...] = ()) -> Markup:
    """The whole (short) text with its matched words marked: result titles."""
    out, cursor = [], 0
    for start, end, term in tokens_with_spans(text):
        if _matches(term, terms, prefixes):
            out += [escape(text[cursor:start]), MARK % text[start:end]]
            cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)
