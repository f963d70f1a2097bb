"""Similar experiences on every sheet page: the closest other sheets by content.

Small experiences get connected to others this way. The list is computed by the backend
(shared words that are rare elsewhere, ranked by BM25) and kept in memory per index
generation, so a sheet page costs one lookup, not a search, until the index changes.
Sheets are public, so the list is the same for visitors and members.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable

from flask import current_app

from forum.search.documents import Document
from forum.search.service import Hit

log = logging.getLogger(__name__)
LIMIT = 5


def similar_sheets(ficha_id: int, limit: int = LIMIT) -> list[Hit]:
    """The sheets closest to this one (the index decides; a cached answer per generation)."""
    engine = current_app.extensions["forum.search"]
    backend = engine.backend
    return engine.similar_cache.get_or_make(
        (ficha_id, limit, backend.generation()),
        lambda: backend.similar(f"ficha:{ficha_id}", limit))


def for_template(ficha_id: int | None, limit: int = LIMIT) -> list[Hit]:
    """What templates call: a page must render even if the index cannot answer."""
    if not ficha_id:
        return []
    try:
        return similar_sheets(int(ficha_id), limit)
    except Exception:  # the sheet matters more than its neighbours
        log.exception("search: similar sheets of %s failed", ficha_id)
        return []


def distinctive(doc: Document, total: int, doc_frequency: Callable[[str], int],
                count: int = 15) -> list[str]:
    """The words that say what a sheet is about: frequent in it, rare elsewhere."""
    tf = Counter(doc.body_terms)
    tf.update(doc.title_terms * 3)
    weights = {}
    for term, n in tf.items():
        df = doc_frequency(term)
        # words in most documents say nothing (but a handful of sheets is not a corpus)
        if df and (total < 20 or df <= 0.6 * total) and not term.isdigit():
            weights[term] = (1 + math.log(n)) * math.log(1 + total / df)
    return sorted(weights, key=lambda t: -weights[t])[:count]
