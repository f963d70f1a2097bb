"""Security headers on every kind of response (pages, JSON, errors, static files), HSTS only
when the site says it is served over HTTPS, and pages that need no inline script."""

from __future__ import annotations

import re

import pytest

from tests.security.conftest import shared_site

# (path, status): a page, a list, a form, the JSON API, both 404s, a static file.
RESPONSES = [("/", 200), ("/fichas/", 200), ("/entrar", 200), ("/api/v1/fichas", 200),
             ("/api/v1/openapi.json", 200), ("/no-existe", 404), ("/api/v1/no-existe", 404),
             ("/static/style.css", 200)]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>")
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


site, app, world = shared_site("headers")


def directives(csp: str) -> dict[str, list[str]]:
    found = {}
    for part in csp.split(";"):
        name, *sources = part.split()
        found[name] = sources
    return found


@pytest.mark.parametrize(("path", "status"), RESPONSES)
def test_every_response_carries_the_security_headers(client, path, status):
    with client.get(path) as response:
        assert response.status_code == status
    csp = directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert "'unsafe-inline'" not in csp.get("default-src", [])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin",
                                                   "no-referrer")
    assert response.headers["X-Frame-Options"] == "DENY"  # browsers that predate CSP 2
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: never promised


@pytest.mark.parametrize("overrides", [{"HSTS_SECONDS": 31536000}])
def test_hsts_when_configured_for_https(fresh):
    """Strict-Transport-Security on every response once the site says it is on HTTPS."""
    client = fresh.test_client()
    for path, status in RESPONSES:
        with client.get(path, base_url="https://localhost") as response:
            assert response.status_code == status, path
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"), path


def test_downloads_carry_them_too(client, world):
    """An uploaded file is served with nosniff, so a PDF is never run as a page."""
    with client.get(f"/fichas/adjuntos/{world.attachment.id}/plan.pdf") as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_pages_need_no_inline_script(client, world, auth):
    """The policy forbids inline scripts; a page that had one would silently break."""
    pages = ["/", "/entrar", "/registro", "/fichas/", f"/fichas/{world.ficha.id}",
             f"/espacios/{world.debate.id}", f"/espacios/{world.conference.id}",
             f"/espacios/{world.workshop.id}", "/panorama/", "/contrasena/olvidada"]
    auth.login(world.facilitator)
    pages += ["/moderacion", "/moderacion/registro", f"/fichas/{world.ficha.id}/editar",
              "/avisos", f"/personas/{world.facilitator.id}"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), (path, INLINE_SCRIPT.search(html).group(0))
        assert not EVENT_ATTRIBUTE.search(html), (path, EVENT_ATTRIBUTE.search(html).group(0))
