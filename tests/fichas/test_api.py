"""Functional tests of the JSON API v1 for experience sheets, on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from forum.accounts import services as accounts
from forum.accounts.models import Role
from forum.extensions import db
from forum.fichas import services as fichas
from forum.fichas.models import Ficha, FichaRevision
from tests.conftest import ficha_data, make_ficha, make_user

pytestmark = pytest.mark.both_backends

LIST = "/api/v1/fichas"
LONG_LESSONS = "Aprendimos que los acuerdos comunales sostienen el trabajo. " * 8  # 40+ words


def _count(model: Any = Ficha) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _fresh(ficha_id: int) -> Ficha:
    db.session.expire_all()
    return db.session.get(Ficha, ficha_id)


def _error(response, status: int) -> dict[str, Any]:  # noqa: ANN001
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.is_json
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message", "fields"}
    assert isinstance(error["message"], str) and error["message"]
    return error


# --- listing --------------------------------------------------------------------------------


@pytest.fixture
def catalogue() -> dict[str, int]:
    owner = make_user()
    specs = {
        "Alfa": {"country": "BO", "themes": ["land_use_planning"], "status": "finished",
                 "actors": ["municipality", "indigenous_authority"], "modality": "south_south"},
        "Bravo": {"country": "PE", "themes": ["gender", "education"], "actors": ["ngo"],
                  "status": "in_progress", "end_year": None, "modality": "triangular",
                  "lessons": LONG_LESSONS},
        "Charlie": {"country": "BO", "themes": ["gender"], "actors": ["municipality"],
                    "status": "in_progress", "end_year": None, "modality": "none",
                    "lessons": LONG_LESSONS},
        "Delta": {"country": "MX", "themes": ["environment"], "actors": ["university"],
                  "status": "finished", "modality": "decentralised"},
    }
    return {title: make_ficha(owner=owner, title=title, **v).id for title, v in specs.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Alfa", "Bravo", "Charlie", "Delta"}),
        ("country=BO", {"Alfa", "Charlie"}),
        ("country=PE", {"Bravo"}),
        ("country=AR", set()),
        ("theme=gender", {"Bravo", "Charlie"}),
        ("theme=land_use_planning", {"Alfa"}),
        ("actor=municipality", {"Alfa", "Charlie"}),
        ("actor=university", {"Delta"}),
        ("status=in_progress", {"Bravo", "Charlie"}),
        ("status=finished", {"Alfa", "Delta"}),
        ("modality=triangular", {"Bravo"}),
        ("modality=none", {"Charlie"}),
        ("missing_lessons=1", {"Alfa", "Delta"}),
        ("missing_lessons=true", {"Alfa", "Delta"}),
        ("country=BO&theme=gender", {"Charlie"}),
        ("status=finished&missing_lessons=1&country=MX", {"Delta"}),
    ],
)
def test_list_filters_return_exactly_the_matching_sheets(client, catalogue, query, expected):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    body = response.get_json()
    assert {item["title"] for item in body["items"]} == expected
    assert len(body["items"]) == len(expected)
    assert body["total"] == len(expected)
    assert body["pages"] == 1
    assert body["page"] == 1
    for item in body["items"]:
        assert item["id"] == catalogue[item["title"]]
        assert item["url"] == f"/api/v1/fichas/{item['id']}"


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["Alfa", "Bravo", "Charlie", "Delta"]),
        ("oldest", ["Alfa", "Bravo", "Charlie", "Delta"]),
        ("recent", ["Delta", "Charlie", "Bravo", "Alfa"]),
        ("", ["Delta", "Charlie", "Bravo", "Alfa"]),
    ],
)
def test_list_sort(client, catalogue, sort, expected):
    body = client.get(f"{LIST}?sort={sort}").get_json()
    assert [item["title"] for item in body["items"]] == expected


def test_sort_recent_puts_the_last_revised_first_and_complete_orders_by_score(client, catalogue):
    alfa = db.session.get(Ficha, catalogue["Alfa"])
    data = ficha_data(title="Alfa", summary="Otro resumen del trabajo con los ayllus.")
    fichas.revise_ficha(db.session, alfa.owner, alfa.id, data, base_version=1)
    db.session.commit()
    recent = client.get(f"{LIST}?sort=recent").get_json()["items"]
    assert recent[0]["title"] == "Alfa"
    complete = client.get(f"{LIST}?sort=complete").get_json()["items"]
    scores = [item["completeness"] for item in complete]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    incomplete = client.get(f"{LIST}?sort=incomplete").get_json()["items"]
    assert [i["completeness"] for i in incomplete] == sorted(scores)


def test_pagination_totals_and_pages(client):
    owner = make_user()
    ids = {make_ficha(owner=owner, title=f"Ficha {n}").id for n in range(5)}
    seen: list[int] = []
    for page, size in ((1, 2), (2, 2), (3, 1)):
        body = client.get(f"{LIST}?per_page=2&page={page}&sort=oldest").get_json()
        assert (body["total"], body["pages"], body["page"], body["per_page"]) == (5, 3, page, 2)
        assert len(body["items"]) == size
        seen += [item["id"] for item in body["items"]]
    assert sorted(seen) == sorted(ids)
    beyond = client.get(f"{LIST}?per_page=2&page=9").get_json()
    assert beyond["items"] == [] and beyond["total"] == 5
    clamped = client.get(f"{LIST}?per_page=1000").get_json()
    assert clamped["per_page"] == 100 and clamped["pages"] == math.ceil(5 / 100)


@pytest.mark.parametrize(
    "query",
    ["country=XX", "theme=nope", "actor=nope", "status=done", "modality=x", "sort=best",
     "page=abc", "per_page=many"],
)
def test_list_unknown_filter_code_is_422_naming_the_field(client, catalogue, query):
    error = _error(client.get(f"{LIST}?{query}"), 422)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [query.split("=")[0]]


# --- reading one ----------------------------------------------------------------------------


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def test_get_one_has_the_fields_and_never_an_email(client):
    owner = make_user(email="ana.quispe@example.org", name="Ana Quispe")
    editor = make_user(email="coeditor.secreto@example.org", name="Rosa Mamani")
    ficha = make_ficha(owner=owner, lessons=LONG_LESSONS)
    fichas.add_editor(db.session, owner, ficha.id, editor.email)
    db.session.commit()
    response = client.get(f"{LIST}/{ficha.id}")
    assert response.status_code == 200
    body = response.get_json()
    expected = ficha_data(lessons=LONG_LESSONS.strip())
    for name, value in expected.items():
        assert body[name] == value, name
    assert body["id"] == ficha.id and body["version"] == 1
    assert body["owner"] == {"id": owner.id, "name": "Ana Quispe", "country": "BO",
                             "organisation": "Municipio de prueba"}
    assert [e["name"] for e in body["editors"]] == ["Rosa Mamani"]
    assert "lessons" not in body["completeness"]["missing"]
    assert body["created_at"].endswith("Z")
    text = response.get_data(as_text=True)
    assert "ana.quispe" not in text and "coeditor.secreto" not in text and "@" not in text
    assert not any("mail" in key for key in _keys(body))


def test_get_missing_sheet_is_404_json(client):
    error = _error(client.get(f"{LIST}/9999"), 404)
    assert error["code"] == "not_found"
    _error(client.get(f"{LIST}/9999/revisions"), 404)
    _error(client.get("/api/v1/nothing-here"), 404)


def test_revisions_newest_first_with_snapshots(client):
    owner = make_user(name="Ana")
    facilitator = make_user(name="Fabiola", role=Role.FACILITATOR)
    ficha = make_ficha(owner=owner, title="Versión uno")
    fichas.revise_ficha(db.session, owner, ficha.id, ficha_data(title="Versión dos"),
                        base_version=1, edit_summary="Cambio el título")
    fichas.revise_ficha(db.session, facilitator, ficha.id, ficha_data(title="Versión tres"),
                        base_version=2, edit_summary="Lo ajusto")
    db.session.commit()
    items = client.get(f"{LIST}/{ficha.id}/revisions").get_json()["items"]
    assert [r["number"] for r in items] == [3, 2, 1]
    assert [r["snapshot"]["title"] for r in items] == ["Versión tres", "Versión dos", "Versión uno"]
    assert [r["author"]["name"] for r in items] == ["Fabiola", "Ana", "Ana"]
    assert items[1]["summary"] == "Cambio el título"
    assert items[0]["snapshot"] == ficha_data(title="Versión tres")
    assert "@" not in str(items)


# --- creating -------------------------------------------------------------------------------


def test_post_with_token_creates_and_points_to_it(client, token_for):
    author = make_user(name="Ana")
    response = client.post(LIST, json=ficha_data(title="Nueva ficha", edit_summary="Primera"),
                           headers=token_for(author))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/fichas/{body['id']}")
    stored = _fresh(body["id"])
    assert stored.title == "Nueva ficha" and stored.owner_id == author.id and stored.version == 1
    assert stored.values() == ficha_data(title="Nueva ficha")
    assert client.get(response.headers["Location"]).get_json()["title"] == "Nueva ficha"
    assert fichas.list_revisions(db.session, body["id"])[0].summary == "Primera"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer ftd_not-a-real-token"}, {"Authorization": "Bearer "},
     {"Authorization": "Basic YW5hOmNsYXZl"}],
    ids=["none", "unknown", "empty", "basic"],
)
def test_post_without_a_valid_token_is_401(client, headers):
    error = _error(client.post(LIST, json=ficha_data(), headers=headers), 401)
    assert error["code"] == "unauthorised"
    assert _count() == 0


def test_revoked_token_is_401_on_writes_and_reads(client):
    author = make_user()
    token, secret = accounts.create_token(db.session, author, "script")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.post(LIST, json=ficha_data(), headers=headers).status_code == 201
    accounts.revoke_token(db.session, author, token.id)
    db.session.commit()
    _error(client.post(LIST, json=ficha_data(), headers=headers), 401)
    _error(client.get(LIST, headers=headers), 401)
    assert _count() == 1


@pytest.mark.parametrize(
    ("changes", "bad"),
    [
        ({"country": "XX"}, {"country"}),
        ({"title": ""}, {"title"}),
        ({"lessons": "a" * 25_000}, {"lessons"}),
        ({"themes": ["not_a_theme"]}, {"themes"}),
        ({"start_year": 2020, "end_year": 2019}, {"end_year"}),
        ({"country": "XX", "title": "", "lessons": "a" * 25_000, "themes": ["nope"]},
         {"country", "title", "lessons", "themes"}),
    ],
    ids=["country", "title", "long-lessons", "theme", "end-before-start", "all-at-once"],
)
def test_post_invalid_lists_each_bad_field_and_writes_nothing(client, token_for, changes, bad):
    headers = token_for(make_user())
    data = ficha_data(**changes)
    if changes.get("title") == "":
        del data["title"]
    before = (_count(), _count(FichaRevision))
    error = _error(client.post(LIST, json=data, headers=headers), 422)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == bad
    assert all(isinstance(v, str) and v for v in error["fields"].values())
    assert (_count(), _count(FichaRevision)) == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("title=Hola", "application/x-www-form-urlencoded"), ("{not json", "application/json"),
     ('["a list"]', "application/json"), ('{"title": "x"}', "text/plain")],
)
def test_post_non_json_body_is_422(client, token_for, body, content_type):
    headers = token_for(make_user())
    response = client.post(LIST, data=body, content_type=content_type, headers=headers)
    error = _error(response, 422)
    assert "_body" in error["fields"]
    assert _count() == 0


# --- updating -------------------------------------------------------------------------------


@pytest.fixture
def sheet() -> Ficha:
    return make_ficha(owner=make_user(name="Dueña"), title="Título original")


def _put(client, ficha_id: int, headers: dict, **changes: Any):  # noqa: ANN001, ANN202
    return client.put(f"{LIST}/{ficha_id}", json=ficha_data(**changes), headers=headers)


def test_put_with_current_version_saves_a_new_version(client, token_for, sheet):
    response = _put(client, sheet.id, token_for(sheet.owner), title="Título nuevo", version=1)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["version"] == 2 and response.get_json()["title"] == "Título nuevo"
    stored = _fresh(sheet.id)
    assert (stored.version, stored.title) == (2, "Título nuevo")
    assert [r.number for r in fichas.list_revisions(db.session, sheet.id)] == [2, 1]


def test_put_unchanged_content_adds_no_revision(client, token_for, sheet):
    response = _put(client, sheet.id, token_for(sheet.owner), title="Título original", version=1)
    assert response.status_code == 200 and response.get_json()["version"] == 1
    assert _count(FichaRevision) == 1


def test_put_stale_version_is_409_with_current_and_changes_nothing(client, token_for, sheet):
    headers = token_for(sheet.owner)
    assert _put(client, sheet.id, headers, title="Segunda", version=1).status_code == 200
    response = _put(client, sheet.id, headers, title="Pisada", version=1)
    error = _error(response, 409)
    assert error["code"] == "conflict" and error["current_version"] == 2
    current = response.get_json()["current"]
    assert current["title"] == "Segunda" and current["version"] == 2
    stored = _fresh(sheet.id)
    assert (stored.version, stored.title) == (2, "Segunda")
    assert _count(FichaRevision) == 2


def test_put_by_a_stranger_is_403_and_unchanged(client, token_for, sheet):
    stranger = make_user(name="Extraña")
    error = _error(_put(client, sheet.id, token_for(stranger), title="Mía", version=1), 403)
    assert error["code"] == "forbidden"
    stored = _fresh(sheet.id)
    assert (stored.version, stored.title) == (1, "Título original")


@pytest.mark.parametrize("who", ["co-editor", "facilitator"])
def test_put_by_co_editor_or_facilitator_is_allowed(client, token_for, sheet, who):
    if who == "co-editor":
        person = make_user(name="Coeditora")
        fichas.add_editor(db.session, sheet.owner, sheet.id, person.email)
        db.session.commit()
    else:
        person = make_user(name="Facilitadora", role=Role.FACILITATOR)
    response = _put(client, sheet.id, token_for(person), title=f"Mejorada por {who}", version=1)
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = _fresh(sheet.id)
    assert (stored.version, stored.title) == (2, f"Mejorada por {who}")
    assert fichas.list_revisions(db.session, sheet.id)[0].author_id == person.id


@pytest.mark.parametrize("version", ["missing", "1", None, True, 1.0])
def test_put_without_an_integer_version_is_422(client, token_for, sheet, version):
    data = ficha_data(title="Sin versión")
    if version != "missing":
        data["version"] = version
    error = _error(client.put(f"{LIST}/{sheet.id}", json=data, headers=token_for(sheet.owner)), 422)
    assert "version" in error["fields"]
    assert _fresh(sheet.id).title == "Título original"


def test_put_missing_sheet_is_404(client, token_for, sheet):
    _error(_put(client, 9999, token_for(sheet.owner), version=1), 404)


# --- language -------------------------------------------------------------------------------


@pytest.mark.parametrize("spanish", [{}, {"Accept-Language": "es-BO,es;q=0.9"}], ids=["default", "es"])
def test_error_messages_follow_accept_language(client, token_for, spanish):
    en = _error(client.post(LIST, json=ficha_data(), headers={"Accept-Language": "en"}), 401)
    es = _error(client.post(LIST, json=ficha_data(), headers=spanish), 401)
    assert en["message"] == "Send a personal API token: Authorization: Bearer <token>."
    assert es["message"] != en["message"]
    headers = token_for(make_user())
    en = _error(client.post(LIST, json=ficha_data(title=""), headers=headers
                            | {"Accept-Language": "en"}), 422)
    es = _error(client.post(LIST, json=ficha_data(title=""), headers=headers | spanish), 422)
    assert en["fields"]["title"] == "This field is required."
    assert es["fields"]["title"] != en["fields"]["title"]


# --- OpenAPI --------------------------------------------------------------------------------


def _resolve(doc: dict, ref: str) -> Any:
    assert ref.startswith("#/"), f"external $ref {ref}"
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
             "integer": int, "number": (int, float)}
    return isinstance(value, types[kind])


def validate(schema: dict, value: Any, doc: dict, path: str = "$") -> list[str]:
    """Errors of `value` against the JSON Schema subset the API document uses."""
    if "$ref" in schema:
        return validate(_resolve(doc, schema["$ref"]), value, doc, path)
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, k) for k in kinds):
            return [f"{path}: {value!r} is not of type {kinds}"]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in enum")
    if isinstance(value, str) and len(value) > schema.get("maxLength", math.inf):
        errors.append(f"{path}: longer than {schema['maxLength']}")
    if isinstance(value, dict):
        errors += [f"{path}: missing {k}" for k in schema.get("required", []) if k not in value]
        props = schema.get("properties", {})
        for key, item in value.items():
            sub = props.get(key, schema.get("additionalProperties"))
            if isinstance(sub, dict):
                errors += validate(sub, item, doc, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(schema["items"], item, doc, f"{path}[{i}]")
    return errors


@pytest.fixture
def openapi(client) -> dict:  # noqa: ANN001
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_openapi_is_structurally_valid_3_1(app, openapi):
    assert openapi["openapi"].startswith("3.1.")
    assert openapi["info"]["title"] and isinstance(openapi["info"]["version"], str)
    refs = _refs(openapi)
    assert "#/components/schemas/Ficha" in refs
    for ref in refs:
        assert isinstance(_resolve(openapi, ref), dict), ref
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("/openapi.json"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods)
    assert routes and set(routes) == set(openapi["paths"])
    for path, methods in routes.items():
        item = openapi["paths"][path]
        for method in methods - {"head", "options"}:
            operation = item[method]
            assert operation["responses"], (path, method)
            assert all("description" in r for r in operation["responses"].values())
            declared = {p["name"] for p in item.get("parameters", []) + operation.get(
                "parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)


def test_real_responses_validate_against_the_document(client, token_for, openapi):
    owner = make_user()
    ficha = make_ficha(owner=owner, lessons=LONG_LESSONS, end_year=2021)
    fichas.add_editor(db.session, owner, ficha.id, make_user().email)
    db.session.commit()
    body = client.get(f"{LIST}/{ficha.id}").get_json()
    ficha_schema = openapi["components"]["schemas"]["Ficha"]
    assert validate(ficha_schema, body, openapi) == []
    ongoing = client.post(LIST, json=ficha_data(status="in_progress", end_year=None),
                          headers=token_for(owner))
    assert validate(ficha_schema, ongoing.get_json(), openapi) == []
    page_schema = openapi["paths"]["/api/v1/fichas"]["get"]["responses"]["200"]["content"]
    assert validate(page_schema["application/json"]["schema"], client.get(LIST).get_json(),
                    openapi) == []
    error = client.get(f"{LIST}?country=XX").get_json()
    assert validate({"$ref": "#/components/schemas/Error"}, error, openapi) == []


@pytest.mark.parametrize(
    ("change", "needle"),
    [(("title", 5), "title"), (("country", "XX"), "country"), (("id", None), "missing id"),
     (("themes", ["nope"]), "themes[0]"), (("owner", {"name": "x"}), "owner: missing id"),
     (("start_year", True), "start_year")],
)
def test_the_tiny_validator_rejects_wrong_shapes(client, openapi, change, needle):
    body = client.get(f"{LIST}/{make_ficha(owner=make_user()).id}").get_json()
    key, value = change
    if value is None:
        del body[key]
    else:
        body[key] = value
    errors = validate(openapi["components"]["schemas"]["Ficha"], body, openapi)
    assert any(needle in e for e in errors), errors
