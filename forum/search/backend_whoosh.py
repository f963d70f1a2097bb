"""The embedded backend: a whoosh index in the instance folder.

whoosh keeps the postings on disk in immutable segments and handles the file lock between
processes; matching, filters, counts and ranking run over bitmaps (forum.search.bitmaps)
built from those postings. Writes from threads of one process take turns on a lock;
writers in other processes wait for whoosh's lock (`timeout`), so two workers saving at
once never raise a LockError at anyone. If a write still fails, the pending queue keeps
the change and it is written later (forum.search.indexing).
"""

from __future__ import annotations

import logging
import math
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any

from whoosh import columns, fields, index
from whoosh.analysis import Analyzer, Token
from whoosh.writing import CLEAR

from forum.search.access import Access
from forum.search.analysis import tokens_with_spans
from forum.search.bitmaps import LRU, add_to_counter, as_bytes, at_least, has, highest, iter_bits
from forum.search.documents import Document
from forum.search.query import ALL, PHRASE, PREFIX, Alternative, ParsedQuery
from forum.search.service import RELEVANCE_CAP, Filters, Hit, Hits
from forum.search.similar import distinctive
from forum.search.whoosh_codec import LAYOUT, Codec, Positions
from forum.search.whoosh_view import View, epoch

log = logging.getLogger(__name__)
K1, B, TITLE_BOOST = 1.2, 0.75, 1.5
FACET_FIELDS = (("kind", "kind"), ("space_kind", "space_kind"), ("country", "country"),
                ("theme", "themes"), ("actor", "actors"), ("status", "status"),
                ("modality", "modality"))
AUTHOR_FACET = 10
EXACT_AUTHORS = 5000  # up to this many results, the author facet counts every one;
AUTHOR_POOL = 100  # above, it picks its 10 among the 100 most active authors


