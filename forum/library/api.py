"""GET /api/v1/biblioteca and /api/v1/biblioteca/{id}: the library as JSON (public reads),
and their OpenAPI description (merged by forum.api.openapi)."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request, url_for

from forum.api import bp, optional_user
from forum.core import vocab
from forum.extensions import db
from forum.library import queries, schema
from forum.library.models import LibraryItem


def item_json(item: LibraryItem, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": item.id,
        "title": item.title,
        "authors": item.authors,
        "year": item.year,
        "language": item.language,
        "themes": item.themes,
        "kind": item.source,
        "link": item.url or None,
        "file": {
            "name": item.file.display_name, "type": item.file.kind, "mime": item.file.mime,
            "size": item.file.size,
            "url": url_for("library.download", item_id=item.id, name=item.file.display_name),
        } if item.file else None,
        "updated_at": item.updated_at.isoformat() + "Z",
        "url": url_for("api.get_library_item", item_id=item.id),
        "page": url_for("library.show", item_id=item.id),
    }
    if full:
        out |= {"summary": item.summary, "summary_html": item.summary_html,
                "helps_with": item.helps_with,
                "created_at": item.created_at.isoformat() + "Z"}
    return out


@bp.get("/biblioteca")
def list_library():  # noqa: ANN201
    optional_user()  # a bad token is refused even on public reads
    filters = queries.parse_filters(request.args, current_app.config["PAGE_SIZE"])
    page = queries.list_items(db.session, filters)
    return jsonify({"items": [item_json(i) for i in page.items], "total": page.total,
                    "page": page.page, "per_page": page.per_page, "pages": page.pages})


@bp.get("/biblioteca/<int:item_id>")
def get_library_item(item_id: int):  # noqa: ANN201
    optional_user()
    return jsonify(item_json(queries.get_item(db.session, item_id), full=True))


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


FILE = {"type": ["object", "null"], "required": ["name", "type", "mime", "size", "url"],
        "properties": {"name": {"type": "string"}, "type": {"type": "string"},
                       "mime": {"type": "string"}, "size": {"type": "integer"},
                       "url": {"type": "string"}}}
ITEM_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "title": {"type": "string"},
    "authors": {"type": "string", "description": "People or organisation"},
    "year": _nullable("integer"),
    "language": {"type": "string", "enum": list(schema.LANGUAGES)},
    "themes": {"type": "array", "items": {"type": "string", "enum": list(vocab.THEMES)}},
    "kind": {"type": "string", "enum": list(schema.SOURCES),
             "description": "Exactly one source: an uploaded file or an external link"},
    "link": _nullable("string"),
    "file": FILE,
    "updated_at": {"type": "string", "format": "date-time"},
    "url": {"type": "string"},
    "page": {"type": "string"},
}
SCHEMAS: dict[str, Any] = {
    "LibraryItemCard": {"type": "object", "properties": ITEM_PROPERTIES,
                        "required": list(ITEM_PROPERTIES)},
    "LibraryItem": {
        "type": "object",
        "properties": {**ITEM_PROPERTIES,
                       "summary": {"type": "string", "description": "Markdown"},
                       "summary_html": {"type": "string", "description": "Sanitised HTML"},
                       "helps_with": {"type": "array", "items": {
                           "type": "string", "enum": list(schema.PARTS)},
                           "description": "Sheet parts this reading helps to write"},
                       "created_at": {"type": "string", "format": "date-time"}},
        "required": [*ITEM_PROPERTIES, "summary", "summary_html", "helps_with", "created_at"],
    },
}


def openapi_paths() -> dict[str, Any]:
    def error(description: str) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/Error"}}}}

    def query(name: str, schema_: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "query", "schema": schema_}

    params = [query("theme", {"type": "string", "enum": list(vocab.THEMES)}),
              query("language", {"type": "string", "enum": list(schema.LANGUAGES)}),
              query("year", {"type": "integer", "minimum": schema.YEAR_MIN,
                             "maximum": schema.year_max()}),
              query("kind", {"type": "string", "enum": list(schema.SOURCES)}),
              query("page", {"type": "integer", "minimum": 1, "maximum": 100_000}),
              query("per_page", {"type": "integer", "minimum": 1,
                                 "maximum": queries.MAX_PER_PAGE})]
    page = {"type": "object", "required": ["items", "total", "page", "per_page", "pages"],
            "properties": {"items": {"type": "array", "items": {
                "$ref": "#/components/schemas/LibraryItemCard"}},
                "total": {"type": "integer"}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "pages": {"type": "integer"}}}
    return {
        "/api/v1/biblioteca": {"get": {
            "summary": "The library of guides and documents, newest first, filtered",
            "parameters": params,
            "responses": {"200": {"description": "a page of items",
                                  "content": {"application/json": {"schema": page}}},
                          "401": error("bad token"), "422": error("an unknown filter value")},
        }},
        "/api/v1/biblioteca/{item_id}": {
            "parameters": [{"name": "item_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "get": {"summary": "One guide or document",
                    "responses": {"200": {"description": "the item", "content": {
                        "application/json": {"schema": {
                            "$ref": "#/components/schemas/LibraryItem"}}}},
                        "401": error("bad token"), "404": error("no such item")}},
        },
    }
