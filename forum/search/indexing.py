"""Keeping the index in step with the database, and repairing it when it is not.

1. In the transaction of every change, a `search_pending` row says what must be rewritten
   (an in-transaction subscriber), so the change and the note commit together or not at
   all; until the index has it, searches leave that document out (forum.search.access).
2. After commit, the indexer drains the pending rows: builds the documents from the
   database, writes them in one batch, deletes the rows. One drain at a time per process
   (whoosh writers also wait for each other across processes), so concurrent saves never
   meet a lock error. A failed write leaves the rows for the next drain: content is never
   lost, the index is only late. `flask search check` finds anything else that drifted.

"thread" mode (the default) drains in a background thread for changes made by requests,
so a save never waits for the index; commands and scripts (no request) drain right after
their commit, because their process may end the next moment. "sync" mode (tests) always
drains right after commit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app, has_app_context, has_request_context
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from forum.core import events
from forum.extensions import db
from forum.search import documents, suggest
from forum.search.documents import Document
from forum.search.models import PendingIndex
from forum.spaces.kinds import PostKind
from forum.spaces.models import Citation

if TYPE_CHECKING:
    from forum.search.service import SearchBackend

log = logging.getLogger(__name__)
BATCH = 500
RETRY_SECONDS = (1, 2, 5, 15, 60)
IDLE_CHECK_SECONDS = 30  # rows left by another process or a crash are picked up too

POST_EVENTS = ("post.created", "post.edited", "post.deleted", "post.hidden", "post.restored",
               "post.approved", "post.dismissed", "dilemma.resolved", "dilemma.followup")
SPACE_EVENTS = ("space.created", "space.state", "space.synthesis")
GUIDE_EVENTS = ("guide.created", "guide.updated", "guide.removed")  # the library's items
EVENT_TYPES = ("ficha.created", "ficha.revised", "space.updated", "thread.moved",
               "person.updated", *SPACE_EVENTS, *POST_EVENTS, *GUIDE_EVENTS)


def refs_for(session: Session, event: events.DomainEvent) -> list[tuple[str, int]]:
    """What an event makes stale in the index."""
    data = event.data
    if event.type in ("ficha.created", "ficha.revised"):
        return [("ficha", data["ficha_id"])]
    if event.type == "space.updated":  # title and themes are on every post of the space
        return [("space_posts", data["space_id"])]
    if event.type in SPACE_EVENTS:
        return [("space", data["space_id"])]
    if event.type in GUIDE_EVENTS:
        return [("guide", data["guide_id"])]
    if event.type == "person.updated":  # name and country are on their sheets and posts
        return [("person", data["user_id"])]
    if event.type == "thread.moved":
        return [("thread", data["post_id"])]
    if event.type in POST_EVENTS:
        refs = [("post", data["post_id"])]
        if event.type == "post.created" and data.get("kind") == PostKind.INNOVATION:
            cited = session.scalars(select(Citation.ficha_id).where(
                Citation.post_id == data["post_id"], Citation.ficha_id.is_not(None)))
            refs += [("ficha", ficha_id) for ficha_id in cited]  # their date moved
        return refs
    return []


def record_pending(session: Session, event: events.DomainEvent) -> None:
    """In-transaction subscriber: the index must follow this change."""
    for kind, ref_id in refs_for(session, event):
        session.add(PendingIndex(kind=kind, ref_id=ref_id))


def after_commit(_event: events.DomainEvent) -> None:
    """After-commit subscriber: tell this app's indexer there is work."""
    if has_app_context():
        engine = current_app.extensions.get("forum.search")
        if engine is not None:
            engine.indexer.notify()


def subscribe() -> None:
    for type_ in EVENT_TYPES:
        events.subscribe_in_transaction(type_, record_pending)
        events.subscribe(type_, after_commit)


@dataclass
class Drained:
    rows: int = 0  # pending rows handled
    written: int = 0
    deleted: int = 0
    failed: str = ""  # the error of a write that failed (rows kept for later)


