"""GET /api/v1/search: the search page's results as JSON, same permissions and counts."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from forum.api import bp, optional_user
from forum.core import vocab
from forum.extensions import db
from forum.search import presenting, service
from forum.search.documents import KINDS
from forum.search.params import MAX_PER_PAGE, parse_params
from forum.spaces.kinds import SpaceKind


def result_json(result: service.Result) -> dict[str, Any]:
    doc = result.doc
    return {
        "key": doc.key, "kind": doc.kind, "id": doc.ref_id,
        "title": presenting.doc_label(doc), "title_html": str(result.title),
        "snippet_html": str(result.snippet), "snippet_from": result.part,
        "url": presenting.doc_url(doc), "date": doc.date.isoformat() + "Z",
        "country": doc.country or None, "themes": list(doc.themes),
        "space": {"id": doc.space_id, "kind": doc.space_kind, "title": doc.space_title}
        if doc.space_id else None,
        "author": {"id": doc.author_id, "name": doc.author_name} if doc.author_id else None,
    }


@bp.get("/search")
def search():  # noqa: ANN201
    params = parse_params(request.args, current_app.config["PAGE_SIZE"])
    page = service.search(db.session, optional_user(), params)
    return jsonify({
        "query": params.q, "searched": page.searched, "total": page.total,
        "page": params.page, "per_page": params.per_page, "pages": page.pages,
        "sort": params.sort, "relevance_capped": page.capped,
        "items": [result_json(r) for r in page.results],
        "facets": {name: [{"value": v, "count": c} for v, c in pairs]
                   for name, pairs in page.facets.items()},
        "suggestion": {"query": page.suggestion.query,
                       "words": [{"typed": a, "suggested": b} for a, b in page.suggestion.words]}
        if page.suggestion else None,
        "notices": [str(n) for n in page.notices],
    })


def openapi_paths() -> dict[str, Any]:
    """The OpenAPI description of GET /api/v1/search (merged by forum.api.openapi)."""
    from_vocab = {
        "kind": list(KINDS), "space_kind": [k.value for k in SpaceKind],
        "country": list(vocab.COUNTRY_CODES), "theme": list(vocab.THEMES),
        "actor": list(vocab.ACTORS), "status": list(vocab.STATUSES),
        "modality": list(vocab.MODALITIES), "sort": list(service.SORTS),
    }
    params = [{"name": "q", "in": "query", "schema": {"type": "string"},
               "description": 'Words (all must match, any form), "phrases", -excluded, '
                              "prefix*. Never refused: notices say what was changed."}]
    params += [{"name": name, "in": "query", "schema": {"type": "string", "enum": codes}}
               for name, codes in from_vocab.items()]
    params += [{"name": "author", "in": "query", "schema": {"type": "integer", "minimum": 1}},
               {"name": "since", "in": "query", "schema": {"type": "string", "format": "date"}},
               {"name": "until", "in": "query", "schema": {"type": "string", "format": "date"}},
               {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
               {"name": "per_page", "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}}]
    error = {"content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Error"}}}}
    return {"/api/v1/search": {"get": {
        "summary": "Search sheets, spaces and posts you may read, with counts per filter value",
        "parameters": params,
        "responses": {"200": {"description": "results, facets, suggestion and notices"},
                      "401": {"description": "bad token", **error},
                      "422": {"description": "an unknown filter value", **error}},
    }}}
