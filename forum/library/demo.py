"""Demo guides of the library and their recommendations on demo sheets and spaces
(forum/demo_data/library.json), loaded through the library's own use cases."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.models import Role, User
from forum.fichas.models import Ficha
from forum.library import services as library
from forum.spaces.models import Space

LIBRARY = Path(__file__).parent.parent / "demo_data" / "library.json"


def _library_data() -> dict[str, Any]:
    return json.loads(LIBRARY.read_text(encoding="utf-8")) if LIBRARY.exists() else {}


def count() -> int:
    """How many demo guides there are (for the progress bar)."""
    return len(_library_data().get("items", []))


def load(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """The library's guides and their recommendations on sheets and spaces, through the use
    cases; run after demo_spaces, whose spaces it recommends on. The caller commits."""
    data = _library_data()
    facilitator = session.scalars(select(User).where(User.role == Role.FACILITATOR.value)
                                  .order_by(User.id)).first()
    if facilitator is None or not data:
        return 0
    storage = library.Storage(Path(current_app.config["UPLOAD_DIR"]),
                              current_app.config["MAX_ATTACHMENT_BYTES"])
    items: dict[str, int] = {}
    for record in data["items"]:
        fields = {k: record.get(k, "") for k in ("title", "authors", "year", "language",
                                                 "summary", "url")}
        fields |= {"themes": record.get("themes", []), "helps_with": record.get("helps_with", []),
                   "source": "file" if record.get("file") else "link"}
        upload = library.Upload(record["file"], io.BytesIO(tiny_pdf(record["pdf_lines"]))) \
            if record.get("file") else None
        items[record["title"]] = library.create_item(session, facilitator, fields, upload,
                                                     storage).id
        if progress:
            progress(1)
    sheets = {f.title: f.id for f in session.scalars(select(Ficha))}
    spaces = {s.title: s.id for s in session.scalars(select(Space))}
    for rec in data.get("recommendations", []):
        target = ({"ficha_id": sheets[rec["ficha"]]} if rec.get("ficha")
                  else {"space_id": spaces[rec["space"]]})
        library.recommend(session, facilitator, items[rec["item"]], note=rec.get("note", ""),
                          **target)
    return len(items)


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF of plain ASCII lines (the demo's own guide, made on the spot)."""
    text = "".join(f"({line.replace('(', '[').replace(')', ']')}) Tj T* " for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 56 780 Td {text}ET".encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
               b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)
