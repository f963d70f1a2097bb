"""What people find: words in any form, phrases, exclusions, synonyms, filters with true
counts, sorting, pages, snippets and "did you mean"; the same on both backends."""

from datetime import datetime

import pytest
from sqlalchemy import update

from forum.accounts.models import Role
from forum.extensions import db
from forum.fichas.models import Ficha
from forum.search.service import RELEVANCE_CAP
from forum.spaces.models import Post
from tests.conftest import make_ficha, make_user
from tests.search.conftest import facet, keys
from tests.spaces.factories import make_reply, make_root, make_space

pytestmark = pytest.mark.both_backends


def sheet(owner=None, **fields):  # noqa: ANN001, ANN201
    return make_ficha(owner=owner or make_user(), **fields)


def test_accents_and_case_do_not_matter(find):
    f = sheet(lessons="La **cooperación** entre municipios fue la clave.")
    for typed in ("cooperacion", "COOPERACIÓN", "Cooperación", "cooperaciones"):
        assert keys(find(typed)) == [f"ficha:{f.id}"], typed
    g = sheet(title="Gestión de residuos", country="PE")
    assert f"ficha:{g.id}" in keys(find("GESTION"))


def test_enye_is_a_letter_of_its_own(find):
    campaign = sheet(lessons="La campaña de vacunación llegó a todas las comunidades.")
    bell = sheet(lessons="La campana de la capilla llamaba a la asamblea.")
    assert keys(find("campaña")) == [f"ficha:{campaign.id}"]
    assert keys(find("campana")) == [f"ficha:{bell.id}"]


def test_word_forms_match_as_the_stemmer_says(find):
    f = sheet(lessons="Las cooperativa lechera y la planificación participativa del municipio.")
    key = f"ficha:{f.id}"
    for typed in ("cooperativas", "cooperaciones", "participando", "planificaciones"):
        assert keys(find(typed)) == [key], typed
    assert keys(find("planificar")) == []  # Snowball: planific* is not planif*


def test_stop_words_are_left_out_of_the_search(find):
    f = sheet(lessons="Acuerdos firmados en asamblea.")
    assert keys(find("los acuerdos de la asamblea")) == keys(find("acuerdos asamblea")) == \
        [f"ficha:{f.id}"]
    only = find("de la y los")
    assert not only.searched and only.notices


def test_all_words_must_match(find):
    both = sheet(lessons="Riego por turnos entre comunidades.")
    sheet(lessons="Riego con represas familiares.")
    assert keys(find("riego turnos")) == [f"ficha:{both.id}"]


def test_quoted_phrases_need_the_words_together_and_in_order(find):
    near = sheet(lessons="Creamos un fondo rotatorio con las familias.")
    apart = sheet(lessons="El fondo del municipio no era rotatorio para nadie.")
    reversed_ = sheet(lessons="Rotatorio el fondo, dijo alguien al revés.")
    assert set(keys(find("fondo rotatorio"))) == {f"ficha:{x.id}" for x in (near, apart,
                                                                             reversed_)}
    assert keys(find('"fondo rotatorio"')) == [f"ficha:{near.id}"]
    assert keys(find('"fondos rotatorios"')) == [f"ficha:{near.id}"]
    # a stop word inside the phrase leaves no gap, on both backends
    assert keys(find('"fondo de rotatorio"')) == [f"ficha:{near.id}"]


def test_minus_leaves_words_and_phrases_out(find):
    achacachi = sheet(lessons="Turnos de riego en Achacachi.")
    guaqui = sheet(lessons="Turnos de riego en Guaqui, cerca de Achacachi hay otros.")
    other = sheet(lessons="Turnos de riego en Sucre.")
    assert keys(find("riego -achacachi")) == [f"ficha:{other.id}"]
    assert set(keys(find('riego -"riego en achacachi"'))) == {f"ficha:{guaqui.id}",
                                                              f"ficha:{other.id}"}
    assert achacachi.id


def test_a_prefix_with_a_star(find):
    f = sheet(lessons="Las cooperativas crecieron.")
    assert keys(find("coop*")) == [f"ficha:{f.id}"]
    assert keys(find("co*")) == []  # fewer than three letters: no prefix search


@pytest.mark.parametrize(("typed", "written"), [
    ("OT", "El ordenamiento territorial con los ayllus."),
    ("ordenamiento territorial", "El plan de OT se aprobó en asamblea."),
    ("PDM", "El plan de desarrollo municipal priorizó la producción."),
    ("planes de desarrollo municipales", "El PDM priorizó la producción."),
    ("cooperación sur-sur", "Un intercambio de CSS con técnicos de Perú."),
    ("S-S", "La cooperación sur-sur entre municipios."),
])
def test_synonyms_of_the_field(find, typed, written):
    f = sheet(lessons=written)
    sheet(lessons="Nada que ver: ferias de semillas.")
    assert keys(find(typed)) == [f"ficha:{f.id}"]


