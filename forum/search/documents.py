"""What is searchable, built from the database (the truth; the index is only a cache of it).

Four sources: experience sheets (every text field), spaces (framing text, conference
summary, debate synthesis), posts of every kind (questions, answers, positions,
contributions, innovations, dilemmas, comments) and the library's guides and documents
(public, like sheets). Deleted posts are not documents at all.
Who may read a document is not decided here: the search asks core.permissions at query
time, so a document only carries what that filter needs (space, author, moderation state).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cached_property

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, lazyload, selectinload

from forum.fichas.models import Ficha
from forum.library.models import LibraryItem
from forum.search.analysis import analyze
from forum.spaces.kinds import STRUCTURED_LABELS, PostKind, PostStatus
from forum.spaces.models import Post, Space, space_themes

KINDS = {
    "ficha": _l("Experience sheets"),
    "space": _l("Spaces: framing and syntheses"),
    PostKind.QUESTION.value: _l("Questions"),
    PostKind.ANSWER.value: _l("Answers"),
    PostKind.POSITION.value: _l("Positions"),
    PostKind.CONTRIBUTION.value: _l("Contributions"),
    PostKind.INNOVATION.value: _l("Innovations"),
    PostKind.DILEMMA.value: _l("Dilemmas"),
    PostKind.COMMENT.value: _l("Comments"),
    "guide": _l("Guides and documents"),
}
# Sheet texts in the order snippets prefer them: what others learned comes first.
FICHA_PARTS = ("lessons", "keys", "benefits", "results", "summary", "problem", "objectives",
               "strategy", "sustainability", "territory", "contacts")
PART_LABELS = {
    "lessons": _l("Lessons learned"), "keys": _l("Keys that solved the problems"),
    "benefits": _l("Benefits"), "results": _l("Results"), "summary": _l("Summary"),
    "problem": _l("Starting problem"), "objectives": _l("Objectives"),
    "strategy": _l("Strategy and actions"), "sustainability": _l("Sustainability"),
    "territory": _l("Territory"), "contacts": _l("Contacts"), "synthesis": _l("Synthesis"),
    "framing": _l("Framing"), "will_try": _l("What the author will try"),
    "followup": _l("Did it work?"), "authors": _l("Authors or organisation"),
    **STRUCTURED_LABELS,
}
MAX_PART = 20_000  # characters kept per part: fields are capped at that length anyway
BATCH = 500


@dataclass(frozen=True)
class Document:
    key: str  # "ficha:12", "space:3", "post:77"
    kind: str  # a key of KINDS
    ref_id: int
    title: str
    parts: tuple[tuple[str, str], ...]  # (name, plain text), snippets try them in order
    date: datetime
    space_id: int | None = None
    space_kind: str = ""
    space_title: str = ""
    root_id: int | None = None
    author_id: int | None = None
    author_name: str = ""
    country: str = ""
    themes: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    status: str = ""  # a sheet's: finished / in_progress
    modality: str = ""
    visibility: str = PostStatus.VISIBLE.value  # a post's moderation state

    @cached_property
    def _data(self) -> dict:
        data = {name: getattr(self, name) for name in FIELD_NAMES}
        data["date"] = self.date.isoformat()
        return data

    @cached_property
    def stamp(self) -> str:
        """Changes whenever anything indexed changes: `flask search check` compares it."""
        raw = json.dumps(self._data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(raw.encode()).hexdigest()[:16]

    @cached_property
    def title_terms(self) -> list[str]:
        return analyze(self.title)

    @cached_property
    def body_terms(self) -> list[str]:
        return analyze("\n".join(text for _name, text in self.parts))

    def stored(self) -> dict:
        """What a result shows, kept next to the index entry (no database trip per hit)."""
        return {**self._data, "stamp": self.stamp}

    @classmethod
    def from_stored(cls, data: dict) -> Document:
        data = {k: v for k, v in data.items() if k != "stamp"}
        data["date"] = datetime.fromisoformat(data["date"])
        data["parts"] = tuple(tuple(p) for p in data["parts"])
        data["themes"], data["actors"] = tuple(data["themes"]), tuple(data["actors"])
        return cls(**data)


FIELD_NAMES = tuple(f.name for f in fields(Document))


def plain(html: str) -> str:
    """What a reader sees of stored, sanitised HTML."""
    return Markup(html or "").striptags()[:MAX_PART]


def _parts(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((name, text) for name, text in pairs if text and text.strip())


def ficha_document(ficha: Ficha) -> Document:
    texts = {name: plain(ficha.html(name)) for name in FICHA_PARTS
             if name not in ("summary", "territory")}
    texts["summary"] = ficha.summary
    texts["territory"] = " · ".join(
        t for t in (ficha.region, ficha.municipality, ficha.communities) if t)
    return Document(
        key=f"ficha:{ficha.id}", kind="ficha", ref_id=ficha.id, title=ficha.title,
        parts=_parts((name, texts[name]) for name in FICHA_PARTS), date=ficha.updated_at,
        author_id=ficha.owner_id, author_name=ficha.owner.display_name, country=ficha.country,
        themes=tuple(ficha.themes), actors=tuple(ficha.actors), status=ficha.status,
        modality=ficha.modality)


def space_document(space: Space, themes: Sequence[str]) -> Document:
    return Document(
        key=f"space:{space.id}", kind="space", ref_id=space.id, title=space.title,
        parts=_parts((("synthesis", plain(space.synthesis_html)),
                      ("framing", plain(space.framing_html)),
                      ("summary", plain(space.summary_html)))),
        date=space.updated_at, space_id=space.id, space_kind=space.kind,
        space_title=space.title, author_id=space.created_by_id, themes=tuple(themes))


def post_document(post: Post, space: Space, themes: Sequence[str]) -> Document | None:
    """None for a deleted post: its text is no longer shown, so it is not searchable."""
    if post.status == PostStatus.DELETED:
        return None
    structured = [(name, plain((post.fields_html or {}).get(name, "")))
                  for name in space.rules.structured]
    return Document(
        key=f"post:{post.id}", kind=post.kind, ref_id=post.id, title=post.title,
        parts=_parts((("body", plain(post.body_html)), *structured,
                      ("will_try", plain(post.will_try_html)),
                      ("followup", plain(post.followup_html)))),
        date=post.created_at, space_id=space.id, space_kind=space.kind,
        space_title=space.title, root_id=post.root_id or post.id, author_id=post.author_id,
        author_name=post.author.display_name, country=post.author.country or "",
        themes=tuple(themes), visibility=post.status)


def guide_document(item: LibraryItem) -> Document:
    """A library item: its summary and authors are searched; its themes are a facet."""
    return Document(
        key=f"guide:{item.id}", kind="guide", ref_id=item.id, title=item.title,
        parts=_parts((("summary", plain(item.summary_html)), ("authors", item.authors))),
        date=item.updated_at, author_name=item.authors[:80], themes=tuple(item.themes))


# --- loading from the database -------------------------------------------------------------


def _themes_of(session: Session, space_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(set(space_ids))
    found: dict[int, list[str]] = {i: [] for i in ids}
    for chunk in _chunks(ids):
        rows = session.execute(select(space_themes.c.space_id, space_themes.c.code)
                               .where(space_themes.c.space_id.in_(chunk))
                               .order_by(space_themes.c.code))
        for space_id, code in rows:
            found[space_id].append(code)
    return found


def _chunks(ids: Sequence[int], size: int = BATCH) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _fichas(session: Session, where: object) -> Iterator[Document]:
    query = select(Ficha).options(selectinload(Ficha.tags)).where(where).order_by(Ficha.id)
    for ficha in session.scalars(query.execution_options(yield_per=BATCH)):
        yield ficha_document(ficha)


def _guides(session: Session, where: object) -> Iterator[Document]:
    query = select(LibraryItem).options(selectinload(LibraryItem.theme_rows),
                                        lazyload(LibraryItem.file)).where(where) \
        .order_by(LibraryItem.id)
    for item in session.scalars(query.execution_options(yield_per=BATCH)):
        yield guide_document(item)


def _spaces(session: Session, where: object) -> dict[int, tuple[Space, list[str]]]:
    spaces = list(session.scalars(select(Space).where(where)))
    themes = _themes_of(session, [s.id for s in spaces])
    return {s.id: (s, themes[s.id]) for s in spaces}


def _posts(session: Session, where: object,
           spaces: dict[int, tuple[Space, list[str]]]) -> Iterator[Post | Document]:
    """Documents of the matching posts; a deleted post yields the Post itself."""
    query = select(Post).where(where).order_by(Post.id).execution_options(yield_per=BATCH)
    for post in session.scalars(query):
        if post.space_id not in spaces:
            spaces.update(_spaces(session, Space.id == post.space_id))
        space, themes = spaces[post.space_id]
        yield post_document(post, space, themes) or post


def count_all(session: Session) -> int:
    """How many rows may become documents (for progress bars)."""
    return sum(session.scalar(select(func.count()).select_from(m)) or 0
               for m in (Ficha, Space, Post, LibraryItem))


def iter_all(session: Session) -> Iterator[Document | None]:
    """Every document; None for each row that is not one (deleted posts), for progress."""
    yield from _fichas(session, Ficha.id > 0)
    spaces = _spaces(session, Space.id > 0)
    for space, themes in spaces.values():
        yield space_document(space, themes)
    for item in _posts(session, Post.id > 0, spaces):
        yield item if isinstance(item, Document) else None
    yield from _guides(session, LibraryItem.id > 0)


def for_refs(session: Session, refs: Iterable[tuple[str, int]]
             ) -> tuple[list[Document], list[str]]:
    """Documents to (re)write and keys to delete for pending references.

    A reference is ("ficha" | "space" | "post" | "guide", id), "space_posts" (a space and
    every post in it: its title and themes are on them), "thread" (a moved thread, root
    and replies) or "person" (someone renamed: the sheets they own and the posts they wrote).
    """
    wanted: dict[str, set[int]] = {}
    for kind, ref_id in refs:
        wanted.setdefault(kind, set()).add(ref_id)
    docs: list[Document] = []
    found: set[str] = set()
    ficha_ids = sorted(wanted.get("ficha", ()))
    for chunk in _chunks(ficha_ids):
        docs.extend(_fichas(session, Ficha.id.in_(chunk)))
    people = sorted(wanted.get("person", ()))
    if people:
        docs.extend(_fichas(session, Ficha.owner_id.in_(people)))
    guide_ids = sorted(wanted.get("guide", ()))
    for chunk in _chunks(guide_ids):
        docs.extend(_guides(session, LibraryItem.id.in_(chunk)))
    space_ids = sorted(wanted.get("space", set()) | wanted.get("space_posts", set()))
    spaces = _spaces(session, Space.id.in_(space_ids)) if space_ids else {}
    docs.extend(space_document(s, t) for s, t in spaces.values())
    post_where = []
    if wanted.get("post"):
        post_where.append(Post.id.in_(sorted(wanted["post"])))
    if wanted.get("space_posts"):
        post_where.append(Post.space_id.in_(sorted(wanted["space_posts"])))
    if people:
        post_where.append(Post.author_id.in_(people))
    if wanted.get("thread"):
        threads = sorted(wanted["thread"])
        post_where += [Post.id.in_(threads), Post.root_id.in_(threads)]
    gone: list[str] = []
    if post_where:
        for item in _posts(session, or_(*post_where), spaces):
            if isinstance(item, Document):
                docs.append(item)
            else:
                gone.append(f"post:{item.id}")
    found = {d.key for d in docs}
    asked = ({f"ficha:{i}" for i in ficha_ids} | {f"space:{i}" for i in space_ids}
             | {f"post:{i}" for i in wanted.get("post", ())} | {f"guide:{i}" for i in guide_ids})
    return docs, sorted((asked - found) | set(gone))
