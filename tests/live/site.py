"""A real forum server in a child process, and real clients for it.

The server is started as in production (gunicorn's gevent websocket worker, `-w 1`, the production
config with CSRF and rate limits on) on a throwaway database that this test process seeds
through the app's own services. Clients are `requests` sessions that log in through the real
form, and python-socketio clients that connect with the session cookie they got.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import socketio

ROOT = Path(__file__).resolve().parents[2]
USER_AGENT = "forum-live-test/1"
NAMESPACE = "/live"
WORKER = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"  # the README's setup


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Callable[[], Any], timeout: float = 8.0, what: str = "") -> Any:
    """Poll until `check()` is truthy; fail the test with `what` if it never is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what or check}")


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        try:
            return requests.get(self.url + "/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(instance: Path, database_url: str, redis_url: str = "",
                 channel: str = "") -> Server:
    port = free_port()
    log = instance / f"server-{port}.log"
    env = {**os.environ, "FORUM_CONFIG": "Config", "FORUM_INSTANCE_PATH": str(instance),
           "FORUM_DATABASE_URL": database_url, "FORUM_POST_RATE_LIMIT": "500 per minute",
           "FORUM_LOGIN_RATE_LIMIT": "500 per minute"}
    if redis_url:
        env |= {"FORUM_REDIS_URL": redis_url, "FORUM_SOCKETIO_CHANNEL": channel}
    else:
        env.pop("FORUM_REDIS_URL", None)
    command = [sys.executable, "-m", "gunicorn", "-k", WORKER, "-w", "1",
               "--worker-connections", "2000", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    server = Server(port, process, log)
    try:
        wait_for(lambda: process.poll() is not None or server.alive(), timeout=30,
                 what=f"the server on port {port}")
    except AssertionError:
        server.stop()
        raise
    if process.poll() is not None:
        raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")
    return server


def log_in(server: Server, email: str, password: str) -> requests.Session:
    """A browser-like session, logged in through the real form (CSRF token and all)."""
    web = requests.Session()
    web.headers["User-Agent"] = USER_AGENT
    page = web.get(server.url + "/entrar", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', page)
    sent = web.post(server.url + "/entrar", data={"email": email, "password": password,
                                                  "csrf_token": token.group(1)},
                    allow_redirects=False, timeout=10)
    assert sent.status_code == 302, sent.text[:500]
    return web


def form_token(web: requests.Session, server: Server, path: str) -> str:
    page = web.get(server.url + path, timeout=10).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@dataclass
class LiveClient:
    """A python-socketio client that keeps what the server sent it."""

    server: Server
    web: requests.Session | None = None
    events: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    presence: list[dict] = field(default_factory=list)
    unread: list[dict] = field(default_factory=list)
    sio: socketio.Client = field(default_factory=lambda: socketio.Client(reconnection=False))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for name, box in (("event", self.events), ("error", self.errors),
                          ("presence", self.presence), ("unread", self.unread)):
            self.sio.on(name, self._keeper(box), namespace=NAMESPACE)

    def _keeper(self, box: list) -> Callable:
        def keep(data: Any) -> None:
            with self._lock:
                box.append(data)
        return keep

    def connect(self, transports: tuple[str, ...] = ("websocket",)) -> LiveClient:
        headers = {"User-Agent": USER_AGENT}
        if self.web is not None:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.web.cookies.items())
        self.sio.connect(self.server.url, headers=headers, namespaces=[NAMESPACE],
                         transports=list(transports), wait_timeout=10)
        return self

    def call(self, event: str, data: Any = None) -> Any:
        return self.sio.call(event, data, namespace=NAMESPACE, timeout=10)

    def join(self, room: str) -> dict:
        return self.call("join", {"room": room})

    def of_type(self, type_: str) -> list[dict]:
        with self._lock:
            return [e for e in self.events if e["type"] == type_]

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
        ws = getattr(self.sio.eio, "ws", None)
        if ws is not None:  # also when the server cut the link
            ws.close()
        if self.sio.eio.http is not None:  # the client's own requests session
            self.sio.eio.http.close()
        if self.web is not None:
            self.web.close()
