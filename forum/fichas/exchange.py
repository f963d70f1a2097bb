"""The sheet's JSON shape (API, import, export) and CSV rows for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.core.errors import Invalid
from forum.fichas import schema, services
from forum.fichas.completeness import assess
from forum.fichas.models import Ficha


def person_json(user: User) -> dict[str, Any]:
    """What the API says about a person: never the e-mail."""
    return {
        "id": user.id,
        "name": user.display_name,
        "country": user.country,
        "organisation": user.organisation,
    }


def ficha_json(ficha: Ficha) -> dict[str, Any]:
    values = ficha.values()
    guide = assess(values)
    return {
        "id": ficha.id,
        **values,
        "version": ficha.version,
        "owner": person_json(ficha.owner),
        "editors": [person_json(e) for e in ficha.editors],
        "attachments": [
            {"id": a.id, "name": a.display_name, "kind": a.kind, "size": a.size}
            for a in ficha.attachments
        ],
        "completeness": {
            "score": guide.score,
            "missing": [g.field for g in guide.gaps if g.level == "missing"],
            "thin": [g.field for g in guide.gaps if g.level == "thin"],
        },
        "created_at": ficha.created_at.isoformat() + "Z",
        "updated_at": ficha.updated_at.isoformat() + "Z",
    }


def json_chunks(fichas: Iterable[Ficha]) -> Iterator[str]:
    """A JSON array written sheet by sheet, so exporting thousands stays light."""
    yield "["
    for i, ficha in enumerate(fichas):
        yield ("," if i else "") + "\n" + json.dumps(ficha_json(ficha), ensure_ascii=False)
    yield "\n]\n"


CSV_COLUMNS = ("id", *(f.name for f in schema.FIELDS), "version", "completeness", "updated_at")


def csv_lines(fichas: Iterable[Ficha]) -> Iterator[str]:
    """CSV with a BOM so spreadsheet programs open accents right; lists joined with ';'."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buf.getvalue()
    for ficha in fichas:
        buf.seek(0)
        buf.truncate()
        values = ficha.values()
        row = [ficha.id]
        for spec in schema.FIELDS:
            value = values[spec.name]
            row.append(
                ";".join(value) if spec.kind == "multi" else ("" if value is None else value)
            )
        row += [ficha.version, ficha.completeness, ficha.updated_at.isoformat()]
        writer.writerow(row)
        yield buf.getvalue()


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (index, field, reason)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_records(records: Any) -> ImportReport:
    """Check every record before writing any, reporting index and field of each problem."""
    report = ImportReport()
    if not isinstance(records, list):
        report.problems.append((-1, "_file", "expected a JSON array of sheets"))
        return report
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            report.problems.append((index, "_record", "expected an object"))
            continue
        try:
            schema.clean(record)
        except Invalid as exc:
            report.problems.extend(
                (index, name, str(reason)) for name, reason in exc.fields.items()
            )
    return report


def import_records(
    session: Session,
    owner: User,
    records: list[dict[str, Any]],
    *,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """All-or-nothing unless skip_invalid; the caller commits."""
    report = validate_records(records)
    if not report.ok and (not skip_invalid or any(i < 0 for i, _f, _r in report.problems)):
        return report
    bad = {i for i, _f, _r in report.problems}
    for index, record in enumerate(records):
        if index not in bad:
            data = {k: v for k, v in record.items() if k not in schema.READ_ONLY_KEYS}
            report.created.append(services.create_ficha(session, owner, data).id)
        if progress:
            progress(1)
    return report
