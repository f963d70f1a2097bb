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


def command(port: int, workers: int, worker_class: str = "sync") -> list[str]:
    extra = ["--worker-connections", "10000"] if "gevent" in worker_class.lower() else []
    return [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", worker_class, *extra,
            "--bind", f"{HOST}:{port}", APP]


def log_path(instance: Path, port: int | None = None) -> Path:
    return instance / (f"gunicorn-{port}.log" if port else "gunicorn.log")


@contextmanager
def serve(instance: Path, database_url: str, workers: int) -> Iterator[int]:
    """Yield the port of a running gunicorn serving the bench app on `instance`."""
    with serve_process(instance, database_url, workers) as (port, _proc):
        yield port


@contextmanager
def serve_process(instance: Path, database_url: str, workers: int, worker_class: str = "sync",
                  env: dict[str, str] | None = None,
                  log: Path | None = None) -> Iterator[tuple[int, subprocess.Popen]]:
    """Yield (port, gunicorn master process); `env` adds settings (e.g. FORUM_REDIS_URL)."""
    port = free_port()
    log = log or log_path(instance)
    full_env = os.environ | {
        "FORUM_CONFIG": "Config",
        "FORUM_INSTANCE_PATH": str(instance),
        "FORUM_DATABASE_URL": database_url,
    } | (env or {})
    with log.open("w") as out:
        proc = subprocess.Popen(
            command(port, workers, worker_class),
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_ready(proc, port, log)
            yield port, proc
        finally:
            stop(proc)


def children(pid: int) -> list[int]:
    """The worker processes of a gunicorn master (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
