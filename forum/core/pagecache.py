"""Visitors' pages served from memory, with ETags so a repeat visit costs a 304.

Visitors make most of the traffic and all see the same page, so the rendered HTML is kept
per process under a key that changes whenever the content does (e.g. a sheet's id, version
and last update). Workers never serve a stale page: the key is read from the database on
every request, only the rendering is skipped. Pages that are the same for many logged-in
people are kept too, with marks where each person's header part and form tokens go.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from flask import Response, g, request
from flask_wtf.csrf import generate_csrf

MAX_PAGES = 1024
# Stands for the form token in HTML shared between people; never in content, because every
# text field is stripped of NUL before it is stored.
TOKEN_MARK = "\x00csrf\x00"
# Stands for the person's part of the header (templates/_nav_person.html) in shared pages.
PERSON_MARK = "\x00person\x00"


def with_token(html: str) -> str:
    """Shared HTML with this person's form token in every place the mark holds (left as
    marks while rendering a page that is itself shared)."""
    return html if g.get("shared_render") else html.replace(TOKEN_MARK, generate_csrf())


def form_token() -> str:
    """`csrf_token()` in templates: the mark while rendering HTML meant for many people."""
    return TOKEN_MARK if g.get("shared_render") else generate_csrf()


def render_shared(render: Callable[[], str]) -> str:
    """Render HTML that many people will get: their header and form tokens become marks."""
    g.shared_render = True
    try:
        return render()
    finally:
        g.pop("shared_render", None)


def personal(html: str, nav: str) -> str:
    """Shared HTML made this person's own: their header part, then their form token."""
    return with_token(html.replace(PERSON_MARK, nav, 1))


class PageCache:
    """A small thread-safe LRU of rendered pages."""

    def __init__(self, max_pages: int = MAX_PAGES) -> None:
        self.max_pages = max_pages
        self._pages: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render[V](self, key: Hashable, render: Callable[[], V]) -> V:
        with self._lock:
            html = self._pages.get(key)
            if html is not None:
                self._pages.move_to_end(key)
                return html
        html = render()
        with self._lock:
            self._pages[key] = html
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def build_id(*folders: Path) -> str:
    """Changes when templates or translations change, so old ETags die with a deploy."""
    digest = hashlib.sha1()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".html", ".mo", ".css"):
                digest.update(path.name.encode())
                digest.update(str(path.stat().st_mtime_ns).encode())
    return digest.hexdigest()[:12]


def respond(cache: PageCache, build: str, key: tuple, render: Callable[[], str]) -> Response:
    """A 304 when the browser has this version, else the cached or freshly rendered page."""
    etag = hashlib.sha1(f"{build}:{key!r}".encode()).hexdigest()[:24]
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(cache.get_or_render((build, *key), render), mimetype="text/html")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"  # always revalidate: content is live
    response.vary.update(("Cookie", "Accept-Language"))
    return response
