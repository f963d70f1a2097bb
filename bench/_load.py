"""Load generators: wrk when installed, else a Python one (http.client, GC off).

Both keep `connections` connections busy for `duration` seconds against one URL and
report requests/s, p50 and p99. Gunicorn's sync workers close every connection after
the response, so both generators reconnect for each request, as a browser would.
"""

from __future__ import annotations

import gc
import http.client
import math
import multiprocessing as mp
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass

HOST = "127.0.0.1"
PROCESSES = 2  # like wrk -t2: the load spreads over two processes
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int  # non-2xx/3xx answers and socket errors
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str | None:
    return shutil.which("wrk")


def describe(generator: str, connections: int) -> str:
    if generator == "wrk":
        version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
        first = version.splitlines()[0].split(" Copyright")[0] if version else "wrk"
        return f"{first} -t{PROCESSES} -c{connections} --latency"
    per = math.ceil(connections / PROCESSES)
    return f"python http.client, {PROCESSES} processes x {per} threads, GC off"


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def parse_wrk(text: str, duration: float) -> LoadResult:
    """Numbers from `wrk --latency` output."""
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", text)
    if not (p50 and p99 and total):
        raise RuntimeError(f"unexpected wrk output:\n{text}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors += int(bad.group(1)) if bad else 0
    seconds = _ms(total.group(2) + total.group(3)) / 1e3 or duration
    return LoadResult(int(total.group(1)), errors, seconds, _ms(p50.group(1)), _ms(p99.group(1)))


def run_wrk(
    port: int, path: str, headers: dict[str, str], duration: float, conns: int
) -> LoadResult:
    cmd = [
        "wrk",
        f"-t{PROCESSES}",
        f"-c{conns}",
        f"-d{max(1, round(duration))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://{HOST}:{port}{path}")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout, duration)


def _connection_loop(
    port: int, path: str, headers: dict[str, str], deadline: float, out: list
) -> None:
    """One connection's requests until `deadline`; appends latencies (s) or None for errors."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    while (start := time.perf_counter()) < deadline:
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status < 400
        except (OSError, http.client.HTTPException):
            conn.close()
            ok = False
        out.append(time.perf_counter() - start if ok else None)
    conn.close()


def _process(
    port: int,
    path: str,
    headers: dict[str, str],
    threads: int,
    begin: float,
    duration: float,
    queue: mp.Queue,
) -> None:
    gc.disable()  # a collection pause in the generator would show up as server latency
    time.sleep(max(0.0, begin - time.time()))
    deadline = time.perf_counter() + duration
    results: list[list] = [[] for _ in range(threads)]
    workers = [
        threading.Thread(target=_connection_loop, args=(port, path, headers, deadline, r))
        for r in results
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put([x for r in results for x in r])


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def run_python(
    port: int, path: str, headers: dict[str, str], duration: float, conns: int
) -> LoadResult:
    ctx = mp.get_context("fork")  # children only use http.client
    queue = ctx.Queue()
    begin = time.time() + 0.3  # all processes start their clocks together
    per = math.ceil(conns / PROCESSES)
    procs = [
        ctx.Process(target=_process, args=(port, path, headers, per, begin, duration, queue))
        for _ in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    samples = [x for _ in procs for x in queue.get(timeout=duration + 60)]
    for proc in procs:
        proc.join(timeout=10)
    ok = sorted(x for x in samples if x is not None)
    ms = [x * 1e3 for x in ok]
    return LoadResult(
        len(ok), len(samples) - len(ok), duration, percentile(ms, 0.5), percentile(ms, 0.99)
    )


def run(
    generator: str, port: int, path: str, headers: dict[str, str], duration: float, conns: int
) -> LoadResult:
    runner = run_wrk if generator == "wrk" else run_python
    return runner(port, path, headers, duration, conns)
