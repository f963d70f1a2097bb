"""The one Markdown -> safe HTML renderer of the project (render on write, store the HTML).

Python-Markdown passes raw HTML and ``javascript:`` links straight through, so text is
rendered first, then sanitised with bleach against a strict allow-list. Decisions:

* Raw HTML: allowed tags survive (``<b>hola</b>``), others are stripped keeping their
  text; code-carrying ones (``<script>``, ``<style>``, ``<svg>``...) go with their content.
* Images are never embedded (slow rural links): ``![alt](url)`` becomes a link to the
  image, its text the alt text (or the URL).
* Headings move down two levels (``#`` -> ``<h3>``): a post never outranks the page's
  own ``<h1>``/``<h2>``, which are not allowed.
* Links get ``rel="nofollow ugc noopener"``; ``target`` is dropped (same tab).
* Only http, https and mailto URLs; output is a fixed point of :func:`sanitize_html`.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import partial
from html import escape, unescape
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import bleach
import markdown
from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset(
    "p br strong em b i ul ol li blockquote code pre h3 h4 h5 h6 a"
    " table thead tbody tr th td hr del ins abbr".split()
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
# Removed together with their content: what they hold is code, not prose.
DROPPED_WITH_CONTENT = frozenset(
    "script style iframe frame frameset object embed applet svg math"
    " template noscript noembed noframes".split()
)
_HEADING_SHIFT = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6"}
_CODE_CLASS = re.compile(r"language-[A-Za-z0-9_+-]{1,40}")
# C0 controls but tab/LF/CR, and DEL: invisible junk (or tricks) in a post, never content.
_SOURCE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Only explicit links are auto-linked: a bare "archivo.py" stays text.
_NOT_URL = r"\s<>\"'`()\[\]"
_PAREN = rf"\([^{_NOT_URL}]*\)"
_BARE_URL = re.compile(
    rf"\b(?:https?://|www\.)(?:[^{_NOT_URL}]|{_PAREN})*(?:[^{_NOT_URL}.,;:!?]|{_PAREN})",
    re.IGNORECASE,
)


def _normalize_href(value: str) -> str:
    """The URL as a lenient browser may read it: entities decoded (repeatedly,
    to be stricter than one decoding), whitespace/control/zero-width gone."""
    for _ in range(4):
        value, previous = unescape(value), value
        if value == previous:
            break
    return "".join(
        ch for ch in value if not ch.isspace() and unicodedata.category(ch)[0] not in "CZ"
    ).lower()


def is_safe_href(href: str) -> bool:
    """True for http/https/mailto URLs and scheme-less ones (relative, fragment)."""
    try:
        urlsplit(href)  # bleach drops unparseable URLs ("http://x]"): agree with it
    except ValueError:
        return False
    head = re.split(r"[/?#]", _normalize_href(href), maxsplit=1)[0]
    return ":" not in head or head.split(":", 1)[0] in ALLOWED_PROTOCOLS


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Per-tag attribute allow-list for bleach; hrefs must pass is_safe_href."""
    if tag == "a":
        return is_safe_href(value) if name == "href" else name in {"title", "rel"}
    if tag in {"th", "td"}:
        return name == "align" and value in {"left", "center", "right"}
    if tag == "code":
        return name == "class" and _CODE_CLASS.fullmatch(value) is not None
    return tag == "abbr" and name == "title"


class _DropDangerous(Filter):
    """Drops DROPPED_WITH_CONTENT elements and all inside: bleach would keep the text of a
    stripped ``<script>``, so its parser lets them in (to see their real extent) and they
    go here. The tree walker yields balanced tokens, so depth counting is exact."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        depth = 0
        for token in super().__iter__():
            kind = token["type"]
            if depth:
                depth += {"StartTag": 1, "EndTag": -1}.get(kind, 0)
                continue
            name = str(token.get("name", "")).lower()
            if kind in {"StartTag", "EmptyTag", "EndTag"} and name in DROPPED_WITH_CONTENT:
                depth = 1 if kind == "StartTag" else 0
                continue
            yield token


def _link_callback(attrs: dict[Any, str], new: bool = False) -> dict[Any, str]:
    """Every link, written or auto-linked: safe href or none, our rel, no target."""
    if not is_safe_href(attrs.get((None, "href"), "")):
        del attrs[(None, "href")]
    attrs.pop((None, "target"), None)
    attrs[(None, "rel")] = LINK_REL
    return attrs


class _ForumTreeprocessor(Treeprocessor):
    """Images become links (plain text when already inside a link); headings shift."""

    def run(self, root: Element) -> None:
        in_links = {img for a in root.iter("a") for img in a.iter("img")}
        for el in root.iter():
            if el.tag in _HEADING_SHIFT:
                el.tag = _HEADING_SHIFT[el.tag]
            elif el.tag == "img":
                attrs = {"href": el.get("src", ""), "title": el.get("title", "")}
                el.text = el.get("alt") or attrs["href"]
                el.attrib.clear()
                el.tag = "span" if el in in_links else "a"  # bleach strips span, keeps text
                if el.tag == "a":
                    el.attrib.update((k, v) for k, v in attrs.items() if v)


# Neither markdown.Markdown nor bleach.Cleaner is thread-safe: one pair per thread.
_local = threading.local()


def _tools() -> tuple[markdown.Markdown, bleach.Cleaner]:
    if not hasattr(_local, "cleaner"):
        tables = TableExtension(use_align_attribute=True)  # align="", not style=""
        md = _local.md = markdown.Markdown(
            extensions=["abbr", "fenced_code", "sane_lists", "nl2br", tables], output_format="html"
        )
        md.treeprocessors.register(_ForumTreeprocessor(md), "forum", 15)  # after "inline" (20)
        linkify = partial(
            LinkifyFilter, callbacks=[_link_callback], skip_tags={"pre", "code"}, url_re=_BARE_URL
        )
        _local.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS | DROPPED_WITH_CONTENT,
            attributes=_allow_attribute,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_DropDangerous, linkify],
        )
        # bleach re-escapes entities in single-quoted values (breaks idempotence): use '"'.
        _local.cleaner.serializer.use_best_quote_char = False
    return _local.md, _local.cleaner


def sanitize_html(html: str) -> str:
    """Reduce any HTML to the allow-list. Broken markup can give trees (``<li>`` in ``<li>``)
    that re-parse differently, so cleaning repeats to a fixed point: stored HTML must not
    change if it is ever cleaned again."""
    cleaner = _tools()[1]
    out = cleaner.clean(html)
    for _ in range(4):
        out, previous = cleaner.clean(out), out
        if out == previous:
            return out
    return escape(out)  # not seen in practice; safe and stable anyway


def render_markdown(source: str) -> str:
    """Render user Markdown to sanitised HTML, ready to store and serve."""
    md = _tools()[0]
    md.reset()  # reference links and abbreviations must not leak between posts
    try:
        rendered = md.convert(_SOURCE_CONTROLS.sub("", source))
    finally:
        md.reset()
    return sanitize_html(rendered)


def render_plain(source: str) -> str:
    """Short plain text (chat, bios): all escaped, blank lines split paragraphs,
    newlines become ``<br>``, bare URLs are linked."""
    text = _SOURCE_CONTROLS.sub("", source).replace("\r\n", "\n").strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    lines = ("<br>".join(escape(line) for line in p.split("\n")) for p in paragraphs)
    return sanitize_html("".join(f"<p>{p}</p>" for p in lines))
