"""Tests for forum.fichas.uploads: real small files, built here, byte by byte."""

from __future__ import annotations

import ast
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from forum.fichas import uploads
from forum.fichas.uploads import (
    SniffedType,
    UploadRejected,
    check_upload,
    safe_display_name,
    sniff,
    store,
)

# --- sample files -------------------------------------------------------------------------

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    + _png_chunk(b"IEND", b"")
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\xff\xd9"
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
_VP8L = b"\x2f\x00\x00\x00\x00\x00\x00\x00\x00"
WEBP = b"RIFF" + struct.pack("<I", 4 + 8 + len(_VP8L)) + b"WEBP" + b"VP8L"
WEBP += struct.pack("<I", len(_VP8L)) + _VP8L
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<rect width='1' height='1'/></svg>\n"
)


def _zip(members: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(members):
            kind = zipfile.ZIP_STORED if stored_first and i == 0 else zipfile.ZIP_DEFLATED
            zf.writestr(name, data, compress_type=kind)
    return buf.getvalue()


def _ooxml(folder: str, main_part: str) -> bytes:
    return _zip(
        [
            ("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="x"/>'),
            ("_rels/.rels", b'<?xml version="1.0"?><Relationships xmlns="x"/>'),
            (f"{folder}/{main_part}", b'<?xml version="1.0"?><root/>'),
        ]
    )


def _odf(sub: str) -> bytes:
    mime = f"application/vnd.oasis.opendocument.{sub}".encode()
    return _zip(
        [
            ("mimetype", mime),
            ("content.xml", b'<?xml version="1.0"?><office:document-content/>'),
            ("META-INF/manifest.xml", b'<?xml version="1.0"?><manifest:manifest/>'),
        ],
        stored_first=True,
    )


DOCX = _ooxml("word", "document.xml")
XLSX = _ooxml("xl", "workbook.xml")
PPTX = _ooxml("ppt", "presentation.xml")
ODT, ODS, ODP = _odf("text"), _odf("spreadsheet"), _odf("presentation")
PLAIN_ZIP = _zip([("notas.txt", b"hola"), ("word/readme.txt", b"no content types")])


class CountingStream(io.RawIOBase):
    """A seekable stream that counts every byte handed out by read()."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._inner.read(size)
        self.bytes_read += len(chunk)
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._inner.seek(offset, whence)

    def tell(self) -> int:
        return self._inner.tell()


def _reason(filename: str, data: bytes, max_bytes: int = 1 << 20) -> str:
    with pytest.raises(UploadRejected) as exc:
        check_upload(filename, io.BytesIO(data), max_bytes)
    return exc.value.reason


# --- check_upload ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data", "kind"),
    [
        ("informe.pdf", PDF, "pdf"),
        ("mapa.png", PNG, "png"),
        ("foto.jpg", JPEG, "jpeg"),
        ("FOTO.JPEG", JPEG, "jpeg"),
        ("animación.gif", GIF, "gif"),
        ("imagen.webp", WEBP, "webp"),
        ("acta.docx", DOCX, "docx"),
        ("presupuesto.xlsx", XLSX, "xlsx"),
        ("taller.pptx", PPTX, "pptx"),
        ("acta.odt", ODT, "odt"),
        ("datos.ods", ODS, "ods"),
        ("charla.odp", ODP, "odp"),
        ("viejo.doc", OLE, "doc"),
        ("viejo.XLS", OLE, "xls"),
        ("viejo.ppt", OLE, "ppt"),
        ("C:\\Users\\ana\\Informe Año 2021.pdf", PDF, "pdf"),
    ],
)
def test_accepted_types(filename: str, data: bytes, kind: str) -> None:
    stream = io.BytesIO(data)
    sniffed = check_upload(filename, stream, max_bytes=len(data))  # exactly at the limit
    assert sniffed.kind == kind
    assert sniffed == uploads.TYPES[kind]
    assert stream.tell() == 0, "stream must be rewound for store()"
    assert stream.read() == data


def test_sniff_accepts_a_path_and_derives_ole_kind_from_its_suffix(tmp_path: Path) -> None:
    docx, xls = tmp_path / "a.docx", tmp_path / "b.xls"
    docx.write_bytes(DOCX)
    xls.write_bytes(OLE)
    assert sniff(DOCX[:64], docx) == uploads.TYPES["docx"]
    assert sniff(OLE[:64], xls) == uploads.TYPES["xls"]
    assert sniff(OLE[:64], io.BytesIO(OLE)) is None  # no name: OLE alone cannot tell
    assert sniff(OLE[:64], io.BytesIO(OLE), declared_ext=".PPT") == uploads.TYPES["ppt"]


def test_html_named_pdf_is_unknown_type() -> None:
    # Design: unrecognised content is always "unknown_type", whatever its name claims;
    # "type_mismatch" means we know what the bytes are and the extension says otherwise.
    assert _reason("informe.pdf", HTML) == "unknown_type"
    assert _reason("informe.pdf", b"   \n" + PDF) == "unknown_type"  # %PDF- must lead


@pytest.mark.parametrize("name", ["logo.png", "logo.svg", "logo.gif"])
def test_svg_is_never_accepted(name: str) -> None:
    assert _reason(name, SVG) == "unknown_type"
    assert _reason(name, SVG.split(b"\n", 1)[1]) == "unknown_type"  # without XML prolog


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("foto.png", PDF),
        ("informe.pdf", PNG),
        ("foto.exe", JPEG),
        ("acta.xlsx", DOCX),
        ("acta.zip", DOCX),
        ("acta.docx", ODT),
        ("viejo.pdf", OLE),
        ("viejo.docx", OLE),
    ],
)
def test_extension_disagreeing_with_content_is_type_mismatch(filename: str, data: bytes) -> None:
    assert _reason(filename, data) == "type_mismatch"


@pytest.mark.parametrize(
    "data",
    [
        PLAIN_ZIP,
        _zip([("[Content_Types].xml", b"<Types/>"), ("otra/cosa.xml", b"<x/>")]),
        _zip([("mimetype", b"application/zip"), ("content.xml", b"<x/>")], stored_first=True),
        _zip([("content.xml", b"<x/>"), ("mimetype", b"application/vnd.oasis.opendocument.text")]),
        b"PK\x03\x04 truncated garbage that is no archive",
        b"MZ\x90\x00\x03\x00\x00\x00 an executable",
        b"#!/bin/sh\nrm -rf /\n",
        "texto plano con ñ".encode(),
    ],
)
def test_unrecognised_content_is_unknown_type(data: bytes) -> None:
    assert _reason("acta.docx", data) == "unknown_type"


def test_empty_upload() -> None:
    assert _reason("informe.pdf", b"") == "empty"


@pytest.mark.parametrize("max_bytes", [1000, 200_000])
def test_too_large_reads_no_more_than_max_bytes_plus_one(max_bytes: int) -> None:
    stream = CountingStream(PDF + b"0" * (5 * max_bytes))
    with pytest.raises(UploadRejected) as exc:
        check_upload("informe.pdf", stream, max_bytes)
    assert exc.value.reason == "too_large"
    assert stream.bytes_read == max_bytes + 1


def test_just_over_the_limit_is_too_large() -> None:
    assert _reason("informe.pdf", PDF, max_bytes=len(PDF) - 1) == "too_large"


@pytest.mark.parametrize("filename", ["informe", "informe.", "", "carpeta.v2/informe", "..."])
def test_filename_without_extension_is_bad_name(filename: str) -> None:
    stream = CountingStream(PDF)
    with pytest.raises(UploadRejected) as exc:
        check_upload(filename, stream, 1 << 20)
    assert exc.value.reason == "bad_name"
    assert stream.bytes_read == 0  # decided before touching the bytes


# --- safe_display_name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\ana\\Informe Año 2021.pdf", "Informe Año 2021.pdf"),
        ("..\\..\\mezcla/de\\rutas/Señalética.png", "Señalética.png"),
        ("in\x00fo\r\nrme\x1b.pdf", "informe.pdf"),
        ("foto\u202egpj.exe", "fotogpj.exe"),  # right-to-left override removed
        ("An\u0303o.pdf", "A\u00f1o.pdf"),  # NFD (macOS) becomes NFC: one ñ code point
        ("  acta final .pdf  ", "acta final.pdf"),  # outer and pre-extension blanks go
        ("", "archivo"),
        ("/", "archivo"),
        (".pdf", "archivo.pdf"),
        ("\x00\x01.pdf", "archivo.pdf"),
    ],
)
def test_safe_display_name(raw: str, shown: str) -> None:
    assert safe_display_name(raw) == shown


def test_safe_display_name_truncates_keeping_the_extension() -> None:
    shown = safe_display_name("ñ" * 300 + ".docx")
    assert len(shown) <= 120
    assert shown.endswith(".docx")
    assert shown.startswith("ñ" * 100)


def test_safe_display_name_truncates_names_without_extension() -> None:
    assert safe_display_name("a" * 300) == "a" * 120


# --- store --------------------------------------------------------------------------------


def test_store_writes_exact_bytes_under_unique_names(tmp_path: Path) -> None:
    directory = tmp_path / "adjuntos" / "2024"  # created on demand
    data = PDF + bytes(range(256)) * 1000  # > one chunk
    names = set()
    for _ in range(5):
        name, size = store(io.BytesIO(data), directory, uploads.TYPES["pdf"])
        assert re.fullmatch(r"[0-9a-f]{32}\.pdf", name)
        assert size == len(data)
        assert (directory / name).read_bytes() == data
        names.add(name)
    assert len(names) == 5
    assert sorted(p.name for p in directory.iterdir()) == sorted(names)  # no temp files


def test_store_uses_the_first_extension(tmp_path: Path) -> None:
    name, _ = store(io.BytesIO(JPEG), tmp_path, uploads.TYPES["jpeg"])
    assert name.endswith(".jpg")


def test_check_then_store_round_trip(tmp_path: Path) -> None:
    stream = io.BytesIO(DOCX)
    sniffed = check_upload("acta.docx", stream, max_bytes=1 << 20)
    name, size = store(stream, tmp_path, sniffed)
    assert (tmp_path / name).read_bytes() == DOCX
    assert size == len(DOCX)


def test_store_failure_leaves_nothing_behind(tmp_path: Path) -> None:
    class Exploding(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 0:
                raise OSError("client went away")
            return super().read(size)

    with pytest.raises(OSError, match="client went away"):
        store(Exploding(b"x" * 200_000), tmp_path, SniffedType("pdf", "application/pdf", ("pdf",)))
    assert list(tmp_path.iterdir()) == []


# --- module boundaries ----------------------------------------------------------------------


def test_module_knows_nothing_of_flask() -> None:
    tree = ast.parse(Path(uploads.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"flask", "werkzeug"}
