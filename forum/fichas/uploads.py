"""Decide what an uploaded attachment really is, from its bytes, and store it safely.

The client's filename and Content-Type are claims: a type is accepted only when the magic
bytes say so and the extension agrees, so HTML or SVG can never be served back as "PDF" or
"PNG". Files are stored under random names. No Flask or HTTP here, so it is testable alone.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

HEAD_SIZE = 64  # enough for every signature below
CHUNK = 64 * 1024
DISPLAY_MAX = 120
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UploadRejected(Exception):
    """An upload we refuse; `reason` is a short machine code for messages and logs."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class SniffedType:
    """What the bytes are; `extensions[0]` is the one used for the stored file."""

    kind: str
    mime: str
    extensions: tuple[str, ...]


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
TYPES: dict[str, SniffedType] = {
    t.kind: t
    for t in (
        SniffedType("pdf", "application/pdf", ("pdf",)),
        SniffedType("png", "image/png", ("png",)),
        SniffedType("jpeg", "image/jpeg", ("jpg", "jpeg")),
        SniffedType("gif", "image/gif", ("gif",)),
        SniffedType("webp", "image/webp", ("webp",)),
        SniffedType("docx", _OOXML + "wordprocessingml.document", ("docx",)),
        SniffedType("xlsx", _OOXML + "spreadsheetml.sheet", ("xlsx",)),
        SniffedType("pptx", _OOXML + "presentationml.presentation", ("pptx",)),
        SniffedType("odt", _ODF + "text", ("odt",)),
        SniffedType("ods", _ODF + "spreadsheet", ("ods",)),
        SniffedType("odp", _ODF + "presentation", ("odp",)),
        SniffedType("doc", "application/msword", ("doc",)),
        SniffedType("xls", "application/vnd.ms-excel", ("xls",)),
        SniffedType("ppt", "application/vnd.ms-powerpoint", ("ppt",)),
    )
}
_OOXML_DIRS = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
_ODF_BY_MIME = {t.mime.encode(): t for t in TYPES.values() if t.mime.startswith(_ODF)}
_PREFIXES = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"))
_PREFIXES += ((b"GIF87a", "gif"), (b"GIF89a", "gif"))
Source = str | os.PathLike[str] | BinaryIO  # what zipfile.ZipFile accepts


def _sniff_zip(path_or_file: Source) -> SniffedType | None:
    """OOXML by its central directory, ODF by its leading `mimetype` member; else None."""
    try:
        with zipfile.ZipFile(path_or_file) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML_DIRS:
                    if any(n.startswith(prefix) for n in names):
                        return TYPES[kind]
            if infos and infos[0].filename == "mimetype" and infos[0].file_size < 100:
                with zf.open(infos[0]) as f:
                    return _ODF_BY_MIME.get(f.read(100).strip())
    except Exception:  # hostile or corrupt archives fail in many ways; none is a known type
        return None
    return None


def sniff(
    head: bytes, path_or_file: Source, *, declared_ext: str | None = None
) -> SniffedType | None:
    """Type from magic bytes only; None for anything else (HTML, SVG, scripts, plain zip).

    `head` is the start of the content; `path_or_file` (seekable) is opened with zipfile
    for Office/ODF archives. OLE2 cannot tell doc/xls/ppt apart cheaply, so the declared
    extension (`declared_ext`, or the suffix of `path_or_file`'s name) decides it.
    """
    for prefix, kind in _PREFIXES:
        if head.startswith(prefix):
            return TYPES[kind]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return TYPES["webp"]
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path_or_file)
    if head.startswith(OLE_MAGIC):
        if declared_ext is None:
            name = getattr(path_or_file, "name", path_or_file)
            declared_ext = Path(name).suffix if isinstance(name, str | os.PathLike) else ""
        ext = declared_ext.lower().lstrip(".")
        return TYPES[ext] if ext in ("doc", "xls", "ppt") else None
    return None


def _split_ext(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    return (stem, ext) if dot else (name, "")


def check_upload(filename: str, stream: BinaryIO, max_bytes: int) -> SniffedType:
    """Return the sniffed type of `stream`, or raise UploadRejected.

    Reads at most max_bytes + 1 bytes before deciding "too_large", so an oversized
    upload costs no more than the limit. The stream must be seekable (Werkzeug's
    FileStorage.stream is); it is rewound to 0 afterwards so it can go to `store`.
    """
    _, ext = _split_ext(safe_display_name(filename))
    if not ext:
        raise UploadRejected("bad_name", "the filename has no extension")
    ext = ext.lower()
    stream.seek(0)
    try:
        head, size = b"", 0
        while size <= max_bytes:
            chunk = stream.read(min(CHUNK, max_bytes + 1 - size))
            if not chunk:
                break
            if len(head) < HEAD_SIZE:
                head += chunk[: HEAD_SIZE - len(head)]
            size += len(chunk)
        if size > max_bytes:
            raise UploadRejected("too_large", f"more than {max_bytes} bytes")
        if size == 0:
            raise UploadRejected("empty")
        sniffed = sniff(head, stream, declared_ext=ext)
    finally:
        stream.seek(0)
    if sniffed is None:
        if head.startswith(OLE_MAGIC):  # legacy Office content under a foreign extension
            raise UploadRejected("type_mismatch", f"legacy Office file named .{ext}")
        raise UploadRejected("unknown_type", "content matches no accepted type")
    if ext not in sniffed.extensions:
        raise UploadRejected("type_mismatch", f"{sniffed.kind} content named .{ext}")
    return sniffed


def safe_display_name(filename: str) -> str:
    """The name shown to people, never used as a path; keeps accents and ñ.

    Basename only (both / and \\ separators), NFC-normalised, control and bidi
    characters removed, at most 120 characters with the extension preserved.
    """
    name = re.split(r"[\\/]", filename or "")[-1]
    name = unicodedata.normalize("NFC", name)
    # Cc: control chars; Cf: bidi overrides etc., which can make "gpj.exe" look like ".jpg"
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf"))
    name = name.strip().rstrip(". ")
    stem, ext = _split_ext(name)
    if len(ext) > 16 or " " in ext:  # not a real extension, just a dot in the name
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    stem = stem[: DISPLAY_MAX - len(suffix)].rstrip(". ")
    return f"{stem or 'archivo'}{suffix}"


def store(stream: BinaryIO, directory: Path, sniffed: SniffedType) -> tuple[str, int]:
    """Write the stream to `directory` under a random name; return (stored_name, size).

    Bytes go to a hidden temp file in the same directory, fsynced and then os.replace'd,
    so the final name only ever points at a complete file. Seekable streams are rewound.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if stream.seekable():
        stream.seek(0)
    token = secrets.token_hex(16)
    final_name = f"{token}.{sniffed.extensions[0]}"
    tmp = directory / f".{token}.part"
    size = 0
    try:
        with open(tmp, "xb") as out:
            while chunk := stream.read(CHUNK):
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, directory / final_name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final_name, size
