"""Functional tests of the JSON API v1 for experience sheets, on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
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
ALL_BAD = {"country": "XX", "title": None, "lessons": "a" * 25_000, "themes": ["nope"]}
LONG_LESSONS = "Aprendimos que los acuerdos comunales sostienen el trabajo. " * 8  # 40+ words
CATALOGUE = (  # title, country, themes, actors, status, modality, lessons written?
    ("Alfa", "BO", ["land_use_planning"], ["municipality", "ngo"], "finished", "south_south", 0),
    ("Bravo", "PE", ["gender", "education"], ["ngo"], "in_progress", "triangular", 1),
    ("Charlie", "BO", ["gender"], ["municipality"], "in_progress", "none", 1),
    ("Delta", "MX", ["environment"], ["university"], "finished", "decentralised", 0),
)


def _count(model: Any = Ficha) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _fresh(ficha_id: int) -> Ficha:
    db.session.expire_all()
    return db.session.get(Ficha, ficha_id)


def _error(response, status: int) -> dict[str, Any]:  # noqa: ANN001
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message", "fields"}
    assert isinstance(error["message"], str) and error["message"]
    return error


@pytest.fixture
def catalogue() -> dict[str, int]:
    owner, ids, names = make_user(), {}, ("title", "country", "themes", "actors", "status")
    for *row, modality, lessons in CATALOGUE:
        values = dict(zip(names, row, strict=True)) | {"modality": modality}
        values["end_year"] = 2021 if values["status"] == "finished" else None
        ids[row[0]] = make_ficha(owner=owner, lessons=LONG_LESSONS if lessons else "", **values).id
    return ids


# fmt: off
FILTER_CASES = [
    ("", {"Alfa", "Bravo", "Charlie", "Delta"}), ("country=AR", set()),
    ("country=BO", {"Alfa", "Charlie"}), ("country=PE", {"Bravo"}),
    ("theme=gender", {"Bravo", "Charlie"}), ("theme=land_use_planning", {"Alfa"}),
    ("actor=municipality", {"Alfa", "Charlie"}), ("actor=university", {"Delta"}),
    ("status=in_progress", {"Bravo", "Charlie"}), ("status=finished", {"Alfa", "Delta"}),
    ("modality=triangular", {"Bravo"}), ("modality=none", {"Charlie"}),
    ("missing_lessons=1", {"Alfa", "Delta"}), ("missing_lessons=true", {"Alfa", "Delta"}),
    ("country=BO&theme=gender", {"Charlie"}),
    ("status=finished&missing_lessons=1&country=MX", {"Delta"}),
]
NON_JSON = [
    ("title=Hola", "application/x-www-form-urlencoded"), ("{not json", "application/json"),
    ('["a list"]', "application/json"), ('{"title": "x"}', "text/plain"),
]
# fmt: on


@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_list_filters_return_exactly_the_matching_sheets(client, catalogue, query, expected):
    body = client.get(f"{LIST}?{query}").get_json()
    assert {item["title"] for item in body["items"]} == expected
    assert len(body["items"]) == body["total"] == len(expected)
    assert body["pages"] == body["page"] == 1
    for item in body["items"]:
        assert item["id"] == catalogue[item["title"]]
        assert item["url"] == f"/api/v1/fichas/{item['id']}"


def test_list_sort(client, catalogue):
    def titles(sort: str) -> list[str]:
        return [item["title"] for item in client.get(f"{LIST}?sort={sort}").get_json()["items"]]

    assert titles("title") == titles("oldest") == ["Alfa", "Bravo", "Charlie", "Delta"]
    assert titles("recent") == titles("") == ["Delta", "Charlie", "Bravo", "Alfa"]
    alfa = db.session.get(Ficha, catalogue["Alfa"])
    data = ficha_data(title="Alfa", summary="Otro resumen del trabajo con los ayllus.")
    fichas.revise_ficha(db.session, alfa.owner, alfa.id, data, base_version=1)
    db.session.commit()
    assert titles("recent") == ["Alfa", "Delta", "Charlie", "Bravo"]
    assert titles("oldest")[0] == "Alfa"
    scores = [i["completeness"] for i in client.get(f"{LIST}?sort=complete").get_json()["items"]]
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
    assert client.get(f"{LIST}?per_page=2&page=9").get_json()["items"] == []
    assert client.get(f"{LIST}?per_page=1000").get_json()["per_page"] == 100


@pytest.mark.parametrize(
    "query",
    "country=XX theme=nope actor=nope status=done modality=x sort=? page=a per_page=b".split(),
)
def test_list_unknown_filter_code_is_422_naming_the_field(client, catalogue, query):
    error = _error(client.get(f"{LIST}?{query}"), 422)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [query.split("=")[0]]


def test_get_one_has_the_fields_and_never_an_email(client):
    owner = make_user(email="ana.quispe@example.org", name="Ana Quispe")
    editor = make_user(email="coeditor.secreto@example.org", name="Rosa Mamani")
    ficha = make_ficha(owner=owner, lessons=LONG_LESSONS)
    fichas.add_editor(db.session, owner, ficha.id, editor.email)
    db.session.commit()
    response = client.get(f"{LIST}/{ficha.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in ficha_data()} == ficha_data(lessons=LONG_LESSONS.strip())
    assert (body["id"], body["version"]) == (ficha.id, 1)
    assert (body["owner"]["id"], body["owner"]["name"]) == (owner.id, "Ana Quispe")
    assert [e["name"] for e in body["editors"]] == ["Rosa Mamani"]
    assert "lessons" not in body["completeness"]["missing"]
    assert body["created_at"].endswith("Z")
    text = response.get_data(as_text=True)
    assert "ana.quispe" not in text and "coeditor.secreto" not in text and "@" not in text
    assert not re.search(r'"[^"]*mail[^"]*":', text)  # no key named like e-mail, at any depth
    assert _error(client.get(f"{LIST}/9999"), 404)["code"] == "not_found"
    _error(client.get(f"{LIST}/9999/revisions"), 404)
    _error(client.get("/api/v1/nothing-here"), 404)


def test_revisions_newest_first_with_snapshots(client):
    owner = make_user(name="Ana")
    facilitator = make_user(name="Fabiola", role=Role.FACILITATOR)
    ficha = make_ficha(owner=owner, title="Versión uno")
    for n, (who, title) in enumerate(((owner, "Versión dos"), (facilitator, "Versión tres")), 1):
        data = ficha_data(title=title)
        fichas.revise_ficha(db.session, who, ficha.id, data, base_version=n, edit_summary=title)
    db.session.commit()
    items = client.get(f"{LIST}/{ficha.id}/revisions").get_json()["items"]
    assert [r["number"] for r in items] == [3, 2, 1]
    assert [r["author"]["name"] for r in items] == ["Fabiola", "Ana", "Ana"]
    assert [r["summary"] for r in items] == ["Versión tres", "Versión dos", ""]
    assert [r["snapshot"]["title"] for r in items] == ["Versión tres", "Versión dos", "Versión uno"]
    assert items[0]["snapshot"] == ficha_data(title="Versión tres")
    assert "@" not in str(items)


def test_post_with_token_creates_and_points_to_it(client, token_for):
    author = make_user(name="Ana")
    data = ficha_data(title="Nueva ficha", edit_summary="Primera")
    response = client.post(LIST, json=data, headers=token_for(author))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/fichas/{body['id']}")
    stored = _fresh(body["id"])
    assert (stored.owner_id, stored.version) == (author.id, 1)
    assert stored.values() == ficha_data(title="Nueva ficha")
    assert fichas.list_revisions(db.session, body["id"])[0].summary == "Primera"


@pytest.mark.parametrize("auth", ["", "Bearer ftd_nope", "Bearer ", "Basic YW5h", "revoked"])
def test_post_without_a_valid_token_is_401(client, auth):
    if auth == "revoked":
        author = make_user()
        token, secret = accounts.create_token(db.session, author, "script")
        db.session.commit()
        auth = f"Bearer {secret}"
        good = client.post(LIST, json=ficha_data(), headers={"Authorization": auth})
        assert good.status_code == 201
        accounts.revoke_token(db.session, author, token.id)
        db.session.commit()
    headers = {"Authorization": auth} if auth else {}
    before = _count()
    error = _error(client.post(LIST, json=ficha_data(), headers=headers), 401)
    assert error["code"] == "unauthorised"
    if auth:  # reads accept no token, but a bad one is refused, never ignored
        _error(client.get(LIST, headers=headers), 401)
    assert _count() == before


@pytest.mark.parametrize(
    ("changes", "bad"),
    [
        ({"country": "XX"}, {"country"}),
        ({"title": None}, {"title"}),
        ({"lessons": "a" * 25_000}, {"lessons"}),
        ({"themes": ["not_a_theme"]}, {"themes"}),
        ({"start_year": 2020, "end_year": 2019}, {"end_year"}),
        (ALL_BAD, set(ALL_BAD)),
    ],
    ids=["country", "title", "long-lessons", "theme", "end-before-start", "all-at-once"],
)
def test_post_invalid_lists_each_bad_field_and_writes_nothing(client, token_for, changes, bad):
    headers = token_for(make_user())
    data = {k: v for k, v in ficha_data(**changes).items() if v is not None or k != "title"}
    before = (_count(), _count(FichaRevision))
    error = _error(client.post(LIST, json=data, headers=headers), 422)
    assert (error["code"], set(error["fields"])) == ("invalid", bad)
    assert all(isinstance(v, str) and v for v in error["fields"].values())
    assert (_count(), _count(FichaRevision)) == before


@pytest.mark.parametrize(("body", "content_type"), NON_JSON)
def test_post_non_json_body_is_422(client, token_for, body, content_type):
    headers = token_for(make_user())
    response = client.post(LIST, data=body, content_type=content_type, headers=headers)
    assert "_body" in _error(response, 422)["fields"]
    assert _count() == 0


@pytest.fixture
def sheet() -> Ficha:
    return make_ficha(owner=make_user(name="Dueña"), title="Título original")


def _put(client, ficha_id: int, headers: dict, **changes: Any):  # noqa: ANN001, ANN202
    return client.put(f"{LIST}/{ficha_id}", json=ficha_data(**changes), headers=headers)


def test_put_current_version_saves_stale_version_is_409(client, token_for, sheet):
    headers = token_for(sheet.owner)
    same = _put(client, sheet.id, headers, title="Título original", version=1)
    assert same.status_code == 200 and same.get_json()["version"] == 1  # no empty revision
    response = _put(client, sheet.id, headers, title="Título nuevo", version=1)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert (response.get_json()["version"], response.get_json()["title"]) == (2, "Título nuevo")
    stored = _fresh(sheet.id)
    assert (stored.version, stored.title) == (2, "Título nuevo")
    assert [r.number for r in fichas.list_revisions(db.session, sheet.id)] == [2, 1]
    stale = _put(client, sheet.id, headers, title="Pisada", version=1)
    error = _error(stale, 409)
    assert error["code"] == "conflict" and error["current_version"] == 2
    current = stale.get_json()["current"]
    assert (current["title"], current["version"]) == ("Título nuevo", 2)
    stored = _fresh(sheet.id)
    assert (stored.version, stored.title, _count(FichaRevision)) == (2, "Título nuevo", 2)


@pytest.mark.parametrize("who", ["stranger", "co-editor", "facilitator"])
def test_put_permissions(client, token_for, sheet, who):
    person = make_user(role=Role.FACILITATOR if who == "facilitator" else Role.PARTICIPANT)
    if who == "co-editor":
        fichas.add_editor(db.session, sheet.owner, sheet.id, person.email)
        db.session.commit()
    response = _put(client, sheet.id, token_for(person), title=f"Mejorada por {who}", version=1)
    stored = _fresh(sheet.id)
    if who == "stranger":
        assert _error(response, 403)["code"] == "forbidden"
        assert (stored.version, stored.title) == (1, "Título original")
        _error(_put(client, 9999, token_for(person), version=1), 404)
        return
    assert response.status_code == 200, response.get_data(as_text=True)
    assert (stored.version, stored.title) == (2, f"Mejorada por {who}")
    assert fichas.list_revisions(db.session, sheet.id)[0].author_id == person.id


@pytest.mark.parametrize("version", ["missing", "1", None, True, 1.0])
def test_put_without_an_integer_version_is_422(client, token_for, sheet, version):
    data = ficha_data(title="Sin versión") | ({} if version == "missing" else {"version": version})
    error = _error(client.put(f"{LIST}/{sheet.id}", json=data, headers=token_for(sheet.owner)), 422)
    assert "version" in error["fields"]
    assert _fresh(sheet.id).title == "Título original"


@pytest.mark.parametrize("spanish", [{}, {"Accept-Language": "es-BO,es;q=0.9"}], ids=["no", "es"])
def test_error_messages_follow_accept_language(client, token_for, spanish):
    en = _error(client.post(LIST, json=ficha_data(), headers={"Accept-Language": "en"}), 401)
    es = _error(client.post(LIST, json=ficha_data(), headers=spanish), 401)
    assert en["message"] == "Send a personal API token: Authorization: Bearer <token>."
    assert es["message"] != en["message"]
    headers, bad = token_for(make_user()), ficha_data(title="")
    en = _error(client.post(LIST, json=bad, headers=headers | {"Accept-Language": "en"}), 422)
    es = _error(client.post(LIST, json=bad, headers=headers | spanish), 422)
    assert en["fields"]["title"] == "This field is required."
    assert es["fields"]["title"] != en["fields"]["title"]


# --- OpenAPI: a tiny validator for the JSON Schema subset the document uses -----------------

# exact types of decoded JSON values, so True is not an integer
JSON_TYPES = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,)}
JSON_TYPES |= {"null": (type(None),), "integer": (int,), "number": (int, float)}


def _resolve(doc: dict, ref: str) -> Any:
    assert ref.startswith("#/"), f"external $ref {ref}"
    parts = [p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/")]
    return functools.reduce(lambda node, part: node[part], parts, doc)


def validate(schema: dict, value: Any, doc: dict, path: str = "$") -> list[str]:
    """Errors of `value` against type/required/enum/properties/items/$ref (and maxLength)."""
    if "$ref" in schema:
        return validate(_resolve(doc, schema["$ref"]), value, doc, path)
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if kinds is not None and not any(type(value) in JSON_TYPES[k] for k in kinds):
        return [f"{path}: {value!r} is not of type {kinds}"]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in enum")
    if isinstance(value, str) and len(value) > schema.get("maxLength", math.inf):
        errors.append(f"{path}: longer than {schema['maxLength']}")
    if isinstance(value, dict):
        errors += [f"{path}: missing {k}" for k in schema.get("required", []) if k not in value]
        for key, item in value.items():
            sub = schema.get("properties", {}).get(key, schema.get("additionalProperties"))
            errors += validate(sub, item, doc, f"{path}.{key}") if isinstance(sub, dict) else []
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(schema["items"], item, doc, f"{path}[{i}]")
    return errors


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + _refs(list(node.values()))
    return [r for v in node for r in _refs(v)] if isinstance(node, list) else []


@pytest.fixture
def openapi(client) -> dict:  # noqa: ANN001
    assert (response := client.get("/api/v1/openapi.json")).status_code == 200
    return response.get_json()


def test_openapi_is_structurally_valid_3_1(app, openapi):
    assert openapi["openapi"].startswith("3.1.")
    assert openapi["info"]["title"] and isinstance(openapi["info"]["version"], str)
    assert "#/components/schemas/Ficha" in _refs(openapi)
    assert all(isinstance(_resolve(openapi, ref), dict) for ref in _refs(openapi))
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("/openapi.json"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods)
    assert routes and set(routes) == set(openapi["paths"])
    for path, methods in routes.items():
        item = openapi["paths"][path]
        for method in methods - {"head", "options"}:
            responses = item[method]["responses"]
            assert responses and all("description" in r for r in responses.values())
            params = item.get("parameters", []) + item[method].get("parameters", [])
            declared = {p["name"] for p in params if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)


def test_real_responses_validate_against_the_document(client, token_for, openapi):
    owner = make_user()
    ficha = make_ficha(owner=owner, lessons=LONG_LESSONS)
    fichas.add_editor(db.session, owner, ficha.id, make_user().email)
    db.session.commit()
    ficha_schema = openapi["components"]["schemas"]["Ficha"]
    assert validate(ficha_schema, client.get(f"{LIST}/{ficha.id}").get_json(), openapi) == []
    ongoing = ficha_data(status="in_progress", end_year=None)
    created = client.post(LIST, json=ongoing, headers=token_for(owner)).get_json()
    assert validate(ficha_schema, created, openapi) == []
    page = openapi["paths"][LIST]["get"]["responses"]["200"]["content"]["application/json"]
    assert validate(page["schema"], client.get(LIST).get_json(), openapi) == []
    error = client.get(f"{LIST}?country=XX").get_json()
    assert validate({"$ref": "#/components/schemas/Error"}, error, openapi) == []


def test_the_tiny_validator_rejects_wrong_shapes(client, openapi):
    body = client.get(f"{LIST}/{make_ficha(owner=make_user()).id}").get_json()
    schema = openapi["components"]["schemas"]["Ficha"]
    cases = [("title", 5, "$.title"), ("country", "XX", "$.country"), ("id", None, "missing id"),
             ("themes", ["nope"], "themes[0]"), ("owner", {"name": "x"}, "owner: missing id"),
             ("start_year", True, "start_year"), ("title", "x" * 201, "longer")]  # fmt: skip
    for key, value, needle in cases:
        broken = {k: v for k, v in body.items() if k != key or value is not None}
        broken |= {} if value is None else {key: value}
        errors = validate(schema, broken, openapi)
        assert any(needle in e for e in errors), (key, errors)
