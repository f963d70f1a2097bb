"""Page benchmark: requests/s, p50 and p99 of the main pages under gunicorn, next to
the bare-route ceiling served by the same server, plus SQL statements per page.

    .venv/bin/python bench/pages.py                       # 10,000 sheets, 10 s per run
    .venv/bin/python bench/pages.py --keep /tmp/bench-instance   # seed once, reuse later

Steps: seed a throwaway instance (SQLite, the app's own services), count the queries
of each page in-process, start `gunicorn -w 2 -k sync`, log in through the real form
(CSRF on), load each page for visitors and for a logged-in participant, print one table.
Only 127.0.0.1 is contacted. The numbers are printed as measured; nothing is asserted.
"""

from __future__ import annotations

import http.client
import os
import platform
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/pages.py` puts bench/, not the project, first
    sys.path.insert(0, str(ROOT))

from bench import _load, _login, _queries, _seed, _server  # noqa: E402
from bench._app import db_url  # noqa: E402

WHO = ("visitor", "logged-in")
WARMUP_REQUESTS = 30
TARGETS = {"visitor": 25.0, "logged-in": 10.0}
MAX_QUERIES = 6


@dataclass(frozen=True)
class Page:
    label: str
    path: str


@dataclass(frozen=True)
class Row:
    page: Page
    who: str
    result: _load.LoadResult
    queries: int


def pages_for(seeded: _seed.Seeded) -> list[Page]:
    return [
        Page("bare", "/_bare"),
        Page("home", "/"),
        Page("list", "/fichas/"),
        Page(f"sheet ({_seed.REVISIONS} revisions)", f"/fichas/{seeded.sheet_id}"),
    ]


def list_sizes() -> list[str]:
    return ["/fichas/?per_page=20", "/fichas/?per_page=100"]


def headers_for(who: str, cookie: str) -> dict[str, str]:
    headers = {"User-Agent": _login.USER_AGENT}
    if who == "logged-in":
        headers["Cookie"] = f"{_login.COOKIE}={cookie}"
    return headers


def probe(port: int, path: str, headers: dict[str, str]) -> tuple[int, str, bool]:
    """(status, body, response sets a cookie) of one request."""
    conn = http.client.HTTPConnection(_server.HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, body, bool(response.headers.get_all("Set-Cookie"))
    finally:
        conn.close()


def warm_up(port: int, path: str, headers: dict[str, str]) -> bool:
    """Enough requests for both workers to render the page once; True if it sets cookies."""
    sets_cookie = False
    for _ in range(WARMUP_REQUESTS):
        status, _body, cookie = probe(port, path, headers)
        if status != 200:
            raise click.ClickException(f"GET {path} answered {status}")
        sets_cookie = sets_cookie or cookie
    return sets_cookie


def check_logged_in(port: int, cookie: str) -> None:
    _status, body, _ = probe(port, "/", headers_for("logged-in", cookie))
    if 'action="/salir"' not in body:
        raise click.ClickException("the session cookie does not log in: no log-out form on /")


def measure(
    port: int, pages: list[Page], cookie: str, options: dict, counts: dict
) -> tuple[list[Row], list[str]]:
    rows, notes = [], []
    for page in pages:
        for who in WHO:
            headers = headers_for(who, cookie)
            if warm_up(port, page.path, headers):
                notes.append(f"{page.path} ({who}) answers with Set-Cookie")
            result = _load.run(
                options["generator"],
                port,
                page.path,
                headers,
                options["duration"],
                options["connections"],
            )
            click.echo(
                f"  {page.path:<14} {who:<9} {result.rps:8.0f} req/s  "
                f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms"
            )
            if result.errors:
                notes.append(f"{page.path} ({who}): {result.errors} errors")
            rows.append(Row(page, who, result, counts[(page.path, who)].queries))
    return rows, notes


def table(rows: list[Row]) -> list[str]:
    bare = {r.who: r.result.rps for r in rows if r.page.path == "/_bare"}
    lines = [
        "| page | who | req/s | p50 ms | p99 ms | % of bare | SQL queries |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        share = 100 * r.result.rps / bare[r.who] if bare.get(r.who) else float("nan")
        lines.append(
            f"| {r.page.label} `{r.page.path}` | {r.who} | {r.result.rps:,.0f} | "
            f"{r.result.p50_ms:.1f} | {r.result.p99_ms:.1f} | {share:.0f} % | {r.queries} |"
        )
    return lines


def targets(rows: list[Row]) -> list[str]:
    bare = {r.who: r.result.rps for r in rows if r.page.path == "/_bare"}
    sheet = {r.who: r.result.rps for r in rows if r.page.label.startswith("sheet")}
    lines = []
    for who, goal in TARGETS.items():
        share = 100 * sheet[who] / bare[who] if bare.get(who) else float("nan")
        verdict = "met" if share >= goal else "NOT met"
        lines.append(f"sheet page, {who}: >= {goal:.0f} % of bare -> {share:.0f} % ({verdict})")
    most = max(r.queries for r in rows)
    verdict = "met" if most <= MAX_QUERIES else "NOT met"
    lines.append(f"SQL queries per page: <= {MAX_QUERIES} -> at most {most} ({verdict})")
    return lines


def query_lines(counts: dict, pages: list[Page]) -> list[str]:
    sizes = list_sizes()
    per_page = ", ".join(
        f"{path.split('=')[1]}/page: {counts[(path, 'visitor')].queries} visitor, "
        f"{counts[(path, 'logged-in')].queries} logged-in"
        for path in sizes
    )
    kib = ", ".join(
        f"{p.path} {counts[(p.path, 'visitor')].kib:.1f}/{counts[(p.path, 'logged-in')].kib:.1f}"
        for p in pages
    )
    return [
        f"list page SQL queries by page size: {per_page}",
        f"page KiB (visitor/logged-in): {kib}",
    ]


def machine_line(options: dict, sheets: int) -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"machine: nproc={cpus}, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}; "
        f"load generator: {_load.describe(options['generator'], options['connections'])}; "
        f"server: gunicorn -w {options['workers']} -k sync (same host); SQLite, {sheets} sheets, "
        f"{options['duration']:g} s per run"
    )


def translations_note() -> str | None:
    mo = list((ROOT / "forum" / "translations").glob("*/LC_MESSAGES/messages.mo"))
    if mo:
        return None
    return "message catalogues are not compiled (make translations): pages rendered untranslated"


def report(
    rows: list[Row], notes: list[str], counts: dict, pages: list[Page], options: dict, sheets: int
) -> None:
    click.echo("")
    for line in table(rows):
        click.echo(line)
    click.echo("")
    click.echo(machine_line(options, sheets))
    click.echo("targets from the issue:")
    for line in targets(rows):
        click.echo(f"  {line}")
    for line in query_lines(counts, pages):
        click.echo(line)
    for note in notes:
        click.echo(f"note: {note}")


def choose_generator(wanted: str) -> str:
    if wanted == "auto":
        return "wrk" if _load.wrk_path() else "python"
    if wanted == "wrk" and not _load.wrk_path():
        raise click.ClickException("wrk is not installed (apt-get install -y wrk)")
    return wanted


def run_bench(instance: Path, sheets: int, options: dict) -> None:
    seeded = _seed.prepare(instance, sheets)
    pages = pages_for(seeded)
    click.echo("Counting SQL queries in-process...")
    counts = _queries.count_pages(instance, seeded, [p.path for p in pages] + list_sizes())
    click.echo(f"Load generator: {_load.describe(options['generator'], options['connections'])}")
    with _server.serve(instance, db_url(instance), options["workers"]) as port:
        cookie = _login.server_login(_server.HOST, port, seeded.email, seeded.password)
        check_logged_in(port, cookie)
        rows, notes = measure(port, pages, cookie, options, counts)
    note = translations_note()
    report(rows, notes + ([note] if note else []), counts, pages, options, sheets)


@click.command()
@click.option("--sheets", default=10_000, show_default=True, type=click.IntRange(1, 200_000))
@click.option(
    "--duration",
    default=10.0,
    show_default=True,
    type=click.FloatRange(1, 600),
    help="Seconds of load per page and person.",
)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32))
@click.option("--connections", default=16, show_default=True, type=click.IntRange(1, 256))
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Instance folder to keep and reuse (seeding 10,000 sheets takes minutes).",
)
@click.option(
    "--generator",
    type=click.Choice(["auto", "wrk", "python"]),
    default="auto",
    show_default=True,
    help="auto: wrk if installed, else the Python generator.",
)
def main(
    sheets: int, duration: int, workers: int, connections: int, keep: Path | None, generator: str
) -> None:
    """Benchmark the home, list and sheet pages against the bare-route ceiling."""
    options = {
        "duration": duration,
        "workers": workers,
        "connections": connections,
        "generator": choose_generator(generator),
    }
    instance = keep.resolve() if keep else Path(tempfile.mkdtemp(prefix="forum-bench-"))
    instance.mkdir(parents=True, exist_ok=True)
    try:
        run_bench(instance, sheets, options)
    finally:
        if keep is None:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
