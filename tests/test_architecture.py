"""The layering rules of ARCHITECTURE.md, checked by reading imports."""

import ast
from pathlib import Path

import pytest

FORUM = Path(__file__).resolve().parent.parent / "forum"
# core modules whose job is the HTTP side
WEB_GLUE = {"web.py", "i18n.py", "pagecache.py", "assets.py"}
DOMAIN_FILES = sorted([*FORUM.rglob("models.py"), *FORUM.rglob("services.py"),
                       *FORUM.rglob("schema.py"), *FORUM.rglob("completeness.py"),
                       *FORUM.rglob("diff.py"), *FORUM.rglob("uploads.py"),
                       *FORUM.rglob("queries.py"), *FORUM.rglob("exchange.py"),
                       *(FORUM / "spaces" / f"{name}.py" for name in (
                           "posting", "marks", "files", "moderation", "mentions", "video",
                           "kinds")),
                       FORUM / "notifications" / "inbox.py",
                       *(FORUM / "contests" / f"{name}.py" for name in (
                           "permissions", "scoring", "awards", "results", "demo")),
                       FORUM / "library" / "demo.py",
                       *(p for p in (FORUM / "core").glob("*.py") if p.name not in WEB_GLUE)])
FORBIDDEN_FLASK = {"request", "session", "current_user", "render_template", "url_for", "abort",
                   "flash", "redirect", "g"}


def imports(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
    return found


def test_domain_file_list_is_not_empty():
    names = {p.name for p in DOMAIN_FILES}
    assert {"models.py", "services.py", "permissions.py", "content.py"} <= names


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(FORUM)))
def test_domain_modules_know_nothing_of_http_or_sockets(path):
    for module, name in imports(path):
        assert not module.startswith(("flask_socketio", "werkzeug.wrappers")), module
        if module == "flask_login":
            assert name == "UserMixin", f"{path.name} imports flask_login.{name}"
        if module == "flask":
            assert name not in FORBIDDEN_FLASK, f"{path.name} imports flask.{name}"


def test_only_the_search_package_imports_whoosh():
    for path in FORUM.rglob("*.py"):
        if "search" in path.relative_to(FORUM).parts:
            continue
        assert not any(m.startswith("whoosh") for m, _n in imports(path)), path


def test_only_the_live_package_uses_socketio_handlers():
    for path in FORUM.rglob("*.py"):
        if path.relative_to(FORUM).parts[0] in ("live", "extensions.py"):
            continue
        assert not any(m.startswith("flask_socketio") for m, _n in imports(path)), path


def test_every_module_has_a_docstring():
    for path in FORUM.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{path} has no module docstring"
