"""The field's jargon, applied at query time: a search for one form also finds the others.

Edit GROUPS to add an acronym: one line per group, forms separated by "|". Forms are
analysed like any search (accents, case, plurals and stop words do not matter), so
"plan de desarrollo municipal" also covers "planes de desarrollo municipales". Applied at
query time only, so a change needs no reindexing. Stop words alone ("del", "la") cannot
be a form: they are never indexed.
"""

from __future__ import annotations

from functools import lru_cache

from forum.search.analysis import analyze

GROUPS = """
OT | ordenamiento territorial
POT | plan de ordenamiento territorial
PDM | plan de desarrollo municipal
PDOT | plan de desarrollo y ordenamiento territorial
PTDI | plan territorial de desarrollo integral
S-S | sur-sur
CSS | cooperación sur-sur
ONG | organización no gubernamental
OTB | organización territorial de base
GAM | gobierno autónomo municipal
ODS | objetivos de desarrollo sostenible
TIC | tecnologías de la información
mancomunidad | asociación de municipios
"""

Terms = tuple[str, ...]


@lru_cache(maxsize=1)
def table(groups: str = GROUPS) -> dict[Terms, tuple[Terms, ...]]:
    """Analysed form -> every analysed form of its group (itself included)."""
    out: dict[Terms, tuple[Terms, ...]] = {}
    for line in groups.strip().splitlines():
        forms = tuple(dict.fromkeys(t for t in (tuple(analyze(f)) for f in line.split("|")) if t))
        for form in forms:
            out[form] = tuple(dict.fromkeys(out.get(form, ()) + forms))
    return out

