"""The OpenAPI 3.1 document of API v1, built from the sheet schema so it cannot drift."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from forum.api import bp
from forum.core import vocab
from forum.fichas import queries, schema
from forum.library import api as library_api
from forum.search import api as search_api


def _field_schema(spec: schema.FieldSpec) -> dict[str, Any]:
    if spec.kind == "multi":
        return {
            "type": "array",
            "items": {"type": "string", "enum": spec.codes()},
            "uniqueItems": True,
        }
    if spec.kind == "year":
        return {"type": ["integer", "null"], "minimum": 1950}
    if spec.kind == "choice":
        return {"type": "string", "enum": spec.codes()}
    out: dict[str, Any] = {"type": "string"}
    if spec.max_len:
        out["maxLength"] = spec.max_len
    if spec.kind == "markdown":
        out["description"] = "Markdown; rendered and sanitised on the site."
    return out


def _components() -> dict[str, Any]:
    fields = {f.name: _field_schema(f) for f in schema.FIELDS}
    required = [f.name for f in schema.FIELDS if f.required]
    person = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "country": {"type": "string"},
            "organisation": {"type": "string"},
        },
        "required": ["id", "name"],
    }
    error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    "current_version": {"type": "integer"},
                },
            },
            "current": {"$ref": "#/components/schemas/Ficha"},
        },
    }
    ficha = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            **fields,
            "version": {"type": "integer"},
            "owner": {"$ref": "#/components/schemas/Person"},
            "editors": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}},
            "attachments": {"type": "array", "items": {"type": "object"}},
            "completeness": {"type": "object"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
        "required": ["id", "version", *required],
    }
    ficha_in = {
        "type": "object",
        "properties": {**fields, "edit_summary": {"type": "string", "maxLength": 300}},
        "required": required,
    }
    ficha_update = {
        "type": "object",
        "properties": {**ficha_in["properties"], "version": {"type": "integer"}},
        "required": [*required, "version"],
    }
    return {
        "schemas": {
            "Person": person,
            "Error": error,
            "Ficha": ficha,
            "FichaInput": ficha_in,
            "FichaUpdate": ficha_update,
        },
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    }


def _filters() -> list[dict[str, Any]]:
    enums = {
        "country": vocab.COUNTRY_CODES,
        "theme": list(vocab.THEMES),
        "actor": list(vocab.ACTORS),
        "status": list(vocab.STATUSES),
        "modality": list(vocab.MODALITIES),
        "sort": list(queries.SORTS),
    }
    params = [
        {"name": k, "in": "query", "schema": {"type": "string", "enum": list(v)}}
        for k, v in enums.items()
    ]
    params.append({"name": "missing_lessons", "in": "query", "schema": {"type": "boolean"}})
    params.append({"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}})
    params.append(
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": queries.MAX_PER_PAGE},
        }
    )
    return params


def _resp(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): _resp("Error", "error") for c in codes}


def document() -> dict[str, Any]:
    ficha_id = {"name": "ficha_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    page = {
        "type": "object",
        "required": ["items", "total", "page", "per_page", "pages"],
        "properties": {
            "items": {"type": "array", "items": {"type": "object"}},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
        },
    }
    body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FichaInput"}}},
    }
    update = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FichaUpdate"}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Foro de desarrollo territorial API", "version": "1"},
        "paths": {
            "/api/v1/fichas": {
                "get": {
                    "summary": "List experience sheets",
                    "parameters": _filters(),
                    "responses": {
                        "200": {
                            "description": "a page of sheets",
                            "content": {"application/json": {"schema": page}},
                        },
                        **_errors(401, 422),
                    },
                },
                "post": {
                    "summary": "Create a sheet",
                    "security": [{"bearer": []}],
                    "requestBody": body,
                    "responses": {"201": _resp("Ficha", "created"), **_errors(401, 403, 422)},
                },
            },
            "/api/v1/fichas/{ficha_id}": {
                "parameters": [ficha_id],
                "get": {
                    "summary": "One sheet",
                    "responses": {"200": _resp("Ficha", "the sheet"), **_errors(401, 404)},
                },
                "put": {
                    "summary": "Save a new version (optimistic: send `version`)",
                    "security": [{"bearer": []}],
                    "requestBody": update,
                    "responses": {
                        "200": _resp("Ficha", "saved"),
                        **_errors(401, 403, 404, 409, 422),
                    },
                },
            },
            "/api/v1/fichas/{ficha_id}/revisions": {
                "parameters": [ficha_id],
                "get": {
                    "summary": "Every revision, newest first",
                    "responses": {
                        "200": {
                            "description": "revisions",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"items": {"type": "array"}},
                                    }
                                }
                            },
                        },
                        **_errors(401, 404),
                    },
                },
            },
        },
        "components": _components() | {"schemas": _components()["schemas"] | SPACE_SCHEMAS},
    }


def _id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _items(ref: str) -> dict[str, Any]:
    return {
        "description": "items",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["items"],
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}
                    },
                }
            }
        },
    }


def _json_body(ref: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


SPACE_SCHEMAS: dict[str, Any] = {
    "Space": {
        "type": "object",
        "required": ["id", "kind", "title", "state"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {
                "type": "string",
                "enum": ["conference", "debate", "contribution", "innovation", "workshop"],
            },
            "title": {"type": "string"},
            "state": {"type": "string"},
            "framing_html": {"type": "string"},
            "synthesis_html": {"type": "string"},
            "speakers": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}},
        },
    },
    "Post": {
        "type": "object",
        "required": ["id", "space_id", "kind", "author", "status"],
        "properties": {
            "id": {"type": "integer"},
            "space_id": {"type": "integer"},
            "kind": {"type": "string"},
            "root_id": {"type": ["integer", "null"]},
            "parent_id": {"type": ["integer", "null"]},
            "author": {"$ref": "#/components/schemas/Person"},
            "title": {"type": "string"},
            "body": {"type": "string"},
            "body_html": {"type": "string"},
            "stance": {"type": "string"},
            "status": {"type": "string"},
            "supports": {"type": "integer"},
            "replies": {"type": "array", "items": {"$ref": "#/components/schemas/Post"}},
        },
    },
    "PostInput": {
        "type": "object",
        "required": ["body"],
        "properties": {
            "title": {"type": "string", "maxLength": 200},
            "body": {"type": "string", "maxLength": 20000},
            "stance": {"type": "string", "enum": ["for", "against", "nuanced"]},
            "ficha_id": {"type": ["integer", "null"]},
            "before": {"type": "string"},
            "change": {"type": "string"},
            "why": {"type": "string"},
            "evidence": {"type": "string"},
            "context": {"type": "string"},
            "options": {"type": "string"},
            "constraints": {"type": "string"},
            "cites_fichas": {"type": "array", "items": {"type": "integer"}},
        },
    },
    "ReplyInput": {
        "type": "object",
        "required": ["body"],
        "properties": {"body": {"type": "string", "maxLength": 20000}},
    },
}


def space_paths() -> dict[str, Any]:
    post_ok = {"200": _resp("Post", "the post"), **_errors(401, 403, 404, 409, 422)}
    created = {"201": _resp("Post", "created"), **_errors(401, 403, 404, 409, 422, 429)}
    bearer = [{"bearer": []}]
    return {
        "/api/v1/spaces": {
            "get": {
                "summary": "Spaces you may read",
                "parameters": [{"name": "kind", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": _items("Space"), **_errors(401)},
            }
        },
        "/api/v1/spaces/{space_id}": {
            "parameters": [_id("space_id")],
            "get": {
                "summary": "One space",
                "responses": {"200": _resp("Space", "the space"), **_errors(401, 404)},
            },
        },
        "/api/v1/spaces/{space_id}/threads": {
            "parameters": [_id("space_id")],
            "get": {
                "summary": "Opening posts with their replies",
                "parameters": [{"name": "sort", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": _items("Post"), **_errors(401, 404)},
            },
        },
        "/api/v1/spaces/{space_id}/posts": {
            "parameters": [_id("space_id")],
            "post": {
                "summary": "Post what the space's kind takes (question, position, ...)",
                "security": bearer,
                "requestBody": _json_body("PostInput"),
                "responses": created,
            },
        },
        "/api/v1/posts/{post_id}": {
            "parameters": [_id("post_id")],
            "get": {
                "summary": "One post",
                "responses": {"200": _resp("Post", "the post"), **_errors(401, 404)},
            },
            "put": {
                "summary": "Edit your post (earlier version kept)",
                "security": bearer,
                "requestBody": _json_body("PostInput"),
                "responses": post_ok,
            },
        },
        "/api/v1/posts/{post_id}/replies": {
            "parameters": [_id("post_id")],
            "post": {
                "summary": "Reply",
                "security": bearer,
                "requestBody": _json_body("ReplyInput"),
                "responses": created,
            },
        },
        "/api/v1/posts/{post_id}/moderation/{action}": {
            "parameters": [
                _id("post_id"),
                {
                    "name": "action",
                    "in": "path",
                    "required": True,
                    "schema": {
                        "type": "string",
                        "enum": [
                            "hide",
                            "restore",
                            "pin",
                            "unpin",
                            "lock",
                            "unlock",
                            "move",
                            "approve",
                            "dismiss",
                        ],
                    },
                },
            ],
            "post": {
                "summary": "Moderate (facilitators): hide/restore/dismiss take "
                "{reason}, move takes {space_id}",
                "security": bearer,
                "responses": post_ok,
            },
        },
        "/api/v1/posts/{post_id}/flags": {
            "parameters": [_id("post_id")],
            "post": {
                "summary": "Ask facilitators to look at a post ({reason})",
                "security": bearer,
                "responses": {
                    "201": {"description": "flagged"},
                    **_errors(401, 403, 404, 409, 422),
                },
            },
        },
        "/api/v1/posts/{post_id}/support": {
            "parameters": [_id("post_id")],
            "post": {"summary": "Support a question", "security": bearer, "responses": post_ok},
            "delete": {
                "summary": "Withdraw your support",
                "security": bearer,
                "responses": post_ok,
            },
        },
    }


@bp.get("/openapi.json")
def openapi():  # noqa: ANN201
    doc = document()
    doc["paths"] |= space_paths() | search_api.openapi_paths() | library_api.openapi_paths()
    doc["components"]["schemas"] |= library_api.SCHEMAS
    return jsonify(doc)
