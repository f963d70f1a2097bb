"""`flask search reindex | check [--repair]`: rebuild the index, or find and fix gaps."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from forum.extensions import db
from forum.search import documents, indexing

search_cli = AppGroup("search", help="Full-text search index.")


def _engine():  # noqa: ANN202
    return current_app.extensions["forum.search"]


@search_cli.command("reindex")
@click.option("--procs", type=int, default=None,
              help="Processes writing the whoosh index (default SEARCH_REINDEX_PROCS).")
def reindex(procs: int | None) -> None:
    """Rebuild the whole index from the database (searches keep working meanwhile)."""
    engine = _engine()
    if procs is not None and hasattr(engine.backend, "procs"):
        engine.backend.procs = max(1, procs)
    total = documents.count_all(db.session)
    with click.progressbar(length=total, label="indexing", file=sys.stderr) as bar:
        count = indexing.rebuild(db.session, engine.indexer, progress=bar.update)
    engine.indexer.drain_all()  # what changed while we were rebuilding
    click.echo(f"indexed {count} document(s) with the {engine.backend.name} backend")


@search_cli.command("check")
@click.option("--repair", is_flag=True, help="Rewrite what is missing or stale, drop orphans.")
def check(repair: bool) -> None:
    """Compare the index with the database; exit status 1 if they differ."""
    engine = _engine()
    total = documents.count_all(db.session)
    with click.progressbar(length=total, label="checking", file=sys.stderr) as bar:
        report = indexing.check(db.session, engine.backend, progress=bar.update)
    click.echo(f"documents in the database: {report.in_database}, in the index: "
               f"{report.in_index} ({engine.backend.name})")
    for label, keys in (("missing", report.missing), ("stale", report.stale),
                        ("orphans", report.orphans)):
        shown = ", ".join(keys[:20]) + (" ..." if len(keys) > 20 else "")
        click.echo(f"{label}: {len(keys)}" + (f" ({shown})" if keys else ""))
    click.echo(f"pending: {report.pending}")
    if report.ok:
        click.echo("the index matches the database")
        return
    if not repair:
        sys.exit(1)
    queued = indexing.repair(db.session, engine.backend, report)
    result = engine.indexer.drain_all()
    if result.failed:
        click.secho(f"repair failed: {result.failed}", fg="red", err=True)
        sys.exit(1)
    click.echo(f"repaired: {queued} document(s), {result.rows} pending change(s) written")
