"""The one Markdown -> safe HTML renderer of the project.

Python-Markdown happily passes raw HTML and ``javascript:`` links through, so
user text is always rendered first and then sanitised with bleach against a
strict allow-list. Render on write, store the HTML, serve it as-is. Decisions:

* Raw HTML inside Markdown is parsed: allowed tags survive (``<b>hola</b>``),
  other tags are stripped keeping their text, and code-carrying elements
  (``<script>``, ``<style>``, ``<svg>``, ``<iframe>``...) vanish with content.
* Images are never embedded (readers on slow rural links): ``![alt](url)``
  becomes a link to the image whose text is the alt text (or the URL).
* Headings move down two levels (``#`` -> ``<h3>``, deepest ``<h6>``) so a post
  never outranks the page's own ``<h1>``/``<h2>``; those two are not allowed.
* Every link gets ``rel="nofollow ugc noopener"``; ``target`` is dropped, so
  links open in the same tab (no tabnabbing, no stray tabs on phones).
* Only http, https and mailto URLs; the output is idempotent under
  :func:`sanitize_html`.
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
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "b",
        "i",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "h3",
        "h4",
        "h5",
        "h6",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "del",
        "ins",
        "abbr",
    }
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
# Removed together with their content: what they hold is code, not prose.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "template",
        "noscript",
        "noembed",
        "noframes",
    }
)
_HEADING_SHIFT = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6"}
_ALIGN = frozenset({"left", "center", "right"})
_CODE_CLASS = re.compile(r"language-[A-Za-z0-9_+-]{1,40}")
# C0 controls (minus tab/newline/CR) and DEL; Markdown also uses \x02/\x03
# internally as placeholder markers, so user input must never contain them.
_SOURCE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Only explicit links are auto-linked; bare "archivo.py" must stay text.
_NOT_URL = r"\s<>\"'`()\[\]"
_PAREN = rf"\([^{_NOT_URL}]*\)"
_BARE_URL = re.compile(
    rf"\b(?:https?://|www\.)(?:[^{_NOT_URL}]|{_PAREN})*(?:[^{_NOT_URL}.,;:!?]|{_PAREN})",
    re.IGNORECASE,
)


def _normalize_href(value: str) -> str:
    """What a browser could read as the URL: entities decoded (repeatedly, to
    be stricter than one decoding), whitespace/control/zero-width removed."""
    for _ in range(4):
        decoded = unescape(value)
        if decoded == value:
            break
        value = decoded
    return "".join(
        ch for ch in value if not ch.isspace() and unicodedata.category(ch)[0] not in "CZ"
    ).lower()


def is_safe_href(href: str) -> bool:
    """True for http/https/mailto URLs and scheme-less (relative, fragment)."""
    head = re.split(r"[/?#]", _normalize_href(href), maxsplit=1)[0]
    return ":" not in head or head.split(":", 1)[0] in ALLOWED_PROTOCOLS


def _valid_href(href: str) -> bool:
    """Safe and parseable (bleach drops unparseable URLs, e.g. ``http://x]``)."""
    try:
        urlsplit(href)
    except ValueError:
        return False
    return is_safe_href(href)


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Per-tag attribute allow-list; hrefs go through :func:`is_safe_href`."""
    if tag == "a":
        return _valid_href(value) if name == "href" else name in {"title", "rel"}
    if tag == "abbr":
        return name == "title"
    if tag in {"th", "td"}:
        return name == "align" and value in _ALIGN
    if tag == "code":
        return name == "class" and _CODE_CLASS.fullmatch(value) is not None
    return False


class _DropDangerous(Filter):
    """Drops DROPPED_WITH_CONTENT elements and everything inside them.

    bleach would keep the text of a stripped ``<script>``; these tags are
    therefore let through the parser (so html5lib sees their real extent)
    and removed here. The tree walker yields balanced tokens, so depth
    counting is exact."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        depth, after_pre, anchors = 0, False, []
        for token in super().__iter__():
            kind = token["type"]
            if depth:
                depth += {"StartTag": 1, "EndTag": -1}.get(kind, 0)
                continue
            name = str(token.get("name", "")).lower()
            if kind in {"StartTag", "EmptyTag", "EndTag"} and name in DROPPED_WITH_CONTENT:
                depth = 1 if kind == "StartTag" else 0
                continue
            # Misnested raw HTML can leave <a> inside <a>, which re-parses
            # differently: keep only the outermost anchor (and its text).
            if name == "a" and kind == "StartTag":
                anchors.append(not anchors)
                if not anchors[-1]:
                    continue
            elif name == "a" and kind == "EndTag" and anchors and not anchors.pop():
                continue
            if after_pre and kind in {"Characters", "SpaceCharacters"}:
                # Parsers eat one newline right after <pre>: double it, as the
                # HTML serialisation spec does, or a re-clean would lose it.
                if token["data"].startswith("\n"):
                    token["data"] = "\n" + token["data"]
                after_pre = not token["data"]
            else:
                after_pre = kind == "StartTag" and name == "pre"
            yield token


def _link_callback(attrs: dict[Any, str], new: bool = False) -> dict[Any, str]:
    """Every link: safe href or none, our rel, no target."""
    href = attrs.get((None, "href"))
    if href is not None and not _valid_href(href):
        del attrs[(None, "href")]
    attrs.pop((None, "target"), None)
    attrs[(None, "rel")] = LINK_REL
    return attrs


class _ForumTreeprocessor(Treeprocessor):
    """Images become links (or plain text inside a link); headings shift."""

    def run(self, root: Element) -> None:
        in_links = {img for a in root.iter("a") for img in a.iter("img")}
        for el in root.iter():
            if el.tag in _HEADING_SHIFT:
                el.tag = _HEADING_SHIFT[el.tag]
            elif el.tag == "img":
                src, title = el.get("src", ""), el.get("title")
                el.text = el.get("alt") or src
                el.attrib.clear()
                if el in in_links:
                    el.tag = "span"  # stripped later by bleach, text kept
                    continue
                el.tag = "a"
                el.set("href", src)
                if title:
                    el.set("title", title)


class _ForumExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        # After 'inline' (20), which creates the <img> elements.
        md.treeprocessors.register(_ForumTreeprocessor(md), "forum", 15)


# Neither markdown.Markdown nor bleach.Cleaner is thread-safe (both keep
# parser state), so each thread builds its own pair once and reuses it.
_local = threading.local()


def _markdown() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(
            extensions=[
                "abbr",
                "fenced_code",
                "sane_lists",
                "nl2br",
                TableExtension(use_align_attribute=True),
                _ForumExtension(),
            ],
            output_format="html",
        )
    return md


def _cleaner() -> bleach.Cleaner:
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS | DROPPED_WITH_CONTENT,
            attributes=_allow_attribute,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[
                _DropDangerous,
                partial(
                    LinkifyFilter,
                    callbacks=[_link_callback],
                    skip_tags={"pre", "code"},
                    url_re=_BARE_URL,
                ),
            ],
        )
        # bleach re-escapes entities in single-quoted attribute values (it only
        # tracks '"'), which breaks idempotence: always quote with '"'.
        cleaner.serializer.use_best_quote_char = False
    return cleaner


def sanitize_html(html: str) -> str:
    """Reduce any HTML to the allow-list; safe to run on already clean HTML."""
    return _cleaner().clean(html)


def render_markdown(source: str) -> str:
    """Render user Markdown to sanitised HTML, ready to store and serve."""
    md = _markdown()
    md.reset()  # reference links/abbreviations must not leak between posts
    try:
        rendered = md.convert(_SOURCE_CONTROLS.sub("", source))
    finally:
        md.reset()
    return sanitize_html(rendered)


def render_plain(source: str) -> str:
    """Escape short plain text (chat, bios): blank lines split paragraphs,
    single newlines become ``<br>``; bare URLs are still linkified."""
    text = _SOURCE_CONTROLS.sub("", source).replace("\r\n", "\n").strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return sanitize_html(
        "".join(
            "<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs
        )
    )
