"""`flask` commands: users, sheets import/export, demo content, search index."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from forum import demo, demo_spaces
from forum.accounts import services as accounts
from forum.accounts.models import Role, User
from forum.contests import demo as contests_demo
from forum.core.errors import Invalid
from forum.extensions import db
from forum.fichas import exchange, queries
from forum.library import demo as library_demo
from forum.search.cli import search_cli

users = AppGroup("users", help="Manage people.")
fichas = AppGroup("fichas", help="Import and export experience sheets.")
demo_cli = AppGroup("demo", help="Demo content.")


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


@users.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default="participant")
@click.option("--country", default="")
@click.option("--organisation", default="")
@click.option("--token", is_flag=True, help="Also create and print a personal API token.")
def create_user(
    email: str, name: str, password: str, role: str, country: str, organisation: str, token: bool
) -> None:
    try:
        user = accounts.register(
            db.session,
            email=email,
            name=name,
            password=password,
            country=country,
            organisation=organisation,
            role=Role(role),
        )
    except Invalid as exc:
        db.session.rollback()
        _fail("\n".join(f"{k}: {v}" for k, v in exc.fields.items()))
    secret = accounts.create_token(db.session, user, "cli")[1] if token else None
    db.session.commit()
    click.echo(f"created {user.email} ({user.role}) id={user.id}")
    if secret:
        click.echo(secret)


def _owner(email: str | None) -> User:
    if email:
        user = accounts.find_by_email(db.session, email)
    else:
        user = db.session.scalar(
            db.select(User).where(User.role.in_(["admin", "facilitator"])).order_by(User.id)
        )
    if user is None:
        _fail("no such owner: create one with `flask users create` or pass --owner EMAIL")
    return user


@fichas.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--owner", help="E-mail of the person who will own the sheets.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid records, skip the rest.")
def import_fichas(file: Path, owner: str | None, skip_invalid: bool) -> None:
    try:
        records = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(f"{file}: not valid JSON ({exc})")
    person = _owner(owner)
    report = exchange.validate_records(records)
    if not isinstance(records, list):  # a problem with the whole file, whatever the flags
        _fail(f"{file}: expected a JSON array of sheets")
    for index, name, reason in report.problems:
        click.secho(f"record {index}: {name}: {reason}", fg="yellow", err=True)
    if not report.ok and not skip_invalid:
        _fail(f"nothing imported: {len(report.problems)} problem(s); fix them or --skip-invalid")
    with click.progressbar(length=len(records), label="importing", file=sys.stderr) as bar:
        report = exchange.import_records(
            db.session, person, records, skip_invalid=True, progress=bar.update
        )
    db.session.commit()
    click.echo(
        f"imported {len(report.created)} sheet(s), skipped "
        f"{len({i for i, _n, _r in report.problems})}"
    )


@fichas.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_fichas(file: Path) -> None:
    filters = queries.FichaFilters()
    total = queries.list_fichas(db.session, None, filters).total
    with (
        file.open("w", encoding="utf-8") as out,
        click.progressbar(length=total, label="exporting", file=sys.stderr) as bar,
    ):
        for chunk in exchange.json_chunks(queries.iter_fichas(db.session, None, filters)):
            out.write(chunk)
            bar.update(1)
    click.echo(f"exported {total} sheet(s) to {file}")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when people already exist.")
def load_demo(if_empty: bool) -> None:
    if not demo.is_empty(db.session):
        if if_empty:
            click.echo("database has content: demo not loaded")
            return
        _fail("the database already has people; demo content goes into an empty database")
    with click.progressbar(
        length=demo.count(), label="demo sheets", file=sys.stderr
    ) as bar:
        counts = demo.load(db.session, progress=bar.update)
    counts |= demo_spaces.load(db.session)
    with click.progressbar(length=library_demo.count(), label="demo library",
                           file=sys.stderr) as bar:  # recommends on demo_spaces' spaces
        counts["guides"] = library_demo.load(db.session, progress=bar.update)
    with click.progressbar(length=contests_demo.count(), label="demo contest",
                           file=sys.stderr) as bar:  # judges a call demo_spaces made
        counts["contest_sheets"] = contests_demo.load(db.session, progress=bar.update)
    db.session.commit()
    click.echo(f"demo loaded: {counts['people']} people, {counts['fichas']} sheets, "
               f"{counts['spaces']} spaces")


def register(app: Flask) -> None:
    for group in (users, fichas, demo_cli, search_cli):
        app.cli.add_command(group)
