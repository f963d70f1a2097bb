"""GET /api/v1/biblioteca and /api/v1/biblioteca/{id}: public reads, filters refused when
not understood, and answers that match the OpenAPI document."""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from forum.accounts.models import Role
from tests.conftest import make_user
from tests.library.conftest import PDF, make_item


def conforms(client, path: str, status: str, body: Any) -> None:  # noqa: ANN001
    """The body matches what the OpenAPI document promises for this path and status."""
    doc = client.get("/api/v1/openapi.json").get_json()
    media = doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]
    schema = {**media["schema"], "components": doc["components"]}
    jsonschema_rs.validate(schema, body)


def test_the_list_filters_and_pages_like_the_page(client):
    facilitator = make_user(role=Role.FACILITATOR)
    jara = make_item(by=facilitator, title="Para sistematizar experiencias", year=1994)
    segib = make_item(by=facilitator, title="Relatório Sul-Sul", language="pt", year=2022,
                      themes=["innovation"])
    guia = make_item(by=facilitator, title="Guía en PDF", pdf=PDF, year=2026)
    everything = client.get("/api/v1/biblioteca")
    body = everything.get_json()
    assert everything.status_code == 200 and body["total"] == 3
    assert [i["id"] for i in body["items"]] == [guia.id, segib.id, jara.id]  # newest first
    conforms(client, "/api/v1/biblioteca", "200", body)
    card = body["items"][0]
    assert card["kind"] == "file" and card["link"] is None and card["file"]["type"] == "pdf"
    assert card["file"]["url"] == f"/biblioteca/archivos/{guia.id}/guia.pdf"
    download = client.get(card["file"]["url"])
    assert download.data == PDF
    download.close()
    assert card["page"] == f"/biblioteca/{guia.id}" and "summary" not in card

    def ids(query: str) -> list[int]:
        found = client.get(f"/api/v1/biblioteca?{query}")
        assert found.status_code == 200
        return [i["id"] for i in found.get_json()["items"]]

    assert ids("language=pt") == [segib.id]
    assert ids("theme=education") == [guia.id, jara.id]
    assert ids("kind=link&year=1994") == [jara.id]
    assert ids("per_page=2&page=2") == [jara.id]
    paged = client.get("/api/v1/biblioteca?per_page=2").get_json()
    assert (paged["total"], paged["pages"], paged["per_page"]) == (3, 2, 2)


def test_filters_not_understood_are_refused(client):
    for query in ("language=xx", "year=1800", "kind=video", "per_page=1000", "page=0"):
        refused = client.get(f"/api/v1/biblioteca?{query}")
        assert refused.status_code == 422, query
        conforms(client, "/api/v1/biblioteca", "422", refused.get_json())
    bad_token = client.get("/api/v1/biblioteca", headers={"Authorization": "Bearer nada"})
    assert bad_token.status_code == 401


def test_one_item_in_full(client):
    item = make_item(summary="Los **cinco tiempos** <script>alert(1)</script>",
                     helps_with=["lessons", "keys"])
    found = client.get(f"/api/v1/biblioteca/{item.id}")
    body = found.get_json()
    assert found.status_code == 200
    conforms(client, "/api/v1/biblioteca/{item_id}", "200", body)
    assert body["title"] == item.title and body["kind"] == "link"
    assert body["link"] == "https://www.cepalforja.org/" and body["file"] is None
    assert body["summary"].startswith("Los **cinco tiempos**")
    assert "<strong>cinco tiempos</strong>" in body["summary_html"]
    assert "<script" not in body["summary_html"]
    assert body["helps_with"] == ["keys", "lessons"] and body["themes"] == ["education"]
    missing = client.get("/api/v1/biblioteca/999")
    assert missing.status_code == 404
    conforms(client, "/api/v1/biblioteca/{item_id}", "404", missing.get_json())


def test_the_document_lists_the_library(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/biblioteca", "/api/v1/biblioteca/{item_id}"} <= set(doc["paths"])
    assert {"LibraryItem", "LibraryItemCard"} <= set(doc["components"]["schemas"])
