"""With FORUM_REDIS_URL the limits are counted in Redis, so every worker of a site shares
them: attempts made by another process count against this one's next request.

The other worker is a real second process: in one process Flask-Limiter's single extension
object keeps one storage for every app, which would prove nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from tests.conftest import PASSWORD, fresh_app, make_user

REDIS_URL = "redis://127.0.0.1:6379/7"  # a database of its own, emptied before and after
ROOT = Path(__file__).resolve().parents[2]
OTHER_WORKER = textwrap.dedent("""
    import json, sys
    from forum import create_app
    app = create_app(json.loads(sys.argv[1]))
    client = app.test_client()
    bad = {"email": sys.argv[2], "password": "no-es-su-clave"}
    print(json.dumps([client.post("/entrar", data=bad).status_code for _ in range(2)]))
""")


@pytest.fixture
def store() -> Iterator[redis.Redis]:
    found = redis.Redis.from_url(REDIS_URL)
    found.flushdb()
    yield found
    found.flushdb()
    found.close()


@pytest.fixture
def settings(tmp_path: Path, backend: str) -> dict[str, object]:  # noqa: ARG001
    return {"CONFIG": "TestConfig", "DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}",
            "INSTANCE_PATH": str(tmp_path / "instance"), "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "2 per minute", "REDIS_URL": REDIS_URL}


@pytest.fixture
def app(store: redis.Redis, settings: dict, backend: str, tmp_path: Path,  # noqa: ARG001
        request: pytest.FixtureRequest) -> Iterator[Flask]:
    overrides = {k: v for k, v in settings.items() if k not in ("CONFIG", "DATABASE_URL",
                                                                 "INSTANCE_PATH")}
    with fresh_app(backend, tmp_path, request, **overrides) as found:
        assert found.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
        yield found


def test_two_workers_share_the_count(app, store, settings):
    person = make_user()
    other = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER, json.dumps(settings), person.email],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(other.stdout.strip().splitlines()[-1]) == [422, 422]
    assert any(b"entrar" in key or b"login" in key for key in store.keys("*")), store.keys("*")
    blocked = app.test_client().post("/entrar", data={"email": person.email,
                                                      "password": PASSWORD})
    assert blocked.status_code == 429  # the other worker's two attempts counted here
    assert "Demasiados intentos" in blocked.get_data(as_text=True)