class SpanishAnalyzer(Analyzer):
    """forum.search.analysis as a whoosh analyzer. Documents arrive already analysed (a
    list of terms, which whoosh accepts as is); this serves any raw text whoosh meets."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 start_pos: int = 0, start_char: int = 0, **kwargs: Any):  # noqa: ANN204
        token = Token(positions, chars, **kwargs)
        pos = start_pos
        for start, end, term in tokens_with_spans(value):
            if not term:
                continue
            token.text, token.boost, token.stopped = term, 1.0, False
            if positions:
                token.pos, pos = pos, pos + 1
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def _text_field(analyzer: Analyzer) -> fields.TEXT:
    field = fields.TEXT(analyzer=analyzer, phrase=True)
    field.format = Positions()
    return field


def schema() -> fields.Schema:
    text = SpanishAnalyzer()
    return fields.Schema(
        key=fields.ID(unique=True), kind=fields.ID, space_kind=fields.ID, country=fields.ID,
        themes=fields.KEYWORD, actors=fields.KEYWORD, status=fields.ID, modality=fields.ID,
        visibility=fields.ID, space=fields.ID, root=fields.ID, author=fields.ID,
        date=fields.COLUMN(columns.NumericColumn("q")),
        author_n=fields.COLUMN(columns.NumericColumn("i")),
        title=_text_field(text),
        body=_text_field(text),
        doc=fields.STORED,
    )


def to_fields(doc: Document) -> dict[str, Any]:
    out: dict[str, Any] = {"key": doc.key, "kind": doc.kind, "visibility": doc.visibility,
                           "title": doc.title_terms, "body": doc.body_terms,
                           "date": epoch(doc.date), "author_n": doc.author_id or 0,
                           "doc": doc.stored()}
    for name in ("space_kind", "country", "status", "modality"):
        if getattr(doc, name):
            out[name] = getattr(doc, name)
    for name in ("themes", "actors"):
        if getattr(doc, name):
            out[name] = " ".join(getattr(doc, name))
    for name, value in (("space", doc.space_id), ("root", doc.root_id),
                        ("author", doc.author_id)):
        if value:
            out[name] = str(value)
    return out


class WhooshBackend:
    name = "whoosh"

    def __init__(self, directory: str | Path, *, cache_mb: int = 64, lock_timeout: float = 30,
                 procs: int = 1, limitmb: int = 128) -> None:
        self.directory = Path(directory)
        self.cache = LRU(cache_mb * 1024 * 1024)
        self.lock_timeout, self.procs, self.limitmb = lock_timeout, procs, limitmb
        self._ix: Any = None
        self._view: View | None = None
        self._open_lock = threading.Lock()
        self._write_lock = threading.Lock()  # one writer per process at a time
        self._read_lock = threading.RLock()  # whoosh readers are not thread-safe

    # --- the index ------------------------------------------------------------------------

    def _index(self) -> Any:
        with self._open_lock:
            if self._ix is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                marker = self.directory / "forum-layout"
                found = marker.read_text().strip() if marker.exists() else ""
                if index.exists_in(str(self.directory)) and found == str(LAYOUT):
                    self._ix = index.open_dir(str(self.directory))
                else:
                    if index.exists_in(str(self.directory)):
                        log.warning("search index at %s has an old layout: starting an empty "
                                    "one; run `flask search reindex`", self.directory)
                    self._ix = index.create_in(str(self.directory), schema())
                    marker.write_text(f"{LAYOUT}\n")
            return self._ix

    def _current(self) -> View | None:
        """The view of the latest committed generation (call with _read_lock held)."""
        if self._view is None:
            if not index.exists_in(str(self.directory)):
                return None
            self._view = View(self._index().searcher(), self.cache)
        elif self._index().latest_generation() != self._view.generation:
            # A new searcher, not Searcher.refresh(): refresh reuses the reader of an
            # unchanged segment together with its old set of deleted documents, so an
            # updated document would be found twice. Bitmaps are cached per segment anyway.
            old = self._view.searcher
            self._view = View(self._index().searcher(), self.cache)
            old.close()
        return self._view

    def generation(self) -> Hashable:
        with self._read_lock:
            view = self._current()
            return view.generation if view else -1

    def warm(self) -> None:
        """Build what every search needs (filter values, dates, the author facet) for the
        current segments, so the first search after a start or a merge does not pay it."""
        with self._read_lock:
            view = self._current()
            if view is None:
                return
            for _facet, field in (*FACET_FIELDS, ("visibility", "visibility")):
                view.values(field)
            view.years()
            view.top_bitmaps("author", AUTHOR_POOL)
            for leaf in view.leaves:
                view.authors(leaf)

    def write(self, docs: Sequence[Document], delete_keys: Sequence[str]) -> None:
        with self._write_lock:
            writer = self._index().writer(timeout=self.lock_timeout, codec=Codec())
            try:
                for key in delete_keys:
                    writer.delete_by_term("key", key)
                for doc in docs:
                    writer.update_document(**to_fields(doc))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    def rebuild(self, docs: Iterable[Document | None],
                progress: Callable[[int], None] | None = None) -> int:
        """All documents into new segments that replace the old ones at commit."""
        with self._write_lock:
            options: dict[str, Any] = {"timeout": self.lock_timeout, "limitmb": self.limitmb,
                                       "codec": Codec()}
            if self.procs > 1:
                options |= {"procs": self.procs, "multisegment": True}
            writer = self._index().writer(**options)
            count = 0
            try:
                for doc in docs:
                    if doc is not None:
                        writer.add_document(**to_fields(doc))
                        count += 1
                    if progress:
                        progress(1)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=CLEAR)
            return count

    def destroy(self) -> None:
        """Remove the index files (tests, and a layout change)."""
        with self._open_lock, self._read_lock:
            self._ix = self._view = None
            shutil.rmtree(self.directory, ignore_errors=True)
            self.cache.clear()

    def stamps(self) -> dict[str, str]:
        with self._read_lock:
            view = self._current()
            if view is None:
                return {}
            return {f["doc"]["key"]: f["doc"]["stamp"]
                    for f in view.searcher.all_stored_fields()}

    # --- searching --------------------------------------------------------------------------

    def search(self, query: ParsedQuery, filters: Filters, access: Access, *, sort: str,
               offset: int, limit: int, facets: bool = True) -> Hits:
        with self._read_lock:
            view = self._current()
            if view is None:
                return Hits()
            mask = self._mask(view, filters, access)  # filters first: they are cheapest
            matched = self._match(view, query, mask) if mask and not query.empty else mask
            hits = Hits(total=matched.bit_count())
            if facets:
                hits.facets = self._facets(view, matched)
            if sort == "date" or query.empty:
                chosen = [(d, 0.0) for d in view.newest(matched, offset + limit)[offset:]]
            else:
                chosen, hits.capped = self._ranked(view, query, matched, hits.total,
                                                   offset, limit)
            hits.items = [Hit(Document.from_stored(view.stored(d)["doc"]), score)
                          for d, score in chosen]
            return hits

    def term_count(self, term: str, access: Access) -> int:
        with self._read_lock:
            view = self._current()
            if view is None:
                return 0
            return (view.word(term) & self._mask(view, Filters(), access)).bit_count()

    def _mask(self, view: View, filters: Filters, access: Access) -> int:
        mask = view.live
        for field, value in (("kind", filters.kind), ("space_kind", filters.space_kind),
                             ("country", filters.country), ("themes", filters.theme),
                             ("actors", filters.actor), ("status", filters.status),
                             ("modality", filters.modality)):
            if value:
                mask &= view.value(field, value)
        if filters.author:
            mask &= view.term("author", str(filters.author))
        if filters.since or filters.until:
            mask &= view.between(epoch(filters.since) if filters.since else None,
                                 epoch(filters.until, True) if filters.until else None)
        if not access.facilitator:  # core.permissions.visible_posts, in bitmap form
            readable = view.value("visibility", "visible")
            if access.user_id:
                readable |= view.term("author", str(access.user_id))
            mask &= readable
        out = 0
        for space_id in (*access.hidden_spaces, *access.pending_spaces):
            out |= view.term("space", str(space_id))
        for key in access.pending_keys:
            out |= view.term("key", key)
        for root_id in access.pending_threads:
            out |= view.term("root", str(root_id))
        if access.posts_unsafe:
            mask &= (view.value("kind", "ficha") | view.value("kind", "space")
                     | view.value("kind", "guide"))
        return mask & ~out

    def _alternative(self, view: View, alt: Alternative, within: int) -> int:
        if alt.mode == PREFIX:
            return view.prefix(alt.terms[0])
        if len(alt.terms) == 1:
            return view.word(alt.terms[0])
        if alt.mode == ALL:
            bits = within
            for term in alt.terms:
                bits &= view.word(term)
            return bits
        assert alt.mode == PHRASE
        return view.phrase(alt.terms, within)

    def _match(self, view: View, query: ParsedQuery, mask: int) -> int:
        result = mask
        # single words first: they narrow the documents whose phrases must be checked
        for clause in sorted(query.required, key=lambda c: max(len(a.terms)
                                                               for a in c.alternatives)):
            bits = 0
            for alt in clause.alternatives:
                bits |= self._alternative(view, alt, result)
            result &= bits
            if not result:
                return 0
        for clause in query.excluded:
            for alt in clause.alternatives:
                result &= ~self._alternative(view, alt, result)
        return result

    def _facets(self, view: View, matched: int) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        for facet, field in FACET_FIELDS:
            out[facet] = _ranked_counts((v, (matched & bits).bit_count())
                                        for v, bits in view.values(field).items())
        out["year"] = sorted(((y, (matched & bits).bit_count())
                              for y, bits in view.years().items()), reverse=True)
        out["year"] = [(y, c) for y, c in out["year"] if c]
        out["author"] = self._authors(view, matched)
        return out

    def _authors(self, view: View, matched: int) -> list[tuple[str, int]]:
        if matched.bit_count() <= EXACT_AUTHORS:
            counts = Counter(view.author_of(d) for d in iter_bits(matched))
            counts.pop(0, None)
            return _ranked_counts((str(a), n) for a, n in counts.items())[:AUTHOR_FACET]
        pool = ((a, (matched & bits).bit_count())
                for a, bits in view.top_bitmaps("author", AUTHOR_POOL).items())
        return _ranked_counts(pool)[:AUTHOR_FACET]

    # --- ranking ------------------------------------------------------------------------------

    def _ranked(self, view: View, query: ParsedQuery, matched: int, total: int, offset: int,
                limit: int) -> tuple[list[tuple[int, float]], bool]:
        """BM25 over the matches, or over RELEVANCE_CAP of the strongest when there are more
        (every query word in the title or repeated in the text, then any; the most recently
        indexed first among those); ties go to the more recent document."""
        terms = sorted(query.highlight_terms())
        capped = total > RELEVANCE_CAP
        if offset >= RELEVANCE_CAP and capped:
            return [], capped
        if not capped:
            candidates = list(iter_bits(matched))
        else:
            strong = [view.tiers("body", t)[1] | view.term("title", t) for t in terms]
            every, some = matched, 0
            for bits in strong:
                every &= bits
                some |= bits
            candidates = highest(every, RELEVANCE_CAP)
            for pool in (some & matched & ~every, matched & ~some):
                if len(candidates) < RELEVANCE_CAP:
                    candidates += highest(pool, RELEVANCE_CAP - len(candidates))
        scores = self._scores(view, terms, candidates)
        ranked = sorted(candidates, key=lambda d: (-scores[d], -d))
        return [(d, scores[d]) for d in ranked[offset : offset + limit]], capped

    def _scores(self, view: View, terms: Iterable[str], docnums: list[int]) -> dict[int, float]:
        per_term = []
        n = max(1, view.doc_count)
        for term in terms:
            df = view.doc_frequency(term)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            one, two, three = view.tiers("body", term)
            title = view.term("title", term)
            per_term.append((idf, *(as_bytes(b, view.size) for b in (one, two, three, title))))
        scores: dict[int, float] = {}
        avg = view.avg_length
        for d in docnums:
            norm = K1 * (1 - B + B * view.length(d) / avg)
            score = 0.0
            for idf, one, two, three, title in per_term:
                if has(one, d):
                    tf = 1 + has(two, d) + has(three, d)
                    score += idf * tf * (K1 + 1) / (tf + norm)
                if has(title, d):
                    score += idf * TITLE_BOOST
            scores[d] = score
        return scores

    # --- similar experiences ----------------------------------------------------------------

    def similar(self, key: str, limit: int) -> list[Hit]:
        with self._read_lock:
            view = self._current()
            if view is None:
                return []
            return [Hit(Document.from_stored(view.stored(d)["doc"]), s)
                    for d, s in self._closest(view, key, limit)]

    def _closest(self, view: View, key: str, limit: int) -> list[tuple[int, float]]:
        """Sheets sharing most of this one's distinctive words, ranked by BM25 on them."""
        me = view.docnum(key)
        if me is None:
            return []
        doc = Document.from_stored(view.stored(me)["doc"])
        sheets = view.value("kind", "ficha") & view.live & ~(1 << me)
        terms = distinctive(doc, view.doc_count, view.doc_frequency)
        if not sheets or not terms:
            return []
        planes: list[int] = []
        for term in terms:
            add_to_counter(planes, view.word(term) & sheets)
        candidates = 0
        for need in range(len(terms), 0, -1):
            candidates = at_least(planes, need, sheets)
            if candidates.bit_count() >= 4 * limit:
                break
        pool = highest(candidates, 300)
        scores = self._scores(view, terms, pool)
        best = sorted(pool, key=lambda d: -scores[d])[:limit]
        return [(d, scores[d]) for d in best if scores[d] > 0]


def _ranked_counts(pairs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(((v, c) for v, c in pairs if c), key=lambda p: (-p[1], p[0]))
