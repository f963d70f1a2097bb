"""A benchmark instance: SQLite database filled through the app's own services.

`prepare()` reuses an instance seeded earlier with the same number of sheets (its
`bench.json` says so) and otherwise seeds a fresh one.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import click
from sqlalchemy.orm import Session

from bench._app import bench_app
from bench._text import ficha_data, markdown
from forum.accounts import services as accounts
from forum.accounts.models import Role, User
from forum.core import vocab
from forum.extensions import db
from forum.fichas import services as fichas
from forum.spaces import posting
from forum.spaces import services as spaces

META = "bench.json"
META_VERSION = 5  # bump when the seeded content changes: older instances are re-seeded
PEOPLE = 50  # the last one is the reader: a participant who owns and co-edits nothing
REVISIONS = 10
POSITIONS = 200
QUESTIONS = 300
COMMIT_EVERY = 500
PASSWORD = "clave-de-bench-2026"
SEED = 20260


@dataclass(frozen=True)
class Seeded:
    """What the benchmark needs to know about a seeded instance."""

    version: int
    sheets: int
    sheet_id: int  # the sheet with REVISIONS versions
    reader_email: str  # a participant with no sheets: the usual logged-in visitor
    owner_email: str  # a participant who owns that sheet (sees its editing tools)
    password: str
    seed_seconds: float
    debate_id: int = 0  # a debate table with POSITIONS positions
    conference_id: int = 0  # a conference with QUESTIONS questions


def _load_meta(meta: Path) -> Seeded | None:
    try:
        found = Seeded(**json.loads(meta.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return found if found.version == META_VERSION else None


def prepare(instance: Path, sheets: int) -> Seeded:
    meta = instance / META
    found = _load_meta(meta)
    if found and found.sheets == sheets:
        click.echo(f"Reusing seeded instance {instance} ({sheets} sheets).")
        return found
    if meta.exists():
        click.echo(f"{instance} holds another seeding than {sheets} sheets: seeding again.")
    for name in ("forum.db", "forum.db-wal", "forum.db-shm", META):
        (instance / name).unlink(missing_ok=True)
    seeded = seed(instance, sheets)
    meta.write_text(json.dumps(asdict(seeded), indent=2))
    return seeded


def make_people(session: Session, rng: random.Random) -> list[User]:
    people = []
    for n in range(PEOPLE):
        people.append(
            accounts.register(
                session,
                email=f"persona{n}@bench.foro",
                name=f"Persona {n} {rng.choice(['Quispe', 'Mamani', 'Rojas', 'Silva', 'Pérez'])}",
                password=PASSWORD,
                country=rng.choice(vocab.COUNTRY_CODES[:26]),
                organisation=f"Municipio de {rng.choice(['Taraco', 'Pasto', 'Sucre', 'Ocotal'])}",
                role=Role.FACILITATOR if n == PEOPLE - 2 else Role.PARTICIPANT,
            )
        )
    session.commit()
    return people


def make_sheets(session: Session, people: list[User], sheets: int, rng: random.Random) -> None:
    with click.progressbar(length=sheets, label="Seeding sheets", show_pos=True) as bar:
        for n in range(1, sheets + 1):
            fichas.create_ficha(session, rng.choice(people), ficha_data(rng))
            if n % COMMIT_EVERY == 0:
                session.commit()
                bar.update(COMMIT_EVERY)
        session.commit()
        bar.update(sheets % COMMIT_EVERY)


def make_revised(session: Session, owner: User, rng: random.Random) -> int:
    """One sheet with REVISIONS versions and two co-editors."""
    ficha = fichas.create_ficha(session, owner, ficha_data(rng))
    for email in ("persona1@bench.foro", "persona2@bench.foro"):
        fichas.add_editor(session, owner, ficha.id, email)
    fields = ("problem", "strategy", "results", "lessons", "benefits", "keys")
    for n in range(2, REVISIONS + 1):
        data = ficha.values() | {fields[n % len(fields)]: markdown(rng, 60)}
        fichas.revise_ficha(
            session, owner, ficha.id, data, base_version=ficha.version, edit_summary=f"Versión {n}"
        )
    session.commit()
    return ficha.id


def make_spaces(session: Session, people: list[User], rng: random.Random) -> tuple[int, int]:
    """A debate table with POSITIONS positions (one per person) and a conference with
    QUESTIONS questions, written through the real use cases."""
    facilitator = accounts.register(session, email="facilita@bench.foro", name="Facilitadora",
                                    password=PASSWORD, role=Role.FACILITATOR)
    debaters = [accounts.register(session, email=f"debate{n}@bench.foro", name=f"Debate {n}",
                                  password=PASSWORD, country=rng.choice(vocab.COUNTRY_CODES[:12]))
                for n in range(POSITIONS)]
    debate = spaces.create_space(session, facilitator, {"kind": "debate", "title": "Mesa"})
    conference = spaces.create_space(session, facilitator, {"kind": "conference",
                                                           "title": "Conferencia"})
    with click.progressbar(length=POSITIONS + QUESTIONS, label="spaces") as bar:
        for person in debaters:
            posting.post_root(session, person, debate.id, {
                "stance": rng.choice(["for", "against", "nuanced"]), "body": markdown(rng, 60)})
            bar.update(1)
        for n in range(QUESTIONS):
            # by everyone but the reader, who is measured as a participant with nothing here
            posting.post_root(session, people[n % (len(people) - 1)], conference.id,
                              {"body": markdown(rng, 40)})
            bar.update(1)
    session.commit()
    return debate.id, conference.id


def seed(instance: Path, sheets: int) -> Seeded:
    started = time.perf_counter()
    app = bench_app(instance)
    accounts.password_method = "pbkdf2:sha256:1000"  # after create_app, which resets it
    rng = random.Random(SEED)
    with app.app_context():
        db.create_all()
        people = make_people(db.session, rng)
        owner_email, reader_email = people[0].email, people[-1].email
        make_sheets(db.session, people[:-1], max(sheets - 1, 0), rng)
        sheet_id = make_revised(db.session, people[0], rng)
        debate_id, conference_id = make_spaces(db.session, people, rng)
        db.session.remove()
        db.engine.dispose()
    seconds = round(time.perf_counter() - started, 1)
    click.echo(f"Seeded {sheets} sheets and {PEOPLE} people in {seconds} s.")
    return Seeded(META_VERSION, sheets, sheet_id, reader_email, owner_email, PASSWORD, seconds,
                  debate_id, conference_id)
