"""One generation of the whoosh index seen as bitmaps: terms, phrases, filter values,
dates and lengths, composed from per-segment parts kept in the shared LRU."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from whoosh.reading import TermNotFound

from forum.search.bitmaps import LRU, DateOrder, from_ids, iter_bits, ones

TEXT_FIELDS = ("title", "body")
PREFIX_EXPANSIONS = 64
_MASK = tuple(1 << b for b in range(8))


@dataclass(frozen=True)
class Leaf:
    reader: Any  # a whoosh SegmentReader
    offset: int
    size: int
    segid: str


def epoch(moment: datetime | date, end_of_day: bool = False) -> int:
    """Seconds since 1970 of a naive UTC datetime, or of the start (end) of a day."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.max if end_of_day else time.min)
    return int(moment.replace(tzinfo=UTC).timestamp())


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class View:
    """Bitmaps over global document numbers of one searcher (one index generation)."""

    def __init__(self, searcher: Any, cache: LRU) -> None:
        self.searcher = searcher
        self.cache = cache
        reader = searcher.reader()
        self.generation = reader.generation()
        self.leaves = [Leaf(r, off, r.doc_count_all(), r.segment().segment_id())
                       for r, off in reader.leaf_readers()]
        self.size = reader.doc_count_all()
        self.doc_count = reader.doc_count()
        live = 0
        for leaf in self.leaves:
            deleted = list(leaf.reader.segment().deleted_docs())
            live |= (ones(leaf.size) & ~from_ids(deleted, leaf.size)) << leaf.offset
        self.live = live
        self._memo: dict[Any, Any] = {}
        body = reader.field_length("body") if self.size else 0
        self.avg_length = max(1.0, body / max(1, self.doc_count))

    # --- building blocks ------------------------------------------------------------------

    def _compose(self, part: Any) -> int:
        """OR of one per-segment bitmap function over all segments, shifted in place."""
        out = 0
        for leaf in self.leaves:
            bits = part(leaf)
            if bits:
                out |= bits << leaf.offset
        return out

    def _seg_postings(self, leaf: Leaf, field: str, term: str) -> tuple[int, int, int]:
        """(has term, term at least twice, at least three times) for one segment."""

        def build() -> tuple[int, int, int]:
            try:
                matcher = leaf.reader.postings(field, term)
            except TermNotFound:
                return 0, 0, 0
            size = (leaf.size >> 3) + 1
            one, two, three = bytearray(size), bytearray(size), bytearray(size)
            if hasattr(matcher, "block"):  # our codec: a whole block at a time
                while matcher.is_active():
                    ids, weights = matcher.block()
                    _fill(one, two, three, ids, weights)
                    matcher._next_block()
            else:
                ids, weights = [], []
                while matcher.is_active():
                    ids.append(matcher.id())
                    weights.append(matcher.weight())
                    matcher.next()
                _fill(one, two, three, ids, weights)
            return tuple(int.from_bytes(b, "little") for b in (one, two, three))

        return self.cache.get_or_make((leaf.segid, field, term), build)

    def term(self, field: str, term: str) -> int:
        return self._compose(lambda leaf: self._seg_postings(leaf, field, term)[0])

    def tiers(self, field: str, term: str) -> tuple[int, int, int]:
        parts = [self._seg_postings(leaf, field, term) for leaf in self.leaves]
        return tuple(self._compose_list(parts, i) for i in range(3))

    def _compose_list(self, parts: list[tuple[int, ...]], i: int) -> int:
        out = 0
        for leaf, part in zip(self.leaves, parts, strict=True):
            if part[i]:
                out |= part[i] << leaf.offset
        return out

    def word(self, term: str) -> int:
        """Documents with the term in their title or text."""
        return self.term("body", term) | self.term("title", term)

    def values(self, field: str) -> dict[str, int]:
        """Every value of a small field and its documents (deleted ones included)."""
        if field in self._memo:
            return self._memo[field]
        out: dict[str, int] = {}
        for leaf in self.leaves:
            def build(leaf: Leaf = leaf) -> dict[str, int]:
                return {_text(t): self._seg_postings(leaf, field, _text(t))[0]
                        for t in leaf.reader.lexicon(field)}

            for value, bits in self.cache.get_or_make((leaf.segid, "values", field),
                                                      build).items():
                out[value] = out.get(value, 0) | (bits << leaf.offset)
        self._memo[field] = out
        return out

    def value(self, field: str, value: str) -> int:
        return self.values(field).get(value, 0)

    def top_bitmaps(self, field: str, count: int) -> dict[str, int]:
        """The documents of the `count` most frequent terms of a field (the author facet
        on large result sets), kept for this view."""
        key = ("top", field, count)
        if key not in self._memo:
            reader = self.searcher.reader()
            ranked = heapq.nlargest(count, ((reader.doc_frequency(field, t), _text(t))
                                            for t in reader.lexicon(field)))
            self._memo[key] = {t: self.term(field, t) for _df, t in ranked}
        return self._memo[key]

    def authors(self, leaf: Leaf) -> list[int]:
        """Author of each document of a segment (0: none), from the author column."""
        key = ("authors", leaf.segid)
        if key not in self._memo:
            self._memo[key] = self.cache.get_or_make(
                (leaf.segid, "authors"), lambda: list(leaf.reader.column_reader("author_n")))
        return self._memo[key]

    def author_of(self, docnum: int) -> int:
        leaf = self.leaf_of(docnum)
        return self.authors(leaf)[docnum - leaf.offset]

    def prefix(self, stem: str) -> int:
        """Documents with a term starting with `stem`, over its most frequent expansions."""
        reader = self.searcher.reader()
        terms = {_text(t) for field in TEXT_FIELDS for t in reader.expand_prefix(field, stem)}
        frequent = heapq.nlargest(PREFIX_EXPANSIONS, terms,
                                  key=lambda t: reader.doc_frequency("body", t))
        out = 0
        for t in frequent:
            out |= self.word(t)
        return out

    def doc_frequency(self, term: str) -> int:
        return self.searcher.reader().doc_frequency("body", term)

    # --- dates ------------------------------------------------------------------------------

    def _dates(self, leaf: Leaf) -> DateOrder:
        key = ("dates", leaf.segid)
        if key not in self._memo:
            self._memo[key] = self.cache.get_or_make(
                (leaf.segid, "dates"),
                lambda: DateOrder(list(leaf.reader.column_reader("date"))))
        return self._memo[key]

    def between(self, low: int | None, high: int | None) -> int:
        return self._compose(lambda leaf: self.cache.get_or_make(
            (leaf.segid, "between", low, high),
            lambda: self._dates(leaf).between(low, high, leaf.size)))

    def years(self) -> dict[str, int]:
        """Documents per calendar year (the date facet)."""
        if "years" not in self._memo:
            orders = [self._dates(leaf).sorted_dates for leaf in self.leaves]
            dates = [d for order in orders if order for d in (order[0], order[-1])]
            out: dict[str, int] = {}
            if dates:
                first = datetime.fromtimestamp(min(dates), UTC).year
                last = datetime.fromtimestamp(max(dates), UTC).year
                for year in range(first, last + 1):
                    bits = self.between(epoch(date(year, 1, 1)),
                                        epoch(date(year, 12, 31), end_of_day=True))
                    if bits:
                        out[str(year)] = bits
            self._memo["years"] = out
        return self._memo["years"]

    def newest(self, bitmap: int, want: int) -> list[int]:
        """Global docnums of the `want` newest documents of `bitmap`."""
        found: list[tuple[int, int]] = []
        for leaf in self.leaves:
            local = (bitmap >> leaf.offset) & ones(leaf.size)
            found += [(date, d + leaf.offset)
                      for date, d in self._dates(leaf).newest(local, want)]
        return [d for _date, d in heapq.nlargest(want, found)]

    def leaf_of(self, docnum: int) -> Leaf:
        for leaf in reversed(self.leaves):
            if docnum >= leaf.offset:
                return leaf
        raise IndexError(docnum)

    def length(self, docnum: int) -> int:
        leaf = self.leaf_of(docnum)
        return leaf.reader.doc_field_length(docnum - leaf.offset, "body", 0) or 1

    # --- phrases ----------------------------------------------------------------------------

    def phrase(self, terms: tuple[str, ...], within: int | None = None) -> int:
        """Documents with `terms` adjacent and in order, in the title or the text.

        Positions are checked only for documents having all the terms (and, when given,
        in `within`), so filters and rarer words make a phrase cheaper.
        """
        out = 0
        for field in TEXT_FIELDS:
            candidates = -1
            for t in terms:
                candidates &= self.term(field, t)
            if within is not None:
                candidates &= within
            if candidates > 0:
                out |= self._verify(field, terms, candidates)
        return out

    def _verify(self, field: str, terms: tuple[str, ...], candidates: int) -> int:
        out = 0
        for leaf in self.leaves:
            local = (candidates >> leaf.offset) & ones(leaf.size)
            if not local:
                continue
            matchers = [leaf.reader.postings(field, t) for t in terms]
            hits = [d for d in iter_bits(local) if _adjacent(matchers, d)]
            out |= from_ids(hits, leaf.size) << leaf.offset
        return out

    def stored(self, docnum: int) -> dict:
        return self.searcher.stored_fields(docnum)

    def docnum(self, key: str) -> int | None:
        bits = self.term("key", key) & self.live
        return bits.bit_length() - 1 if bits else None


def _fill(one: bytearray, two: bytearray, three: bytearray, ids: Any, weights: Any) -> None:
    ids = list(ids)
    for d in ids:
        one[d >> 3] |= _MASK[d & 7]
    if weights is not None and max(weights, default=0) >= 2:
        for d, w in zip(ids, weights, strict=False):
            if w >= 2:
                two[d >> 3] |= _MASK[d & 7]
                if w >= 3:
                    three[d >> 3] |= _MASK[d & 7]


def _adjacent(matchers: list[Any], docnum: int) -> bool:
    starts: set[int] | None = None
    for i, matcher in enumerate(matchers):
        if not matcher.is_active():
            return False
        matcher.skip_to(docnum)
        if not matcher.is_active() or matcher.id() != docnum:
            return False
        here = {p - i for p in matcher.value_as("positions")}
        starts = here if starts is None else starts & here
        if not starts:
            return False
    return True
