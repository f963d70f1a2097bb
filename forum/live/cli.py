"""`flask live prune`: the journal only has to outlive a dropped link, not forever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import delete

from forum.extensions import db
from forum.live.models import LiveEvent

live_cli = AppGroup("live", help="The live updates' journal.")


def prune(days: int, now: datetime | None = None) -> int:
    """Delete journal rows older than `days`: a client that was away longer reloads the
    page anyway (resume sends at most 200 events, then asks for a reload)."""
    cutoff = (now or datetime.now(UTC).replace(tzinfo=None)) - timedelta(days=days)
    result = db.session.execute(delete(LiveEvent).where(LiveEvent.created_at < cutoff))
    db.session.commit()
    return result.rowcount or 0


@live_cli.command("prune")
@click.option("--days", default=7, show_default=True, type=click.IntRange(min=1),
              help="Keep this many days of live events.")
def prune_command(days: int) -> None:
    click.echo(f"{prune(days)} live events older than {days} days removed.")
