"""Language, vocabulary and headers of every page people see."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from forum.accounts.models import Role
from tests.conftest import make_ficha, make_user

CATALOG = Path(__file__).resolve().parent.parent / "forum/translations/es/LC_MESSAGES/messages.po"
E_LEARNING = re.compile(r"\b(cursos?|unidad(es)?|calificaci[oó]n(es)?|notas?|docentes?|alumnos?|"
                        r"informe de evaluaci[oó]n)\b", re.IGNORECASE)


def pages(ficha_id: int, user_id: int) -> list[str]:
    return ["/", "/fichas/", f"/fichas/{ficha_id}", f"/fichas/{ficha_id}/historial",
            f"/fichas/{ficha_id}/diferencias?de=1&a=1", f"/fichas/{ficha_id}/revisiones/1",
            f"/personas/{user_id}", "/entrar", "/registro", "/no-existe"]


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_spanish_catalog_is_complete():
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str)
                                                      else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


def test_catalog_covers_every_message_in_the_code():
    """Every _() / _l() string in forum/ and templates/ has a Spanish translation."""
    from babel.messages.extract import extract_from_dir

    root = CATALOG.parents[3].parent
    with CATALOG.open("rb") as f:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    found = set()
    for sub in ("forum", "templates"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
                root / sub, method_map=[("**.py", "python"), ("**.html", "jinja2")],
                keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None,
                          "ngettext": (1, 2)},
                # babel's default skips "_" folders, which would miss templates/_macros
                directory_filter=lambda path: not Path(path).name.startswith(".")):
            found.add(message if isinstance(message, str) else message[0])
    assert sorted(found - known) == []


def space_pages(facilitator) -> list[str]:
    from tests.spaces.factories import make_reply, make_root, make_space

    paths = ["/espacios/", "/espacios/nuevo", "/comunidades/", "/convocatorias/",
             "/moderacion", "/moderacion/registro", "/avisos", "/avisos/preferencias"]
    for kind in ("conference", "debate", "contribution", "innovation", "workshop"):
        space = make_space(kind=kind, by=facilitator)
        root = make_root(space=space, by=make_user())
        make_reply(to=root, by=make_user())
        paths += [f"/espacios/{space.id}", f"/espacios/{space.id}/hilos/{root.id}",
                  f"/espacios/{space.id}/editar", f"/posts/{root.id}/editar"]
    return paths


@pytest.mark.parametrize("lang", ["es", "en"])
def test_no_e_learning_vocabulary_on_any_page(client, auth, lang):
    user = make_user(role=Role.FACILITATOR)
    ficha = make_ficha(owner=user)
    client.post("/idioma", data={"lang": lang})
    auth.login(user)
    extra = space_pages(user)
    for path in [*pages(ficha.id, user.id), "/fichas/nueva", f"/fichas/{ficha.id}/editar",
                 *extra]:
        body = visible_text(client.get(path).get_data(as_text=True))
        assert not E_LEARNING.search(body), (path, E_LEARNING.search(body))


def test_spanish_by_default_and_english_on_request(client):
    assert "Fichas de experiencia" in client.get("/").get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Experience sheets" in english
    client.post("/idioma", data={"lang": "en", "next": "/fichas/"})
    assert "Experience sheets" in client.get("/").get_data(as_text=True)


def test_security_headers_on_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_csrf_is_required_on_forms(app):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user()
    client = app.test_client()
    response = client.post("/entrar", data={"email": user.email, "password": "x"})
    assert response.status_code in (400, 422)
    assert "session" not in response.headers.get("Set-Cookie", "") or response.status_code == 400
    ficha = make_ficha(owner=user)
    assert client.post(f"/fichas/{ficha.id}/coeditores", data={"email": "a@b.c"}
                       ).status_code in (302, 400)


def test_pages_work_without_javascript(client, auth):
    """No page needs a script: reading is links, every action is a plain form that posts."""
    user = make_user()
    auth.login(user)
    form = client.get("/fichas/nueva").get_data(as_text=True)
    assert '<form method="post" class="ficha-form"' in form and "<script" not in form
    auth.logout()
    assert "<script" not in client.get("/").get_data(as_text=True)


def test_visitor_pages_set_no_cookie(client):
    """Reading never opens a session: pages stay cacheable and reads stay reads."""
    ficha = make_ficha(owner=make_user())
    for path in ("/", "/fichas/", f"/fichas/{ficha.id}"):
        assert "Set-Cookie" not in client.get(path).headers, path


def test_sqlite_runs_in_wal_mode_with_busy_timeout(app):
    from forum.extensions import db

    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_times_are_shown_in_the_viewers_country_zone(app, client, auth):
    from datetime import datetime

    from tests.spaces.factories import make_space

    space = make_space(kind="conference", starts_at=datetime(2026, 3, 15, 20, 0),
                       ends_at=datetime(2026, 3, 15, 22, 0))
    visitor = client.get(f"/espacios/{space.id}").get_data(as_text=True)
    assert "2026, 20:00" in visitor  # UTC for visitors
    auth.login(make_user(country="BO"))  # La Paz is UTC-4
    person = client.get(f"/espacios/{space.id}").get_data(as_text=True)
    assert "16:00 (hora de Bolivia)" in person and "18:00" in person
    assert "2026, 20:00" not in person
