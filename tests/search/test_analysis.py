"""The Spanish analyzer, the query language and snippets: pure functions, no backend.

These state what the Snowball stemmer really does, so a change of PyStemmer that changes
which words meet shows up here first.
"""

import pytest
from markupsafe import Markup

from forum.search import query, snippets, synonyms
from forum.search.analysis import STOP_WORDS, analyze, fold
from forum.search.query import ALL, PHRASE, PREFIX, Alternative, parse


def test_folding_drops_accents_and_case_but_keeps_enye():
    assert fold("GESTIÓN Pingüino") == "gestion pinguino"
    assert fold("AÑO Campaña") == "año campaña"
    assert analyze("año") != analyze("ano")
    assert analyze("campaña") != analyze("campana")


@pytest.mark.parametrize(("one", "other"), [
    ("cooperativa", "cooperativas"),
    ("cooperación", "cooperaciones"),
    ("cooperacion", "cooperaciones"),  # typed without the accent: PostgreSQL's stemmer fails
    ("comunidad", "comunidades"),
    ("participativa", "participando"),
    ("municipal", "municipales"),
    ("organización", "organizaciones"),
    ("gestión", "GESTION"),
])
def test_word_forms_that_the_stemmer_brings_together(one, other):
    assert analyze(one) == analyze(other)


@pytest.mark.parametrize(("one", "other"), [
    ("planificación", "planificar"),  # planif / planific: the stemmer keeps them apart
    ("año", "años"),  # too short for Snowball to remove the plural
    ("territorio", "territorial"),
])
def test_word_forms_the_stemmer_keeps_apart(one, other):
    assert analyze(one) != analyze(other)


def test_stop_words_are_dropped_without_leaving_gaps():
    assert analyze("La cooperación de los municipios y las comunidades") == \
        analyze("cooperación municipios comunidades")
    assert {"de", "la", "los", "y", "que", "mas", "esta"} <= STOP_WORDS
    assert "estado" not in STOP_WORDS  # Snowball's list has it; here it is a content word


def test_parsing_words_phrases_exclusions_and_prefixes():
    parsed = parse('riego "mapas parlantes" -taraco coop*')
    assert Alternative(("rieg",)) in [a for c in parsed.required for a in c.alternatives]
    assert Alternative(("map", "parlant"), PHRASE) in parsed.required[1].alternatives
    assert parsed.excluded[0].alternatives == (Alternative(("tarac",)),)
    assert parsed.required[2].alternatives == (Alternative(("coop",), PREFIX),)
    assert not parsed.notices


def test_synonyms_add_the_other_forms_and_keep_the_typed_words():
    ot = parse("OT").required[0].alternatives
    assert Alternative(("ot",)) in ot and Alternative(("orden", "territorial")) in ot
    typed = parse("ordenamiento territorial").required[0].alternatives
    assert Alternative(("orden", "territorial"), ALL) in typed and Alternative(("ot",)) in typed
    assert Alternative(("sur", "sur")) in parse("S-S").required[0].alternatives
    plural = parse("planes de desarrollo municipales").required[0].alternatives
    assert Alternative(("pdm",)) in plural
    assert ("pdm",) in synonyms.table()[("plan", "desarroll", "municipal")]


def test_quoted_forms_are_exact_no_synonyms():
    assert parse('"OT"').required[0].alternatives == (Alternative(("ot",)),)


@pytest.mark.parametrize("typed", [
    '"sin cerrar', "((", "))(", "status:hidden agua", "autor:Juan", "*coop", "co*p", "?",
    "a" * 5000, "agua\x00\x01\x1b[31m riego", "-", "--", '"', '""', "-agua", "de la y",
    "日本語 テスト", "<script>alert(1)</script>", "OR AND NOT", "%00 ../../etc/passwd",
    "\u202eagua", "a:b:c:d", "-*", "\\", "' OR 1=1 --",
])
def test_any_input_parses_without_error(app, typed):
    with app.test_request_context():
        parsed = parse(typed)
        for notice in parsed.notices:
            assert str(notice)
    assert len(parsed.text) <= query.MAX_CHARS
    assert len(parsed.required) + len(parsed.excluded) <= query.MAX_CLAUSES


def test_what_parsing_changed_is_explained(app):
    with app.test_request_context():
        assert parse('"sin cerrar').notices == (query.UNCLOSED,)
        assert parse("x" * 5000).notices[0] == query.TOO_LONG
        assert parse("*coop").notices == (query.WILDCARDS,)
        field = parse("estado:oculto")
        assert len(field.notices) == 1 and "estado:" in str(field.notices[0])
        assert field.required[0].alternatives == (Alternative(tuple(analyze("oculto"))),)
        assert parse("de la y").only_stop_words
        assert not parse("((").only_stop_words


def test_control_characters_never_reach_the_backend():
    assert "\x00" not in parse("agua\x00riego").text
    assert parse("agua\x00riego").required == parse("agua riego").required


def test_snippets_escape_content_and_mark_matches():
    parts = (("body", "Sobre cooperativas dijo <script>alert('x')</script> & más."),)
    name, text = snippets.snippet(parts, frozenset(analyze("cooperativa")))
    assert name == "body" and isinstance(text, Markup)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<mark>cooperativas</mark>" in text and "&amp;" in text


def test_snippets_prefer_the_first_part_that_matches():
    parts = (("lessons", "Aprendimos a negociar."), ("problem", "El riego era un conflicto."))
    assert snippets.snippet(parts, frozenset(analyze("riego")))[0] == "problem"
    assert snippets.snippet(parts, frozenset(analyze("negociar riego")))[0] == "lessons"
    assert snippets.snippet(parts, frozenset(analyze("nada")))[0] == "lessons"  # title hit


def test_long_texts_are_cut_around_the_matches():
    text = " ".join(["palabra"] * 200 + ["quinua"] + ["palabra"] * 200)
    _name, snippet = snippets.snippet((("body", text),), frozenset(analyze("quinua")))
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>quinua</mark>" in snippet and len(snippet) < 400


def test_titles_are_highlighted_and_escaped():
    title = snippets.highlight("<b>Cooperativa</b> lechera", frozenset(analyze("cooperativas")))
    assert title == Markup("&lt;b&gt;<mark>Cooperativa</mark>&lt;/b&gt; lechera")
