"""Run the app under gunicorn (sync workers, as in production) on a free local port.

`serve()` is a context manager: it waits until the server answers and always stops it,
whatever happens inside the `with` block.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
APP = "bench.bench_wsgi:app"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def answers(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=1)
    try:
        conn.request("GET", "/_bare")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def wait_ready(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if answers(port):
            return
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise RuntimeError(f"gunicorn did not answer on port {port}:\n{tail}")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the master (graceful), then SIGKILL to its own process group."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group we created: only gunicorn
        proc.wait(STOP_TIMEOUT)


def worker_problems(log: Path) -> list[str]:
    """Lines of the gunicorn log that say a worker died (signal, timeout) during the run."""
    if not log.exists():
        return []
    marks = ("was sent SIG", "WORKER TIMEOUT", "Traceback", "[ERROR]")
    return [
        line
        for line in log.read_text(errors="replace").splitlines()
        if any(m in line for m in marks)
    ]


def command(port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-k",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        APP,
    ]


def log_path(instance: Path) -> Path:
    return instance / "gunicorn.log"


@contextmanager
def serve(instance: Path, database_url: str, workers: int) -> Iterator[int]:
    """Yield the port of a running gunicorn serving the bench app on `instance`."""
    port = free_port()
    log = log_path(instance)
    env = os.environ | {
        "FORUM_CONFIG": "Config",
        "FORUM_INSTANCE_PATH": str(instance),
        "FORUM_DATABASE_URL": database_url,
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            command(port, workers),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_ready(proc, port, log)
            yield port
        finally:
            stop(proc)
