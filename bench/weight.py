"""Page weight: bytes a person's phone downloads for each main page, compressed.

First visit: the HTML and every style sheet, script and font the page links (each gzipped
at level 6, what nginx's `gzip on` sends; headers not counted). Repeat visit: the same page
opened again with the browser's cache: the page is asked with its ETag (a 304 costs no
body) or sent again when it is personal; an asset costs nothing when its URL is versioned
and `immutable`, a 304 otherwise. Runs in-process (Flask test client) on the bench seeding.
Targets (issue 6): under 60 KB first visit, under 15 KB repeat visit.

    .venv/bin/python bench/weight.py [--sheets 500] [--keep DIR]
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _seed  # noqa: E402
from bench._app import bench_app  # noqa: E402
from bench._login import USER_AGENT, client_login  # noqa: E402

ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')
FONT = re.compile(r"url\(['\"]?([^'\")]+)['\"]?\)")
FIRST_TARGET, REPEAT_TARGET = 60 * 1024, 15 * 1024


@dataclass
class Weight:
    page: str
    who: str
    html: int  # compressed bytes of the HTML
    assets: int  # compressed bytes of what it links
    repeat: int  # bytes of bodies on a repeat visit

    @property
    def first(self) -> int:
        return self.html + self.assets


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def measure(client, path: str, who: str, label: str) -> Weight:  # noqa: ANN001
    headers = {"User-Agent": USER_AGENT}
    page = client.get(path, headers=headers)
    if page.status_code != 200:
        raise RuntimeError(f"{path}: {page.status_code}")
    html = page.get_data()
    assets, repeat = 0, 0
    for url in ASSET.findall(html.decode()):
        with client.get(url.replace("&amp;", "&"), headers=headers) as asset:
            body = asset.get_data()
            assets += gz(body)
            cache = asset.headers.get("Cache-Control", "")
            etag = asset.headers.get("ETag")
        if "immutable" not in cache:  # revalidated: a 304 when unchanged, else the file again
            with client.get(url, headers={**headers, "If-None-Match": etag or ""}) as again:
                repeat += gz(again.get_data()) if again.status_code == 200 else 0
        if url.split("?")[0].endswith(".css"):
            for font in FONT.findall(body.decode(errors="replace")):
                if not font.startswith("data:"):
                    with client.get(font, headers=headers) as f:
                        assets += gz(f.get_data())
    etag = page.headers.get("ETag")
    again = client.get(path, headers={**headers, "If-None-Match": etag or ""})
    repeat += gz(again.get_data()) if again.status_code == 200 else 0
    return Weight(label, who, gz(html), assets, repeat)


@click.command()
@click.option("--sheets", default=500, show_default=True, help="Sheets to seed.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Instance folder to seed once and reuse.")
def main(sheets: int, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        instance = keep or Path(tmp)
        instance.mkdir(parents=True, exist_ok=True)
        seeded = _seed.prepare(instance, sheets)
        app = bench_app(instance)
        pages = [("home", "/"), ("sheet list", "/fichas/"),
                 (f"sheet, {_seed.REVISIONS} revisions", f"/fichas/{seeded.sheet_id}"),
                 (f"debate, {_seed.POSITIONS} positions", f"/espacios/{seeded.debate_id}"),
                 (f"conference, {_seed.QUESTIONS} questions",
                  f"/espacios/{seeded.conference_id}"),
                 ("search", "/buscar/?q=agua"), ("panorama", "/panorama/")]
        rows = []
        with app.app_context():
            visitor = app.test_client()
            rows += [measure(visitor, path, "visitor", label) for label, path in pages]
            person = app.test_client()
            client_login(person, seeded.reader_email, seeded.password)
            rows += [measure(person, path, "logged-in", label) for label, path in pages]
        print_table(rows)


def print_table(rows: list[Weight]) -> None:
    kb = lambda n: f"{n / 1024:.1f}"  # noqa: E731
    click.echo("| page | who | HTML KB | linked KB | first visit KB | repeat visit KB |")
    click.echo("| --- | --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        click.echo(f"| {r.page} | {r.who} | {kb(r.html)} | {kb(r.assets)} | {kb(r.first)} | "
                   f"{kb(r.repeat)} |")
    worst_first = max(rows, key=lambda r: r.first)
    worst_repeat = max(rows, key=lambda r: r.repeat)
    click.echo(f"heaviest first visit: {worst_first.page} ({worst_first.who}) "
               f"{kb(worst_first.first)} KB (target < 60: "
               f"{'met' if worst_first.first < FIRST_TARGET else 'NOT met'}); heaviest repeat "
               f"visit: {worst_repeat.page} ({worst_repeat.who}) {kb(worst_repeat.repeat)} KB "
               f"(target < 15: {'met' if worst_repeat.repeat < REPEAT_TARGET else 'NOT met'})")


if __name__ == "__main__":
    main()
