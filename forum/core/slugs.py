"""Readable URLs: `/fichas/12-gestion-territorial-en-taraco`. The number finds the row; the
words are the current title's slug, so a renamed sheet's old links still arrive (the page
answers them with a permanent redirect to the current words)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_WORDS_CHARS = 60
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """ASCII words of a title, accents dropped ("Gestión" → "gestion"), cut at a word."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = _NOT_WORD.sub("-", plain.lower()).strip("-")
    if len(slug) > MAX_WORDS_CHARS:
        slug = slug[:MAX_WORDS_CHARS].rsplit("-", 1)[0]
    return slug


@dataclass(frozen=True)
class Ref:
    """A row named in a URL: its id and the words that came with it ("" when none)."""

    id: int
    slug: str = ""

    @classmethod
    def of(cls, id_: int, title: str) -> Ref:
        return cls(id_, slugify(title))

    def moved(self, current_slug: str) -> bool:
        """Whether the URL carried other words than the row's current ones."""
        return bool(self.slug) and self.slug != current_slug
