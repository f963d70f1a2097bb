"""The PostgreSQL backend: for deployments with several app machines, where a file index on
one disk cannot serve them all.

Documents live in `search_documents` with a tsvector and a GIN index. The tsvector holds
the terms of forum.search.analysis (the same analyzer as whoosh) with their positions, the
title weighted A, so both backends match exactly the same words: PostgreSQL 15's own
`spanish` stemmer misses unaccented -ción forms after unaccent ('cooperacion' stays
cooperacion while 'cooperaciones' becomes cooper) and the stock unaccent rules turn "año"
into "ano". Queries are tsquery text built from the parsed query (`&`, `|`, `!`, `<->`
for phrases, `:*` for prefixes), cast directly, so no configuration re-stems them.
Ranking is ts_rank over all matches, or over the newest RELEVANCE_CAP when there are more:
ts_rank reads every candidate's tsvector, the cost that grows with frequent words.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from datetime import time as daytime
from typing import Any

from sqlalchemy import (
    Engine,
    Integer,
    String,
    and_,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from forum.search.access import Access
from forum.search.documents import Document
from forum.search.models import SearchDocument
from forum.search.query import ALL, PREFIX, Alternative, ParsedQuery
from forum.search.service import RELEVANCE_CAP, Filters, Hit, Hits
from forum.search.similar import distinctive

T = SearchDocument.__table__
MAX_POSITION, MAX_POSITIONS = 16383, 255  # PostgreSQL's limits per tsvector lexeme
COLUMNS = [c.name for c in T.columns]
SHOWN = [c for c in T.columns if c.name != "tsv"]
AUTHOR_FACET = 10
COPY_BATCH = 1000


def tsvector(doc: Document) -> str:
    """tsvector input: title terms weighted A, then the text one position further on, so
    a phrase never spans the end of the title and the start of the text."""
    positions: dict[str, list[str]] = defaultdict(list)
    for i, term in enumerate(doc.title_terms, 1):
        positions[term].append(f"{i}A")
    start = len(doc.title_terms) + 2
    for i, term in enumerate(doc.body_terms, start):
        found = positions[term]
        if len(found) < MAX_POSITIONS and i <= MAX_POSITION:
            found.append(str(i))
    return " ".join(f"'{t}':{','.join(p)}" for t, p in positions.items() if p)


def tsquery(query: ParsedQuery) -> str:
    def alternative(alt: Alternative) -> str:
        if alt.mode == PREFIX:
            return f"'{alt.terms[0]}':*"
        joiner = " & " if alt.mode == ALL else " <-> "
        return "(" + joiner.join(f"'{t}'" for t in alt.terms) + ")"

    def clause(c: Any) -> str:
        return "(" + " | ".join(alternative(a) for a in c.alternatives) + ")"

    parts = [clause(c) for c in query.required] + [f"!{clause(c)}" for c in query.excluded]
    return " & ".join(parts)


def row(doc: Document) -> dict[str, Any]:
    return {
        "key": doc.key, "kind": doc.kind, "ref_id": doc.ref_id, "title": doc.title[:300],
        "parts": [list(p) for p in doc.parts], "date": doc.date, "space_id": doc.space_id,
        "space_kind": doc.space_kind, "space_title": doc.space_title[:200],
        "root_id": doc.root_id, "author_id": doc.author_id,
        "author_name": doc.author_name[:80], "country": doc.country,
        "themes": f" {' '.join(doc.themes)} " if doc.themes else "",
        "actors": f" {' '.join(doc.actors)} " if doc.actors else "",
        "status": doc.status, "modality": doc.modality, "visibility": doc.visibility,
        "stamp": doc.stamp, "tsv": tsvector(doc),
    }


def document(r: Any) -> Document:
    return Document(
        key=r.key, kind=r.kind, ref_id=r.ref_id, title=r.title,
        parts=tuple(tuple(p) for p in r.parts), date=r.date, space_id=r.space_id,
        space_kind=r.space_kind, space_title=r.space_title, root_id=r.root_id,
        author_id=r.author_id, author_name=r.author_name, country=r.country,
        themes=tuple(r.themes.split()), actors=tuple(r.actors.split()), status=r.status,
        modality=r.modality, visibility=r.visibility)


class PostgresBackend:
    name = "postgresql"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writes = 0

    def generation(self) -> Hashable:
        # Other machines write too: derived caches also expire every five minutes.
        return self._writes, int(time.monotonic() // 300)

    def warm(self) -> None:
        """Nothing to prepare: PostgreSQL keeps its own caches."""

    def write(self, docs: Sequence[Document], delete_keys: Sequence[str]) -> None:
        keys = [d.key for d in docs] + list(delete_keys)
        with self.engine.begin() as conn:
            for start in range(0, len(keys), 1000):
                conn.execute(delete(T).where(T.c.key.in_(keys[start : start + 1000])))
            if docs:
                conn.execute(insert(T), [row(d) for d in {d.key: d for d in docs}.values()])
        self._writes += 1

    def rebuild(self, docs: Iterable[Document | None],
                progress: Callable[[int], None] | None = None) -> int:
        """DELETE and COPY in one transaction: searches see the old rows until commit."""
        count = 0
        with self.engine.begin() as conn:
            conn.execute(delete(T))
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(
                    f"COPY {T.name} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for doc in docs:
                    if doc is not None:
                        values = row(doc)
                        values["parts"] = json.dumps(values["parts"], ensure_ascii=False)
                        copy.write_row([values[c] for c in COLUMNS])
                        count += 1
                    if progress:
                        progress(1)
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"ANALYZE {T.name}")
            conn.commit()
        self._writes += 1
        return count

    def stamps(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(T.c.key, T.c.stamp)).all())

    # --- searching --------------------------------------------------------------------------

    def _where(self, query: ParsedQuery | None, filters: Filters, access: Access) -> list:
        where: list = []
        if query is not None and not query.empty:
            where.append(T.c.tsv.op("@@")(cast(literal(tsquery(query)), TSQUERY)))
        for column, value in ((T.c.kind, filters.kind), (T.c.space_kind, filters.space_kind),
                              (T.c.country, filters.country), (T.c.status, filters.status),
                              (T.c.modality, filters.modality)):
            if value:
                where.append(column == value)
        if filters.theme:
            where.append(T.c.themes.contains(f" {filters.theme} "))
        if filters.actor:
            where.append(T.c.actors.contains(f" {filters.actor} "))
        if filters.author:
            where.append(T.c.author_id == filters.author)
        if filters.since:
            where.append(T.c.date >= datetime.combine(filters.since, daytime.min))
        if filters.until:
            where.append(T.c.date <= datetime.combine(filters.until, daytime.max))
        return where + self._access(access)

    def _access(self, access: Access) -> list:
        """core.permissions.visible_posts and visible_spaces as conditions of the query."""
        where: list = []
        if not access.facilitator:
            readable = T.c.visibility == "visible"
            if access.user_id:
                readable = or_(readable, T.c.author_id == access.user_id)
            where.append(readable)
        spaces = [*access.hidden_spaces, *access.pending_spaces]
        if spaces:
            where.append(or_(T.c.space_id.is_(None), T.c.space_id.not_in(spaces)))
        if access.pending_keys:
            where.append(T.c.key.not_in(access.pending_keys))
        if access.pending_threads:
            where.append(or_(T.c.root_id.is_(None), T.c.root_id.not_in(access.pending_threads)))
        if access.posts_unsafe:
            where.append(T.c.kind.in_(["ficha", "space", "guide"]))
        return where

    def search(self, query: ParsedQuery, filters: Filters, access: Access, *, sort: str,
               offset: int, limit: int, facets: bool = True) -> Hits:
        where = self._where(query, filters, access)
        with self.engine.connect() as conn:
            counts = self._facets(conn, where)
            hits = Hits(total=sum(c for _v, c in counts.get("kind", [])))
            if facets:
                hits.facets = counts
            if sort == "date" or query.empty:
                rows = conn.execute(select(*SHOWN).where(*where)
                                    .order_by(T.c.date.desc(), T.c.key)
                                    .offset(offset).limit(limit)).all()
                hits.items = [Hit(document(r)) for r in rows]
                return hits
            hits.capped = hits.total > RELEVANCE_CAP
            if hits.capped and offset >= RELEVANCE_CAP:
                return hits
            q = cast(literal(tsquery(query)), TSQUERY)
            pool = where
            if hits.capped:
                newest = select(T.c.key).where(*where).order_by(T.c.date.desc()) \
                    .limit(RELEVANCE_CAP).scalar_subquery()
                pool = [T.c.key.in_(newest)]
            rank = func.ts_rank(T.c.tsv, q, 1).label("score")
            rows = conn.execute(select(*SHOWN, rank).where(*pool)
                                .order_by(rank.desc(), T.c.date.desc(), T.c.key)
                                .offset(offset).limit(limit)).all()
            hits.items = [Hit(document(r), float(r.score)) for r in rows]
            return hits

    def _facets(self, conn: Any, where: list) -> dict[str, list[tuple[str, int]]]:
        """Every count in one statement over the matches, read once."""
        m = select(T.c.kind, T.c.space_kind, T.c.country, T.c.themes, T.c.actors, T.c.status,
                   T.c.modality, T.c.author_id, T.c.date).where(*where) \
            .cte("m").prefix_with("MATERIALIZED")
        parts = [select(literal(name), col, func.count()).where(col != "").group_by(col)
                 for name, col in (("kind", m.c.kind), ("space_kind", m.c.space_kind),
                                   ("country", m.c.country), ("status", m.c.status),
                                   ("modality", m.c.modality))]
        for name, col in (("theme", m.c.themes), ("actor", m.c.actors)):
            codes = select(func.unnest(func.string_to_array(func.btrim(col), " "))
                           .label("code")).where(col != "").subquery()
            parts.append(select(literal(name), codes.c.code, func.count())
                         .group_by(codes.c.code))
        year = cast(cast(func.extract("year", m.c.date), Integer), String)
        parts.append(select(literal("year"), year, func.count()).group_by(year))
        authors = select(cast(m.c.author_id, String).label("author"),
                         func.count().label("n")).where(m.c.author_id.is_not(None)) \
            .group_by(m.c.author_id).order_by(func.count().desc(), m.c.author_id) \
            .limit(AUTHOR_FACET).subquery()
        parts.append(select(literal("author"), authors.c.author, authors.c.n))
        out: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for facet, value, count in conn.execute(union_all(*parts)):
            out[facet].append((str(value), int(count)))
        for facet, pairs in out.items():
            key = (lambda p: p[0]) if facet == "year" else (lambda p: (-p[1], p[0]))
            pairs.sort(key=key, reverse=facet == "year")
        return dict(out)

    def term_count(self, term: str, access: Access) -> int:
        q = cast(literal(f"'{term}'"), TSQUERY)
        inner = select(true()).where(T.c.tsv.op("@@")(q), *self._access(access)).limit(1000)
        with self.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(inner.subquery())) or 0

    # --- similar experiences ----------------------------------------------------------------

    def similar(self, key: str, limit: int) -> list[Hit]:
        with self.engine.connect() as conn:
            found = conn.execute(select(*SHOWN).where(T.c.key == key)).first()
            if found is None:
                return []
            doc = document(found)
            words = list(dict.fromkeys(doc.title_terms + doc.body_terms))[:200]
            if not words:
                return []
            sheets = T.c.kind == "ficha"
            counted = [func.count().filter(T.c.tsv.op("@@")(cast(literal(f"'{w}'"), TSQUERY)))
                       for w in words]
            any_word = cast(literal(" | ".join(f"'{w}'" for w in words)), TSQUERY)
            total = conn.scalar(select(func.count()).where(sheets)) or 0
            dfs = conn.execute(select(*counted).where(sheets, T.c.tsv.op("@@")(any_word))).one()
            frequency = dict(zip(words, dfs, strict=True))
            terms = distinctive(doc, total, lambda t: frequency.get(t, 0))
            if not terms:
                return []
            q = cast(literal(" | ".join(f"'{t}'" for t in terms)), TSQUERY)
            rank = func.ts_rank(T.c.tsv, q, 1).label("score")
            rows = conn.execute(select(*SHOWN, rank)
                                .where(and_(sheets, T.c.key != key, T.c.tsv.op("@@")(q)))
                                .order_by(rank.desc(), T.c.key).limit(limit)).all()
            return [Hit(document(r), float(r.score)) for r in rows]