def test_spaces_posts_and_every_sheet_text_are_searched(find):
    fac = make_user(role=Role.FACILITATOR)
    space = make_space(kind="debate", by=fac, title="Mesa sobre el agua",
                       framing="¿Debe el municipio cobrar por el riego?")
    position = make_root(space=space, by=make_user(), body="Sí, con tarifas solidarias.")
    comment = make_reply(to=position, by=make_user(), body="Las tarifas solidarias funcionan.")
    f = sheet(contacts="Escribir a la oficina de cuencas.", communities="Achacachi y Huarina")
    assert keys(find("cobrar")) == [f"space:{space.id}"]
    assert set(keys(find("tarifas solidarias"))) == {f"post:{position.id}", f"post:{comment.id}"}
    assert keys(find("oficina cuencas")) == keys(find("huarina")) == [f"ficha:{f.id}"]


def _corpus():  # noqa: ANN202
    """Sheets and posts with known attributes, all containing the word "quinua"."""
    ana, beto = make_user(name="Ana Quispe", country="BO"), make_user(name="Beto", country="PE")
    a = sheet(ana, title="Quinua en Oruro", country="BO", themes=["productive_development"],
              actors=["producers"], status="finished", modality="south_south")
    b = sheet(ana, title="Quinua en Puno", country="PE", themes=["productive_development",
              "gender"], actors=["ngo"], status="in_progress", end_year=None,
              modality="triangular")
    c = sheet(beto, title="Quinua y turismo", country="PE", themes=["tourism_culture"],
              actors=["municipality"], status="finished", modality="none")
    fac = make_user(role=Role.FACILITATOR)
    debate = make_space(kind="debate", by=fac, title="Mesa", framing="Marco.")
    conference = make_space(kind="conference", by=fac, title="Charla", framing="Marco.")
    p1 = make_root(space=debate, by=beto, body="La quinua necesita precio justo.")
    p2 = make_root(space=conference, by=ana, body="¿Qué pasó con la quinua?")
    p3 = make_reply(to=p2, by=fac, body="La quinua se exporta.")
    return {"ana": ana, "beto": beto, "sheets": (a, b, c), "posts": (p1, p2, p3)}


FILTERS = ("kind", "space_kind", "country", "theme", "actor", "status", "modality", "author",
           "year")


def test_every_filter_narrows_and_its_counts_are_true(find):
    corpus = _corpus()
    everything = find("quinua")
    assert everything.total == 6
    assert facet(everything, "kind") == {"ficha": 3, "position": 1, "question": 1, "answer": 1}
    assert facet(everything, "country") == {"BO": 3, "PE": 3}  # posts: their author's
    for name in FILTERS:
        for value, count in everything.facets.get(name, []):
            args = ({"since": f"{value}-01-01", "until": f"{value}-12-31"} if name == "year"
                    else {name: value})
            narrowed = find("quinua", **args)
            assert narrowed.total == count, (name, value)
            assert len(narrowed.results) == count
    assert facet(everything, "author")[str(corpus["ana"].id)] == 3
    assert facet(everything, "space_kind") == {"debate": 1, "conference": 2}
    assert facet(everything, "theme") == {"productive_development": 2, "gender": 1,
                                          "tourism_culture": 1}
    assert facet(everything, "status") == {"finished": 2, "in_progress": 1}
    assert facet(everything, "modality") == {"south_south": 1, "triangular": 1, "none": 1}


def test_filters_combine_and_counts_follow_them(find):
    corpus = _corpus()
    page = find("quinua", country="PE", kind="ficha")
    assert set(keys(page)) == {f"ficha:{corpus['sheets'][1].id}", f"ficha:{corpus['sheets'][2].id}"}
    assert facet(page, "country") == {"PE": 2}
    assert facet(page, "theme") == {"productive_development": 1, "gender": 1,
                                    "tourism_culture": 1}
    assert find("quinua", theme="gender", actor="ngo").total == 1
    assert find("quinua", theme="gender", actor="producers").total == 0


def test_an_empty_search_with_a_filter_lists_by_date(find):
    corpus = _corpus()
    page = find("", country="PE", kind="ficha")
    assert page.searched and keys(page) == [f"ficha:{corpus['sheets'][2].id}",
                                            f"ficha:{corpus['sheets'][1].id}"]
    assert not find("").searched  # nothing typed, nothing chosen: the page explains


