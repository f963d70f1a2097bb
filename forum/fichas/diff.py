"""Readable, word-level differences between two revisions, field by field."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from forum.fichas.schema import FIELDS, FieldSpec

TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class FieldDiff:
    spec: FieldSpec
    html: Markup  # escaped text with <ins>/<del> around the changed words


def _tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def word_diff(old: str, new: str) -> Markup:
    """Escaped text where removed words are in <del> and added ones in <ins>."""
    a, b = _tokens(old), _tokens(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(out))


def _as_text(spec: FieldSpec, value: Any) -> str:
    if value is None:
        return ""
    if spec.kind == "multi":
        return ", ".join(str(spec.vocab.get(c, c)) for c in value) if spec.vocab else ""
    if spec.kind == "choice" and spec.vocab:
        return str(spec.vocab.get(value, value))
    return str(value)


def diff_snapshots(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldDiff]:
    """Only the fields that changed, in form order."""
    diffs = []
    for spec in FIELDS:
        a, b = _as_text(spec, old.get(spec.name)), _as_text(spec, new.get(spec.name))
        if a != b:
            diffs.append(FieldDiff(spec, word_diff(a, b)))
    return diffs
