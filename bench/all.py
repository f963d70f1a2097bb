"""`make bench`: every benchmark of bench/, then one table of the figures the issues set.

Runs pages.py (pages vs the bare route, SQL queries), weight.py (page weight, first and repeat
visit), search.py (query latency, indexing rate) and live.py (delivery latency) as they are,
each in its own process, and reads the Markdown table each prints. Sizes are smaller than
each script's default so the whole run takes about ten minutes; pass `--full` for the
defaults (the README's separate tables were made with those). Nothing is asserted: the
numbers are printed as measured, with the machine they ran on.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _machine  # noqa: E402

QUICK = {
    "pages.py": ["--sheets", "2000", "--duration", "5"],
    "weight.py": ["--sheets", "500"],
    "search.py": ["--docs", "10000", "--queries", "100", "--procs", "1"],
    "live.py": ["--clients", "1", "--clients", "100", "--clients", "1000"],
}


def run(script: str, args: list[str]) -> list[list[str]]:
    """The rows of the Markdown table the script prints (header and rule dropped)."""
    click.echo(f"running bench/{script} {' '.join(args)} ...", err=True)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        click.echo(done.stderr[-2000:], err=True)
        return []
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in done.stdout.splitlines() if line.startswith("|")]
    return [r for r in rows[1:] if not set("".join(r)) <= set("-: ")]


def page_target(page: str, who: str) -> str:
    """What issues 2 and 3 asked of this page."""
    if page.startswith("sheet"):
        return "≥ 25 % of bare, ≤ 6 queries" if who == "visitor" else "≥ 10 %, ≤ 6 queries"
    if page.startswith(("debate", "conference")):
        return "≥ 30 % of bare, ≤ 8 queries"
    return "≤ 6 queries"


def pages(rows: list[list[str]]) -> list[tuple[str, ...]]:
    return [("page", f"{page} ({who})", f"{ratio} of bare · {queries} queries · p50 {p50} ms",
             page_target(page, who))
            for page, who, _rps, p50, _p99, ratio, queries in (r[:7] for r in rows
                                                                if len(r) >= 7)
            if not page.startswith("bare")]


def weight(rows: list[list[str]]) -> list[tuple[str, ...]]:
    """One row per page: first / repeat visit for a visitor and for a logged-in person."""
    by_page: dict[str, list[str]] = {}
    for r in (r for r in rows if len(r) >= 6):
        by_page.setdefault(r[0], []).append(f"{r[1]} {r[4]} / {r[5]} KB")
    return [("weight, first / repeat visit", page, " · ".join(parts), "< 60 KB / < 15 KB")
            for page, parts in by_page.items()]


SEARCH_ROWS = ("bulk index", "1-word, steady", "3-word + country, steady")


def search(rows: list[list[str]]) -> list[tuple[str, ...]]:
    return [("search", f"{r[0]}: {r[1]}",
             r[2] if "index" in r[1] else f"p50 {r[2]} ms · p95 {r[3]} ms", "")
            for r in rows if len(r) >= 4 and r[1].startswith(SEARCH_ROWS)]


def live(rows: list[list[str]]) -> list[tuple[str, ...]]:
    return [("live", f"{r[0]}, {r[1]} clients", f"p50 {r[4]} ms · p99 {r[5]} ms · {r[3]} lost",
             "p99 < 1 s at 1,000 clients") for r in rows if len(r) >= 6]


@click.command()
@click.option("--full", is_flag=True, help="Each script's default sizes (much longer).")
@click.option("--only", multiple=True, type=click.Choice(list(QUICK)),
              help="Run only these scripts.")
def main(full: bool, only: tuple[str, ...]) -> None:
    busy = _machine.busy_percent()
    table: list[tuple[str, ...]] = []
    for script, shape in (("pages.py", pages), ("weight.py", weight), ("search.py", search),
                          ("live.py", live)):
        if not only or script in only:
            table += shape(run(script, [] if full else QUICK[script]))
    click.echo(f"\n{_machine.describe()}" + (f"; CPUs {busy:.0f} % busy before the run"
                                             if busy is not None else ""))
    click.echo("| area | what | measured | target |")
    click.echo("| --- | --- | --- | --- |")
    for row in table:
        click.echo("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