def _date(app, model, row_id, when):  # noqa: ANN001, ANN202
    column = model.updated_at if model is Ficha else model.created_at
    db.session.execute(update(model).where(model.id == row_id).values({column: when}))
    db.session.commit()


def _reindex(app):  # noqa: ANN001, ANN202
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output


def test_date_range_and_sorting_by_date(app, find):
    old = sheet(lessons="Ferias de semillas nativas.")
    new = sheet(lessons="Ferias de semillas y trueque.")
    post = make_root(space=make_space(kind="contribution"), by=make_user(),
                     title="Ferias", body="Semillas en la feria.")
    _date(app, Ficha, old.id, datetime(2019, 5, 1, 12))
    _date(app, Ficha, new.id, datetime(2024, 3, 1, 12))
    _date(app, Post, post.id, datetime(2022, 7, 9, 8))
    _reindex(app)
    assert keys(find("semillas", sort="date")) == [f"ficha:{new.id}", f"post:{post.id}",
                                                   f"ficha:{old.id}"]
    assert keys(find("semillas", since="2022-07-09", until="2024-01-01")) == [f"post:{post.id}"]
    assert keys(find("semillas", until="2019-05-01")) == [f"ficha:{old.id}"]
    assert facet(find("semillas"), "year") == {"2019": 1, "2022": 1, "2024": 1}


def test_relevance_puts_the_stronger_match_first(find):
    once = sheet(title="Escuela de liderazgo", lessons="Hubo también algo de compostaje.")
    strong = sheet(title="Compostaje comunal",
                   lessons="El compostaje redujo residuos; el compostaje se enseñó en escuelas.")
    page = find("compostaje")
    assert keys(page) == [f"ficha:{strong.id}", f"ficha:{once.id}"]


def test_pages_of_results_without_gaps_or_repeats(find):
    author = make_user()
    made = {f"ficha:{sheet(author, title=f'Vivero {n}', lessons='Plantines de vivero.').id}"
            for n in range(25)}
    seen = []
    for number in (1, 2, 3):
        page = find("vivero", per_page=10, page=number)
        assert page.total == 25 and page.pages == 3
        seen += keys(page)
    assert len(seen) == 25 and set(seen) == made
    assert find("vivero", per_page=10, page=4).results == []
    assert find("vivero", per_page=10, page=2, sort="date").total == 25


def test_snippets_mark_the_words_and_escape_everything(find):
    f = sheet(title="<script>alert('t')</script> Cooperativa lechera",
              lessons="Usamos `<script>` y **cooperativas** <img src=x onerror=alert(1)>.")
    result = find("cooperativa").results[0]
    assert result.doc.key == f"ficha:{f.id}"
    assert "<script>" not in result.title and "&lt;script&gt;" in result.title
    assert "<mark>Cooperativa</mark>" in result.title
    assert "<script>" not in result.snippet and "<img" not in result.snippet
    assert "<mark>cooperativas</mark>" in result.snippet


def test_sheet_snippets_prefer_the_lessons_learned(find):
    both = sheet(problem="El conflicto por el agua.", lessons="Del agua aprendimos a pactar.")
    problem_only = sheet(title="Otra", problem="Faltaba agua en verano.")
    results = {r.doc.key: r for r in find("agua").results}
    assert results[f"ficha:{both.id}"].part == "lessons"
    assert "pactar" in results[f"ficha:{both.id}"].snippet
    assert results[f"ficha:{problem_only.id}"].part == "problem"


def test_did_you_mean_offers_a_word_from_the_index(find):
    sheet(lessons="Las cooperativas de quinua exportan.")
    page = find("cooperatvas quinua")
    assert page.total == 0
    assert page.suggestion and page.suggestion.query == "cooperativas quinua"
    assert find(page.suggestion.query).total == 1
    assert find("xqzwv").suggestion is None
    assert find("quinua").suggestion is None


def test_relevance_beyond_the_cap_says_so(find, monkeypatch):
    from forum.search import backend_postgres, backend_whoosh, service

    for module in (service, backend_whoosh, backend_postgres):
        monkeypatch.setattr(module, "RELEVANCE_CAP", 3)
    author = make_user()
    for n in range(5):
        sheet(author, title=f"Acequia {n}", lessons="Limpieza de acequias." * (n + 1))
    page = find("acequia", per_page=2, page=2)
    assert page.total == 5 and page.capped and len(page.results) == 1
    beyond = find("acequia", per_page=2, page=3)
    assert beyond.results == [] and beyond.notices
    assert find("acequia", per_page=2, page=3, sort="date").results
    assert RELEVANCE_CAP >= 500
