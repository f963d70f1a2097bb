"""What people type into the search box, turned into clauses both backends understand.

The language is deliberately small: words (all must match), "quoted phrases", -word and
-"phrase" to leave things out, and word* for a prefix of at least three letters. There is
no field:value access to internal fields and no leading or inner wildcard (each would scan
the whole index). Nothing a person types is an error: control characters are dropped,
5,000 characters are cut, unbalanced quotes and parentheses are read as plain text, and
whatever was changed is explained in a notice shown next to the results.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from forum.search import synonyms
from forum.search.analysis import STOP_WORDS, TOKEN, analyze, fold

MAX_CHARS = 500
MAX_CLAUSES = 12
MAX_SPAN = 6  # the longest synonym form, in typed words
MIN_PREFIX = 3
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
FIELD = re.compile(r"^([^\W\d_]+):(.+)$")
PREFIX_WORD = re.compile(rf"^([^\W_]{{{MIN_PREFIX},}})\*$")

TOO_LONG = _l("Your search was very long: we used its first %(n)d characters.", n=MAX_CHARS)
TOO_MANY = _l("We used the first %(n)d words of your search.", n=MAX_CLAUSES)
UNCLOSED = _l("A quotation mark was not closed, so we searched those words one by one.")
WILDCARDS = _l("Wildcards only work at the end of a word of at least three letters "
               "(cooperat*). Word forms already match: cooperativa also finds cooperativas.")


PHRASE, ALL, PREFIX = "phrase", "all", "prefix"


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a clause: a term or a phrase (terms in this order, adjacent),
    all of some terms in any order (the typed words behind a synonym), or a prefix."""

    terms: tuple[str, ...]
    mode: str = PHRASE

    @property
    def prefix(self) -> bool:
        return self.mode == PREFIX


@dataclass(frozen=True)
class Clause:
    """Matches when any of its alternatives matches (synonyms give several)."""

    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class Word:
    """A word as typed and its index term: what "did you mean" may correct."""

    surface: str
    term: str


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    required: tuple[Clause, ...] = ()
    excluded: tuple[Clause, ...] = ()
    words: tuple[Word, ...] = ()
    notices: tuple[Any, ...] = ()
    only_stop_words: bool = False

    @property
    def empty(self) -> bool:
        return not self.required

    def highlight_terms(self) -> frozenset[str]:
        return frozenset(t for c in self.required for a in c.alternatives if not a.prefix
                         for t in a.terms)

    def highlight_prefixes(self) -> tuple[str, ...]:
        return tuple(a.terms[0] for c in self.required for a in c.alternatives if a.prefix)


@dataclass
class _Item:
    raw: str
    negated: bool
    quoted: bool
    terms: list[str] = field(default_factory=list)
    prefix: str = ""


def clean(raw: Any) -> tuple[str, list[Any]]:
    """The text we will search, and notices for what had to change."""
    notices: list[Any] = []
    text = unicodedata.normalize("NFC", CONTROL.sub(" ", str(raw or "")))
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        notices.append(TOO_LONG)
    return " ".join(text.split()), notices


def _split(text: str, notices: list[Any]) -> list[_Item]:
    items: list[_Item] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        i += negated
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end == -1:
                if UNCLOSED not in notices:
                    notices.append(UNCLOSED)
                i += 1
                continue
            items.append(_Item(text[i + 1 : end], negated, True))
            i = end + 1
            continue
        end = i
        while end < n and not text[end].isspace() and text[end] != '"':
            end += 1
        items.append(_Item(text[i:end], negated, False))
        i = end
    return items


def _read_word(item: _Item, notices: list[Any]) -> None:
    raw = item.raw
    named = FIELD.match(raw)
    if named and not named.group(2).startswith(":"):
        notices.append(_l("Searching inside one field (“%(f)s:”) is not available: we "
                          "searched the words in every text. Use the filters to narrow "
                          "the results.", f=named.group(1)[:30]))
        raw = named.group(2)
    if "*" in raw or "?" in raw:
        prefix = PREFIX_WORD.match(raw)
        if prefix:
            item.prefix = fold(prefix.group(1))
            return
        if WILDCARDS not in notices:
            notices.append(WILDCARDS)
        raw = raw.replace("*", " ").replace("?", " ")
    item.raw = raw
    item.terms = analyze(raw)


def _one(terms: list[str] | tuple[str, ...]) -> Clause:
    return Clause((Alternative(tuple(terms)),))


def _positive_run(items: list[_Item]) -> tuple[list[Clause], list[Word]]:
    """Clauses for consecutive plain words, with synonym forms spanning whole words."""
    clauses: list[Clause] = []
    words: list[Word] = []
    k = 0
    while k < len(items):
        matched = None
        for size in range(min(MAX_SPAN, len(items) - k), 0, -1):
            terms = [t for item in items[k : k + size] for t in item.terms]
            if not items[k].terms or not items[k + size - 1].terms:
                continue
            group = synonyms.table().get(tuple(terms))
            if group:
                matched = size, group
                break
        if matched:
            size, group = matched
            typed = tuple(t for item in items[k : k + size] for t in item.terms)
            forms = [Alternative(form) for form in group if form != typed]
            clauses.append(Clause((Alternative(typed, ALL if size > 1 else PHRASE), *forms)))
            k += size
            continue
        item = items[k]
        if item.terms:
            clauses.append(_one(item.terms))
            if len(item.terms) == 1:
                words.append(Word(item.raw.strip(" .,;:!¡?¿()[]{}'«»“”"), item.terms[0]))
        k += 1
    return clauses, words


def _dedupe(clauses: list[Clause]) -> list[Clause]:
    return list(dict.fromkeys(clauses))


def parse(raw: Any) -> ParsedQuery:
    """Parse anything a person may type; never raises."""
    text, notices = clean(raw)
    items = _split(text, notices)
    for item in items:
        if item.quoted:
            item.terms = analyze(item.raw)
        else:
            _read_word(item, notices)
    required: list[Clause] = []
    excluded: list[Clause] = []
    words: list[Word] = []
    run: list[_Item] = []

    def flush() -> None:
        clauses, found = _positive_run(run)
        required.extend(clauses)
        words.extend(found)
        run.clear()

    for item in items:
        if item.prefix:
            flush()
            target = excluded if item.negated else required
            target.append(Clause((Alternative((item.prefix,), PREFIX),)))
        elif item.negated:
            flush()
            clauses, _found = _positive_run([item]) if not item.quoted else (
                [_one(item.terms)] if item.terms else [], [])
            excluded.extend(clauses)
        elif item.quoted:
            flush()
            if item.terms:
                required.append(_one(item.terms))
        else:
            run.append(item)
    flush()
    required, excluded = _dedupe(required), _dedupe(excluded)
    if len(required) + len(excluded) > MAX_CLAUSES:
        notices.append(TOO_MANY)
        required = required[:MAX_CLAUSES]
        excluded = excluded[: max(0, MAX_CLAUSES - len(required))]
    only_stops = not required and not excluded and any(
        fold(token) in STOP_WORDS for item in items for token in TOKEN.findall(item.raw))
    return ParsedQuery(text, tuple(required), tuple(excluded), tuple(words), tuple(notices),
                       only_stops)
