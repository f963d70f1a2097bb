"""Log in through the real form (CSRF on) and keep the `session` cookie.

The same User-Agent must be sent on every later request: Flask-Login's session
protection ties the session to the address and User-Agent it was created with.
"""

from __future__ import annotations

import http.client
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from flask.testing import FlaskClient

USER_AGENT = "forum-bench/1"
COOKIE = "session"


class _CsrfFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.token = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") == "csrf_token" and not self.token:
            self.token = found.get("value") or ""


def csrf_token(html: str) -> str:
    finder = _CsrfFinder()
    finder.feed(html)
    if not finder.token:
        raise RuntimeError("no csrf_token input in the log-in page")
    return finder.token


def _session_cookie(response: http.client.HTTPResponse, default: str = "") -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        jar = SimpleCookie(header)
        if COOKIE in jar:
            return jar[COOKIE].value
    return default


def _fetch(
    conn: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str], body: str
) -> tuple[http.client.HTTPResponse, str]:
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    return response, response.read().decode("utf-8", "replace")


def server_login(host: str, port: int, email: str, password: str) -> str:
    """The `session` cookie value of a logged-in person on a running server."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        headers = {"User-Agent": USER_AGENT}
        response, html = _fetch(conn, "GET", "/entrar", headers, "")
        cookie = _session_cookie(response)
        form = urlencode({"csrf_token": csrf_token(html), "email": email, "password": password})
        headers |= {
            "Cookie": f"{COOKIE}={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        response, html = _fetch(conn, "POST", "/entrar", headers, form)
        if response.status != 302:
            raise RuntimeError(f"log-in failed with {response.status}: {html[:300]}")
        cookie = _session_cookie(response, cookie)
        # log-in starts a fresh session without a form token; the first page gives it one
        # (a new cookie), as a browser keeps it: without this every measured request would
        # write the session again
        response, _html = _fetch(conn, "GET", "/", headers | {"Cookie": f"{COOKIE}={cookie}"},
                                 "")
        return _session_cookie(response, cookie)
    finally:
        conn.close()


def client_login(client: FlaskClient, email: str, password: str) -> None:
    """Log a Flask test client in through the same form."""
    page = client.get("/entrar", headers={"User-Agent": USER_AGENT})
    token = csrf_token(page.get_data(as_text=True))
    response = client.post(
        "/entrar",
        data={"csrf_token": token, "email": email, "password": password},
        headers={"User-Agent": USER_AGENT},
    )
    if response.status_code != 302:
        raise RuntimeError(f"test-client log-in failed with {response.status_code}")
