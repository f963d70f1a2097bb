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


def pages(rows: list[list[str]]) -> list[tuple[str, ...]]:
    out = []
    for page, who, _rps, p50, _p99, ratio, queries in (r[:7] for r in rows if len(r) >= 7):
        if not page.startswith("bare"):
            out.append(("page", f"{page} ({who})", "% of the bare route · SQL queries",
                        f"{ratio} · {queries}", "sheet ≥ 25 % visitor / 10 % logged-in; "
                        "spaces ≥ 30 %; ≤ 6-8 queries"))
            out.append(("page", f"{page} ({who})", "p50 latency", f"{p50} ms", ""))
    return out


def weight(rows: list[list[str]]) -> list[tuple[str, ...]]:
    return [("weight", f"{r[0]} ({r[1]})", "first visit · repeat visit, gzipped",
             f"{r[4]} KB · {r[5]} KB", "< 60 KB · < 15 KB") for r in rows if len(r) >= 6]


def search(rows: list[list[str]]) -> list[tuple[str, ...]]:
    return [("search", r[0], r[1], f"{r[2]}" + (f" (p95 {r[3]} ms)" if r[3] not in ("", "—")
                                               else ""), "") for r in rows if len(r) >= 4]


def live(rows: list[list[str]]) -> list[tuple[str, ...]]:
    return [("live", f"{r[0]}, {r[1]} clients", "p50 · p99 delivery, lost",
             f"{r[4]} ms · {r[5]} ms, {r[3]} lost", "p99 < 1 s at 1,000 clients")
            for r in rows if len(r) >= 6]


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
    click.echo("| area | what | measure | value | target |")
    click.echo("| --- | --- | --- | ---: | --- |")
    for row in table:
        click.echo("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
