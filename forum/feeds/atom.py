"""Atom 1.0 documents (RFC 4287) built with ElementTree, so every text is escaped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)


@dataclass(frozen=True)
class Entry:
    id: str  # a permanent URI: the item's canonical URL
    title: str
    link: str
    updated: datetime
    author: str
    summary: str = ""  # plain text
    content_html: str = ""  # already sanitised HTML (the project's renderer)


def stamp(moment: datetime) -> str:
    """RFC 3339 in UTC, as Atom requires (naive datetimes are UTC in this project)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    node.text = text
    return node


def feed(*, title: str, feed_id: str, self_url: str, page_url: str,
         entries: list[Entry], language: str = "es") -> bytes:
    """The whole feed; `updated` is the newest entry's (or now when there is none)."""
    root = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": language})
    _text(root, "id", feed_id)
    _text(root, "title", title)
    newest = max((e.updated for e in entries), default=datetime.now(UTC))
    _text(root, "updated", stamp(newest))
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "self", "href": self_url,
                                            "type": "application/atom+xml"})
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "alternate", "href": page_url,
                                            "type": "text/html"})
    for item in entries:
        node = ET.SubElement(root, f"{{{ATOM}}}entry")
        _text(node, "id", item.id)
        _text(node, "title", item.title)
        _text(node, "updated", stamp(item.updated))
        ET.SubElement(node, f"{{{ATOM}}}link", {"rel": "alternate", "href": item.link,
                                                "type": "text/html"})
        author = ET.SubElement(node, f"{{{ATOM}}}author")
        _text(author, "name", item.author or "—")
        if item.summary:
            _text(node, "summary", item.summary)
        if item.content_html:
            _text(node, "content", item.content_html, type="html")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