class Indexer:
    """Drains the pending rows of one app's database into its backend."""

    def __init__(self, app: Flask, backend: SearchBackend, mode: str = "thread") -> None:
        self.app, self.backend, self.mode = app, backend, mode
        self.known_words: set[str] = set()
        self._lock = threading.Lock()
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._warmed = self._wrote = False

    def notify(self) -> None:
        self._dirty.set()
        if self.mode == "thread" and has_request_context():
            self._idle.clear()
            self._start()
            return
        while self._dirty.is_set():  # sync: drain now, unless another thread is draining
            if not self._lock.acquire(blocking=False):
                return  # the drain running will see the flag and go round once more
            try:
                self._dirty.clear()
                self.drain_all()
            finally:
                self._lock.release()

    def drain_all(self) -> Drained:
        total = Drained()
        while True:
            step = self.drain()
            total.rows += step.rows
            total.written += step.written
            total.deleted += step.deleted
            if step.failed or not step.rows:
                total.failed = step.failed
                return total

    def drain(self, limit: int = BATCH) -> Drained:
        """One batch: write what the rows name, then delete exactly those rows."""
        with self._context(), Session(db.engine) as session:
            rows = session.execute(select(PendingIndex.id, PendingIndex.kind,
                                          PendingIndex.ref_id)
                                   .order_by(PendingIndex.id).limit(limit)).all()
            if not rows:
                return Drained()
            ids = [r.id for r in rows]
            docs, gone = documents.for_refs(session, [(r.kind, r.ref_id) for r in rows])
            try:
                self.backend.write(docs, gone)
            except Exception as exc:  # the index is late, never the content lost
                log.exception("search: index write failed; %d change(s) kept", len(ids))
                session.rollback()
                session.execute(update(PendingIndex).where(PendingIndex.id.in_(ids))
                                .values(attempts=PendingIndex.attempts + 1,
                                        last_error=f"{type(exc).__name__}: {exc}"[:300]))
                session.commit()
                return Drained(failed=f"{type(exc).__name__}: {exc}")
            self._record_words(session, docs)
            session.execute(delete(PendingIndex).where(PendingIndex.id.in_(ids)))
            session.commit()
            self._wrote = True
            return Drained(rows=len(ids), written=len(docs), deleted=len(gone))

    def _context(self) -> AbstractContextManager:
        if has_app_context() and current_app._get_current_object() is self.app:
            return nullcontext()
        return self.app.app_context()

    def _record_words(self, session: Session, docs: list[Document]) -> None:
        texts = [t for doc in docs for t in (doc.title, *(text for _n, text in doc.parts))]
        suggest.record_words(session, suggest.words_of(texts, self.known_words))

    # --- the background thread ------------------------------------------------------------

    def start(self) -> None:
        """Start the background thread (first request of a process): it drains at once
        whatever a crash or another process left pending, then waits for work."""
        if self.mode == "thread" and (self._thread is None or not self._thread.is_alive()):
            self._idle.clear()
            self._dirty.set()
            self._start()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="search-indexer",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)] if failures else \
                IDLE_CHECK_SECONDS
            self._dirty.wait(timeout=delay)
            if self._stop.is_set():
                return
            self._dirty.clear()
            try:
                result = self.drain_all()
            except Exception:  # the database itself is unreachable: try again later
                log.exception("search: indexer could not read the pending changes")
                result = Drained(failed="database")
            failures = failures + 1 if result.failed else 0
            if not result.failed:
                self._warm()
                if not self._dirty.is_set():
                    self._idle.set()

    def _warm(self) -> None:
        if not self._warmed or self._wrote:
            try:
                self.backend.warm()
            except Exception:  # a cache left cold is only slower
                log.exception("search: warming the index caches failed")
            self._warmed, self._wrote = True, False

    def wait_idle(self, timeout: float = 10) -> bool:
        """Until every notified change is drained (tests and the CLI)."""
        return self._idle.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._dirty.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


# --- whole-index operations ---------------------------------------------------------------


@dataclass
class Report:
    in_database: int = 0
    in_index: int = 0
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    pending: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphans or self.pending)


def check(session: Session, backend: SearchBackend,
          progress: Callable[[int], None] | None = None) -> Report:
    """Compare every document the database makes with what the index holds."""
    stamps = backend.stamps()
    report = Report(in_index=len(stamps))
    seen: set[str] = set()
    for doc in documents.iter_all(session):
        if progress:
            progress(1)
        if doc is None:
            continue
        report.in_database += 1
        seen.add(doc.key)
        found = stamps.get(doc.key)
        if found is None:
            report.missing.append(doc.key)
        elif found != doc.stamp:
            report.stale.append(doc.key)
    report.orphans = sorted(set(stamps) - seen)
    report.pending = session.scalar(select(func.count(PendingIndex.id))) or 0
    return report


def repair(session: Session, backend: SearchBackend, report: Report) -> int:
    """Queue what `check` found and drain the queue now; returns documents fixed."""
    refs = [tuple(key.split(":")) for key in (*report.missing, *report.stale, *report.orphans)]
    session.add_all(PendingIndex(kind=kind, ref_id=int(ref)) for kind, ref in refs)
    session.commit()
    return len(refs)


def rebuild(session: Session, indexer: Indexer,
            progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database; changes made meanwhile stay pending."""
    before = session.scalar(select(func.max(PendingIndex.id))) or 0
    indexer.known_words.clear()
    words: dict[str, str] = {}

    def documents_noting_words() -> Iterator[Document | None]:
        for doc in documents.iter_all(session):
            if doc is not None:
                words.update(suggest.words_of(
                    (doc.title, *(t for _n, t in doc.parts)), indexer.known_words))
            yield doc

    count = indexer.backend.rebuild(documents_noting_words(), progress)
    suggest.record_words(session, words)
    session.execute(delete(PendingIndex).where(PendingIndex.id <= before))
    session.commit()
    return count
