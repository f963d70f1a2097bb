"""Functional tests of the `flask` commands: users, sheets import/export, demo content."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum import create_app
from forum.accounts import services as accounts
from forum.accounts.models import ApiToken, Role, User
from forum.extensions import db
from forum.fichas import services as fichas
from forum.fichas.models import Ficha, FichaRevision
from tests.conftest import ficha_data, make_ficha, make_user


def _count(model: Any = Ficha) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _write(path: Path, content: Any) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


@pytest.fixture
def cli(app: Flask):  # noqa: ANN201
    runner = app.test_cli_runner()

    def run(*args: str):  # noqa: ANN202
        return runner.invoke(args=list(args))

    return run


@pytest.fixture
def facilitator() -> User:
    return make_user(name="Facilitadora", role=Role.FACILITATOR)


def _records() -> list[dict[str, Any]]:
    return [
        ficha_data(title="Primera", country="PE"),
        ficha_data(title="Segunda", status="in_progress", end_year=None, themes=["gender"]),
        ficha_data(title="Tercera", lessons="Aprendimos a escuchar a las comunidades."),
    ]


# --- fichas import --------------------------------------------------------------------------


def test_import_valid_file_creates_every_sheet(cli, facilitator, tmp_path):
    result = cli("fichas", "import", str(_write(tmp_path / "f.json", _records())))
    assert result.exit_code == 0, result.output
    assert "imported 3" in result.stdout
    stored = db.session.scalars(select(Ficha).order_by(Ficha.id)).all()
    assert [f.values() for f in stored] == _records()
    assert {f.owner_id for f in stored} == {facilitator.id}  # default: the first facilitator
    assert all(f.version == 1 for f in stored) and _count(FichaRevision) == 3


def test_import_ignores_read_only_keys_and_uses_owner(cli, facilitator, tmp_path):
    ana = make_user(email="ana@example.org")
    record = ficha_data(title="Con claves de la API") | {
        "id": 999,
        "version": 7,
        "owner": {"id": 1, "name": "Otra"},
        "editors": [],
        "created_at": "2001-01-01T00:00:00Z",
        "completeness": {"score": 100},
    }
    path = _write(tmp_path / "f.json", [record])
    result = cli("fichas", "import", str(path), "--owner", "ANA@example.org")
    assert result.exit_code == 0, result.output
    ficha = db.session.scalars(select(Ficha)).one()
    assert (ficha.owner_id, ficha.version, ficha.title) == (ana.id, 1, "Con claves de la API")
    assert ficha.id != 999 and ficha.created_at.year > 2001


@pytest.mark.parametrize("owner", [["--owner", "nadie@example.org"], []])
def test_import_without_a_possible_owner_fails(cli, tmp_path, owner):
    make_user()  # a participant only: no facilitator to fall back to
    result = cli("fichas", "import", str(_write(tmp_path / "f.json", _records())), *owner)
    assert result.exit_code != 0
    assert "owner" in result.stderr
    assert _count() == 0


def test_import_with_a_bad_record_imports_nothing(cli, facilitator, tmp_path):
    records = _records()
    records[1]["country"] = "XX"
    result = cli("fichas", "import", str(_write(tmp_path / "f.json", records)))
    assert result.exit_code != 0
    assert "record 1: country:" in result.stderr
    assert "record 0" not in result.stderr and "record 2" not in result.stderr
    assert "nothing imported" in result.stderr
    assert _count() == 0 and _count(FichaRevision) == 0


def test_import_reports_every_problem_of_every_record(cli, facilitator, tmp_path):
    records = _records()
    records[0] |= {"title": "", "themes": ["nope"]}
    records[2]["lessons"] = "x" * 25_000
    result = cli("fichas", "import", str(_write(tmp_path / "f.json", records)))
    assert result.exit_code != 0
    for line in ("record 0: title:", "record 0: themes:", "record 2: lessons:"):
        assert line in result.stderr
    assert _count() == 0


def test_import_skip_invalid_imports_the_rest(cli, facilitator, tmp_path):
    records = _records()
    records[1]["country"] = "XX"
    result = cli("fichas", "import", str(_write(tmp_path / "f.json", records)), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "record 1: country:" in result.stderr
    assert "imported 2" in result.stdout and "skipped 1" in result.stdout
    titles = db.session.scalars(select(Ficha.title).order_by(Ficha.id)).all()
    assert titles == ["Primera", "Tercera"]


@pytest.mark.parametrize("content", ['[{"title": "x",', "{not json", "", "\udcff"])
def test_import_malformed_json_is_a_clear_error(cli, facilitator, tmp_path, content):
    path = tmp_path / "f.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    result = cli("fichas", "import", str(path))
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert "not valid JSON" in result.stderr and "f.json" in result.stderr
    assert _count() == 0


@pytest.mark.parametrize("skip", [[], ["--skip-invalid"]], ids=["plain", "skip-invalid"])
@pytest.mark.parametrize("content", ['{"title": "Una sola ficha"}', "42", "null"])
def test_import_needs_an_array(cli, facilitator, tmp_path, content, skip):
    result = cli("fichas", "import", str(_write(tmp_path / "f.json", content)), *skip)
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert "array" in result.stderr
    assert _count() == 0


def test_import_missing_file_fails(cli, facilitator, tmp_path):
    result = cli("fichas", "import", str(tmp_path / "no-such.json"))
    assert result.exit_code != 0 and "no-such.json" in result.output


# --- fichas export ---------------------------------------------------------------------------


def test_export_writes_the_api_shape_and_round_trips(cli, client, tmp_path):
    owner = make_user(name="Ana")
    make_ficha(owner=owner, title="Una", lessons="**Lección** con _Markdown_.\n\n- a\n- b")
    second = make_ficha(
        owner=owner,
        title="Dos",
        country="CL",
        status="in_progress",
        end_year=None,
        themes=["gender", "education"],
        areas=["social"],
    )
    revised = ficha_data(title="Dos, revisada", country="CL", dimensions=["planning"])
    fichas.revise_ficha(db.session, owner, second.id, revised, base_version=1)
    fichas.add_editor(db.session, owner, second.id, make_user().email)
    db.session.commit()
    out = tmp_path / "export.json"
    result = cli("fichas", "export", str(out))
    assert result.exit_code == 0, result.output
    assert "exported 2" in result.stdout
    exported = json.loads(out.read_text("utf-8"))
    api = [client.get(f"/api/v1/fichas/{f['id']}").get_json() for f in exported]
    assert exported == api
    assert "@" not in out.read_text("utf-8")
    originals = [f.values() for f in db.session.scalars(select(Ficha).order_by(Ficha.id))]

    fresh = create_app(
        {
            "CONFIG": "TestConfig",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
            "INSTANCE_PATH": str(tmp_path / "fresh"),
        }
    )
    with fresh.app_context():
        db.create_all()
        try:
            make_user(role=Role.FACILITATOR)
            result = fresh.test_cli_runner().invoke(args=["fichas", "import", str(out)])
            assert result.exit_code == 0, result.output
            copies = [f.values() for f in db.session.scalars(select(Ficha).order_by(Ficha.id))]
            assert copies == originals
        finally:
            db.session.remove()
            db.engine.dispose()


def test_export_of_an_empty_database_is_an_empty_array(cli, tmp_path):
    result = cli("fichas", "export", str(tmp_path / "e.json"))
    assert result.exit_code == 0
    assert json.loads((tmp_path / "e.json").read_text("utf-8")) == []


# --- users create ----------------------------------------------------------------------------


def test_users_create_with_token_prints_a_working_token(cli, client):
    args = ["Rosa@Example.org", "--name", "Rosa Mamani", "--password", "una-clave-larga"]
    result = cli("users", "create", *args, "--country", "PE", "--token")
    assert result.exit_code == 0, result.output
    user = accounts.find_by_email(db.session, "rosa@example.org")
    assert user is not None and user.display_name == "Rosa Mamani" and user.country == "PE"
    assert user.role == Role.PARTICIPANT
    assert accounts.authenticate(db.session, "rosa@example.org", "una-clave-larga") == user
    secret = result.stdout.strip().splitlines()[-1].strip()
    assert secret.startswith(accounts.TOKEN_PREFIX)
    assert [t.token_hash for t in user.tokens] == [hashlib.sha256(secret.encode()).hexdigest()]
    headers = {"Authorization": f"Bearer {secret}"}
    created = client.post("/api/v1/fichas", json=ficha_data(), headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["owner"]["id"] == user.id
    body = ficha_data(title="Corregida", version=1)
    updated = client.put(created.headers["Location"], json=body, headers=headers)
    assert updated.status_code == 200 and updated.get_json()["version"] == 2


def test_users_create_without_token_prints_none_and_sets_role(cli):
    args = ["fa@example.org", "--name", "Fa", "--password", "una-clave-larga"]
    result = cli("users", "create", *args, "--role", "facilitator")
    assert result.exit_code == 0, result.output
    assert accounts.TOKEN_PREFIX not in result.output
    user = accounts.find_by_email(db.session, "fa@example.org")
    assert user.role == Role.FACILITATOR and user.tokens == []


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("ANA@example.org", "una-clave-larga", "email"),
        ("no-es-correo", "una-clave-larga", "email"),
        ("nueva@example.org", "corta", "password"),
    ],
    ids=["duplicate", "bad-email", "short-password"],
)
def test_users_create_refuses_bad_input(cli, email, password, field):
    make_user(email="ana@example.org")
    before = (_count(User), _count(ApiToken))
    result = cli("users", "create", email, "--name", "Ana", "--password", password, "--token")
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert f"{field}:" in result.stderr
    assert accounts.TOKEN_PREFIX not in result.output
    assert (_count(User), _count(ApiToken)) == before


# --- demo load -------------------------------------------------------------------------------


def test_demo_load_on_an_empty_database(cli):
    result = cli("demo", "load")
    assert result.exit_code == 0, result.output
    sheets = db.session.scalars(select(Ficha)).all()
    assert len(sheets) >= 12
    assert len({f.country for f in sheets}) >= 6
    revisions = dict(
        db.session.execute(
            select(FichaRevision.ficha_id, func.count()).group_by(FichaRevision.ficha_id)
        ).all()
    )
    assert set(revisions) == {f.id for f in sheets}
    assert any(n > 1 for n in revisions.values())
    assert all(revisions[f.id] == f.version for f in sheets)
    assert any(f.editors for f in sheets)
    assert any(f.lessons_missing for f in sheets) and not all(f.lessons_missing for f in sheets)
    facilitadora = accounts.authenticate(db.session, "facilitadora@demo.foro", "demo-clave-2026")
    assert facilitadora is not None and facilitadora.is_facilitator
    assert f"{len(sheets)} sheets" in result.stdout


def test_demo_load_if_empty_does_nothing_on_a_loaded_database(cli):
    assert cli("demo", "load", "--if-empty").exit_code == 0  # empty: loads
    loaded = (_count(User), _count(), _count(FichaRevision))
    assert loaded[1] >= 12
    again = cli("demo", "load", "--if-empty")
    assert again.exit_code == 0
    assert "not loaded" in again.output
    assert (_count(User), _count(), _count(FichaRevision)) == loaded
    refused = cli("demo", "load")
    assert refused.exit_code != 0 and "empty" in refused.stderr
    assert (_count(User), _count(), _count(FichaRevision)) == loaded


def test_demo_load_if_empty_counts_people_not_only_sheets(cli):
    make_user()
    result = cli("demo", "load", "--if-empty")
    assert result.exit_code == 0 and _count() == 0 and _count(User) == 1
