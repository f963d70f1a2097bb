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
import importlib.metadata
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/pages.py` puts bench/, not the project, first
    sys.path.insert(0, str(ROOT))

from bench import _load, _login, _machine, _queries, _seed, _server  # noqa: E402
from bench._app import db_url  # noqa: E402

WARMUP_REQUESTS = 30
TARGETS = {"visitor": 25.0, "logged-in": 10.0}  # sheet page, % of the bare route
MAX_QUERIES = 6  # sheet, home and list pages
SPACE_TARGET = 30  # debate and conference pages, % of the bare route (at most 8 queries)
BUSY_WARNING = 15.0  # % CPU used by others before the run that makes numbers suspect
BARE_FOR = {"visitor": "visitor", "logged-in": "logged-in", "owner": "logged-in"}
WHO_LABEL = {"visitor": "visitor", "logged-in": "logged-in", "owner": "logged-in, owner"}


@dataclass(frozen=True)
class Page:
    label: str
    path: str


@dataclass(frozen=True)
class Run:
    page: Page
    who: str  # visitor | logged-in (a participant with no sheets) | owner (of this sheet)


@dataclass(frozen=True)
class Row:
    run: Run
    result: _load.LoadResult
    queries: int


def runs_for(seeded: _seed.Seeded) -> list[Run]:
    bare, home, listing = Page("bare", "/_bare"), Page("home", "/"), Page("list", "/fichas/")
    sheet = Page(f"sheet, {_seed.REVISIONS} revisions", f"/fichas/{seeded.sheet_id}")
    debate = Page(f"debate, {_seed.POSITIONS} positions", f"/espacios/{seeded.debate_id}")
    conference = Page(f"conference, {_seed.QUESTIONS} questions",
                      f"/espacios/{seeded.conference_id}")
    panorama = Page("panorama", "/panorama/")
    pages = (bare, home, listing, sheet, debate, conference, panorama)
    runs = [Run(page, who) for page in pages for who in TARGETS]
    return [*runs, Run(sheet, "owner")]


def logins_for(seeded: _seed.Seeded) -> dict[str, str | None]:
    return {"visitor": None, "logged-in": seeded.reader_email, "owner": seeded.owner_email}


def list_sizes() -> list[tuple[str, str]]:
    paths = ["/fichas/?per_page=20", "/fichas/?per_page=100"]
    return [(path, who) for path in paths for who in TARGETS]


def headers_for(who: str, cookies: dict[str, str]) -> dict[str, str]:
    headers = {"User-Agent": _login.USER_AGENT}
    if who in cookies:
        headers["Cookie"] = f"{_login.COOKIE}={cookies[who]}"
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


def log_in_all(port: int, seeded: _seed.Seeded) -> dict[str, str]:
    """who -> session cookie, each checked to really log in."""
    cookies = {}
    for who, email in logins_for(seeded).items():
        if email:
            cookies[who] = _login.server_login(_server.HOST, port, email, seeded.password)
            _status, body, _ = probe(port, "/", headers_for(who, cookies))
            if 'action="/salir"' not in body:
                raise click.ClickException(f"the {who} cookie does not log in (no log-out form)")
    return cookies


def measure_one(port: int, run: Run, cookies: dict[str, str], options: dict) -> tuple:
    headers = headers_for(run.who, cookies)
    sets_cookie = warm_up(port, run.page.path, headers)
    result = _load.run(
        options["generator"],
        port,
        run.page.path,
        headers,
        options["duration"],
        options["connections"],
    )
    click.echo(
        f"  {run.page.path:<14} {run.who:<9} {result.rps:8.0f} req/s  "
        f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms"
    )
    return result, sets_cookie


def measure(
    port: int, runs: list[Run], cookies: dict[str, str], options: dict, counts: dict
) -> tuple[list[Row], list[str]]:
    rows, notes = [], []
    for run in runs:
        result, sets_cookie = measure_one(port, run, cookies, options)
        if sets_cookie:
            notes.append(f"{run.page.path} ({run.who}) answers with Set-Cookie")
        if result.errors:
            notes.append(f"{run.page.path} ({run.who}): {result.errors} errors")
        rows.append(Row(run, result, counts[(run.page.path, run.who)].queries))
    return rows, notes


def _bare_rps(rows: list[Row]) -> dict[str, float]:
    return {r.run.who: r.result.rps for r in rows if r.run.page.path == "/_bare"}


def share_of_bare(rows: list[Row], row: Row) -> float:
    bare = _bare_rps(rows).get(BARE_FOR[row.run.who])
    return 100 * row.result.rps / bare if bare else float("nan")


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| page | who | req/s | p50 ms | p99 ms | % of bare | SQL queries |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.run.page.label} `{r.run.page.path}` | {WHO_LABEL[r.run.who]} | "
            f"{r.result.rps:,.0f} | {r.result.p50_ms:.1f} | {r.result.p99_ms:.1f} | "
            f"{share_of_bare(rows, r):.0f} % | {r.queries} |"
        )
    return lines


def targets(rows: list[Row]) -> list[str]:
    lines = []
    for r in rows:
        if r.run.page.label.startswith("sheet") and r.run.who in TARGETS:
            goal, share = TARGETS[r.run.who], share_of_bare(rows, r)
            verdict = "met" if share >= goal else "NOT met"
            lines.append(
                f"sheet page, {r.run.who}: >= {goal:.0f} % of bare -> {share:.0f} % ({verdict})"
            )
    for r in rows:
        if r.run.page.label.startswith(("debate", "conference")):
            share = share_of_bare(rows, r)
            verdict = "met" if share >= SPACE_TARGET else "NOT met"
            lines.append(f"{r.run.page.label}, {r.run.who}: >= {SPACE_TARGET} % of bare -> "
                         f"{share:.0f} % ({verdict}); queries {r.queries} (<= 8)")
    most = max(r.queries for r in rows if not r.run.page.label.startswith(("debate", "conf")))
    verdict = "met" if most <= MAX_QUERIES else "NOT met"
    lines.append(f"SQL queries per page: <= {MAX_QUERIES} -> at most {most} ({verdict})")
    return lines


def query_lines(counts: dict, runs: list[Run]) -> list[str]:
    per_page = ", ".join(
        f"{path.split('=')[1]}/page {who}: {counts[(path, who)].queries}"
        for path, who in list_sizes()
    )
    kib = ", ".join(f"{r.page.path} {r.who} {counts[(r.page.path, r.who)].kib:.1f}" for r in runs)
    return [f"list page SQL queries by page size: {per_page}", f"page KiB: {kib}"]


def machine_line(options: dict, sheets: int) -> str:
    return (
        f"machine: {_machine.describe()}; "
        f"load generator: {_load.describe(options['generator'], options['connections'])}; "
        f"server: gunicorn {gunicorn_version()} -w {options['workers']} -k sync on the same "
        f"host; SQLite, {sheets} sheets, {options['duration']} s per run"
    )


def gunicorn_version() -> str:
    try:
        return importlib.metadata.version("gunicorn")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def translations_note() -> str | None:
    mo = list((ROOT / "forum" / "translations").glob("*/LC_MESSAGES/messages.mo"))
    if mo:
        return None
    return "message catalogues are not compiled (make translations): pages rendered untranslated"


def status_notes(counts: dict) -> list[str]:
    return [
        f"in-process GET {path} ({who}) answered {c.status}"
        for (path, who), c in counts.items()
        if c.status != 200
    ]


def crash_notes(instance: Path) -> list[str]:
    problems = _server.worker_problems(_server.log_path(instance))
    if not problems:
        return []
    return [f"gunicorn log: {len(problems)} worker problems, first: {problems[0].strip()}"]


def busy_note(when: str) -> str | None:
    busy = _machine.busy_percent()
    if busy is None or busy < BUSY_WARNING:
        return None
    return f"CPUs {busy:.0f} % busy with other work {when}: these numbers are depressed"


def report(
    rows: list[Row], notes: list[str], counts: dict, runs: list[Run], options: dict, sheets: int
) -> None:
    click.echo("")
    for line in table(rows):
        click.echo(line)
    click.echo("")
    click.echo(machine_line(options, sheets))
    click.echo("targets from the issue:")
    for line in targets(rows):
        click.echo(f"  {line}")
    for line in query_lines(counts, runs):
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
    runs = runs_for(seeded)
    click.echo("Counting SQL queries in-process...")
    wanted = [(r.page.path, r.who) for r in runs] + list_sizes()
    counts = _queries.count_pages(instance, seeded.password, logins_for(seeded), wanted)
    click.echo(f"Load generator: {_load.describe(options['generator'], options['connections'])}")
    with _server.serve(instance, db_url(instance), options["workers"]) as port:
        cookies = log_in_all(port, seeded)
        notes = [busy_note("before the run")]
        rows, run_notes = measure(port, runs, cookies, options, counts)
    notes += [*run_notes, busy_note("right after the run"), translations_note()]
    notes += status_notes(counts) + crash_notes(instance)
    report(rows, [n for n in notes if n], counts, runs, options, sheets)


@click.command()
@click.option("--sheets", default=10_000, show_default=True, type=click.IntRange(1, 200_000))
@click.option(
    "--duration",
    default=10,
    show_default=True,
    type=click.IntRange(1, 600),
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
