"""Bad input and permissions: each refusal answers 4xx with a clear Spanish message, changes
nothing, and gives back what the person typed."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from forum.contests import queries as services_queries
from forum.contests import services
from forum.contests.models import Award, Contest, ContestCategory, ContestDimension, Entry, Score
from forum.extensions import db
from tests.communities.factories import make_call
from tests.conftest import make_ficha
from tests.contests.factories import (
    World,
    category_id,
    enter,
    make_world,
    publish,
    scored_world,
    step,
)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def snapshot() -> tuple:
    """Everything a contest is made of, to tell that a refusal changed nothing."""
    db.session.expire_all()
    contest = db.session.scalar(select(Contest))
    return (
        (contest.state, contest.score_min, contest.score_max, contest.mentions_max,
         contest.published_at),
        db.session.execute(select(ContestCategory.id, ContestCategory.name)
                           .order_by(ContestCategory.id)).all(),
        db.session.execute(select(ContestDimension.id, ContestDimension.name,
                                  ContestDimension.guidance)
                           .order_by(ContestDimension.id)).all(),
        db.session.execute(select(Entry.ficha_id, Entry.category_id, Entry.tie_order)
                           .order_by(Entry.id)).all(),
        db.session.execute(select(Score.entry_id, Score.juror_id, Score.dimension_id,
                                  Score.value, Score.comment).order_by(Score.id)).all(),
        db.session.execute(select(Award.category_id, Award.entry_id, Award.kind, Award.slot)
                           .order_by(Award.id)).all(),
    )


def score_form(w: World, values: list[str], comment: str = "") -> dict[str, str]:
    data = {}
    for dim, value in zip(w.contest.dimensions, values, strict=True):
        data[f"score-{dim.id}"] = value
        data[f"comment-{dim.id}"] = comment
    return data


def opened_world() -> World:
    w = make_world()
    step(services.open_jury, w.contest, w.facilitator)
    return w


# --- scoring ------------------------------------------------------------------------------

SCORING = {
    # case: (world, who, sheet, values, status, message)
    "outside their categories": ("open", "bruno", "taraco", ["4"] * 5, 403,
                                 "Esta ficha está en una categoría que no te toca valorar."),
    "after the jury closed": ("closed", "ana", "taraco", ["1"] * 5, 409,
                              "El jurado ya cerró: los puntajes ya no pueden cambiar."),
    "before the jury opened": ("draft", "ana", "taraco", ["4"] * 5, 409,
                               "El jurado todavía no se abrió: se puntúa cuando se abre."),
    "above the range": ("open", "ana", "taraco", ["4", "4", "7", "4", "4"], 422,
                        "Los puntajes van de 1 a 5."),
    "below the range": ("open", "ana", "taraco", ["4", "0", "4", "4", "4"], 422,
                        "Los puntajes van de 1 a 5."),
    "not a number": ("open", "ana", "taraco", ["4", "4", "cuatro", "4", "4"], 422,
                     "«cuatro» no es un número: escribe un número entero de 1 a 5."),
    "a decimal": ("open", "ana", "taraco", ["4", "4", "3.5", "4", "4"], 422,
                  "«3.5» no es un número"),
    "a dimension left empty": ("open", "ana", "taraco", ["4", "4", "4", "4", ""], 422,
                               "Puntúa esta dimensión de 1 a 5."),
    "by someone not on the jury": ("open", "outsider", "taraco", ["4"] * 5, 403,
                                   "Solo quienes integran el jurado de este concurso puntúan "
                                   "sus fichas."),
    "by a facilitator not on the jury": ("open", "facilitator", "taraco", ["4"] * 5,
                                         403, "Solo quienes integran el jurado"),
    "on a sheet they co-edit": ("open", "carla", "capachica", ["5"] * 5, 403,
                                "Escribiste o coeditas esta ficha, así que no puedes "
                                "puntuarla: un jurado no juzga su propia experiencia."),
}


WORLDS = {"draft": make_world, "open": opened_world, "closed": scored_world}


@pytest.mark.parametrize("state", WORLDS)
def test_a_refused_score_changes_nothing_and_keeps_the_typed_text(client, auth, state):
    """Every case of SCORING whose contest is in this state, on one contest."""
    w = WORLDS[state]()
    before = snapshot()
    comment = "Mi razón, escrita con cuidado"
    cases = {k: v for k, v in SCORING.items() if v[0] == state}
    assert cases
    for case, (_state, who, sheet, values, status, message) in cases.items():
        auth.login(getattr(w, who))
        response = client.post(w.url(f"/fichas/{getattr(w, sheet).id}"),
                               data=score_form(w, values, comment))
        assert response.status_code == status, case
        page = text(response)
        assert message in page, case
        assert "No se cambió nada" in page, case
        assert snapshot() == before, case
        for dim, value in zip(w.contest.dimensions, values, strict=True):
            typed = f'name="score-{dim.id}" inputmode="numeric" size="3" value="{value}"'
            assert typed in page, case
        assert page.count(comment) == len(values), case
        auth.logout()


def test_an_own_sheet_is_refused_too_and_its_page_says_why(client, auth):
    w = opened_world()
    own = make_ficha(owner=w.ana, title="La ficha de Ana")
    enter(contest=w.contest, ficha=own, category="Social")
    auth.login(w.ana)
    response = client.get(w.url(f"/fichas/{own.id}"))
    assert response.status_code == 403
    assert "Escribiste o coeditas esta ficha" in text(response)
    desk = text(client.get("/concursos/mis-evaluaciones"))
    assert "La ficha de Ana" in desk.split("Escribiste o coeditas estas fichas")[1]


def test_the_scoring_page_is_only_for_the_sheets_jurors(client, auth):
    w = opened_world()
    for who, sheet, status in [
        ("outsider", "taraco", 403), ("bruno", "taraco", 403), ("carla", "capachica", 403),
        ("ana", "loose", 404),  # sent to the call without a category: not in the contest
    ]:
        auth.login(getattr(w, who))
        response = client.get(w.url(f"/fichas/{getattr(w, sheet).id}"))
        assert response.status_code == status, (who, sheet)
        auth.logout()


def test_no_one_reads_another_jurors_scores_while_the_jury_is_open(client, auth):
    w = opened_world()
    auth.login(w.carla)
    client.post(w.url(f"/fichas/{w.taraco.id}"), data=score_form(w, ["2"] * 5, "Secreto"))
    auth.logout()
    for person in (w.ana, w.facilitator):
        auth.login(person)
        for url in (w.url(f"/fichas/{w.taraco.id}"), w.url("/deliberacion"), w.url(),
                    "/concursos/mis-evaluaciones"):
            assert "Secreto" not in text(client.get(url)), url
        auth.logout()


# --- the rules, the jury and the jury's window --------------------------------------------

RUBRIC = {"score_min": "1", "score_max": "5", "mentions_max": "1",
          "categories": "Social\nEconómica\nAmbiental", "dimensions": "Uno\nDos: qué mirar"}


RUBRIC_REFUSALS = [  # (who, changes, status, message, typed text shown again)
    ("ana", {}, 403, "Solo las personas facilitadoras definen y publican un concurso.",
     "Ambiental"),
    ("facilitator", {"score_max": "cinco"}, 422, "Escribe un número entero de 0 a 10.",
     "cinco"),
    ("facilitator", {"score_min": "5", "score_max": "3"}, 422,
     "El puntaje más alto debe ser mayor que el más bajo.", "Ambiental"),
    ("facilitator", {"categories": "Social\nsocial"}, 422, "«social» aparece dos veces.",
     "Social\nsocial"),
    ("facilitator", {"dimensions": ": solo orientación"}, 422,
     "Cada línea empieza con el nombre de la dimensión.", ": solo orientación"),
]


def test_a_refused_rubric_changes_nothing_and_keeps_the_typed_rules(client, auth):
    w = make_world()
    before = snapshot()
    for who, changes, status, message, typed in RUBRIC_REFUSALS:
        auth.login(getattr(w, who))
        response = client.post(w.url("/bases"), data=RUBRIC | changes)
        assert response.status_code == status, message
        page = text(response)
        assert message in page and typed in page
        assert snapshot() == before
        auth.logout()


def test_the_rubric_is_fixed_once_the_jury_opens(client, auth):
    w = opened_world()
    before = snapshot()
    auth.login(w.facilitator)
    response = client.post(w.url("/bases"), data=RUBRIC)
    assert response.status_code == 409
    page = text(response)
    assert "La pauta de valoración queda fija una vez abierto el jurado." in page
    assert "Social\nEconómica\nAmbiental" in page
    assert snapshot() == before


def test_a_juror_is_a_registered_person_added_once(client, auth):
    w = make_world()
    before = snapshot()
    auth.login(w.facilitator)
    for email, message in [
        ("nadie@example.org", "No hay nadie registrado con este correo electrónico."),
        ("", "No hay nadie registrado con este correo electrónico."),
        (w.ana.email.upper(), "Ana Jurado ya integra el jurado."),
    ]:
        response = client.post(w.url("/jurado"), data={"email": email})
        assert response.status_code == 422 and message in text(response)
        assert f'value="{email}"' in text(response)
    assert snapshot() == before and len(queries_jurors(w)) == 3


def queries_jurors(w: World) -> list:
    return services_queries.jurors(db.session, w.contest)


def test_only_facilitators_manage_a_contest(client, auth):
    w = make_world()
    before = snapshot()
    for who, url, data in [
        ("ana", "/jurado", {"email": "x@example.org"}),
        ("outsider", "/estado", {"action": "open"}),
        ("ana", "/deliberacion/empate", {}),
        ("outsider", "/despublicar", {}),
        ("ana", "/ubicar", {"ficha_id": "1", "category_id": "1"}),
        ("outsider", f"/jurado/{w.jurors['ana']}/quitar", {}),
    ]:
        auth.login(getattr(w, who))
        response = client.post(w.url(url), data=data)
        assert response.status_code == 403, url
        assert "Solo las personas facilitadoras" in text(response)
        assert snapshot() == before
        auth.logout()
    auth.login(w.ana)
    for page in ("", "/bases", "/jurado", "/deliberacion"):
        assert client.get(w.url(page)).status_code == 403


def test_a_participant_cannot_turn_a_call_into_a_contest(client, auth):
    w = make_world()
    call = make_call(by=w.facilitator, title="Otra convocatoria")
    auth.login(w.ana)
    assert "Realizar esta convocatoria" not in text(client.get(f"/convocatorias/{call.id}"))
    response = client.post(f"/convocatorias/{call.id}/concurso/crear")
    assert response.status_code == 403
    assert services.contest_of_call(db.session, call.id) is None


def test_the_jury_opens_only_when_the_contest_is_ready(client, auth):
    w = make_world()
    services.remove_juror(db.session, w.facilitator, w.contest.id, w.jurors["ana"])
    services.remove_juror(db.session, w.facilitator, w.contest.id, w.jurors["bruno"])
    services.remove_juror(db.session, w.facilitator, w.contest.id, w.jurors["carla"])
    db.session.commit()
    before = snapshot()
    auth.login(w.facilitator)
    response = client.post(w.url("/estado"), data={"action": "open"})
    assert response.status_code == 422
    page = text(response)
    assert "El concurso todavía no está listo para su jurado." in page
    assert "Agrega al menos un jurado." in page
    assert snapshot() == before
    closing = client.post(w.url("/estado"), data={"action": "close"})
    assert closing.status_code == 409 and "El jurado no está abierto." in text(closing)


def test_a_sheet_goes_into_one_of_the_contests_categories(client, auth):
    w = make_world()
    extra = make_ficha(owner=w.outsider, title="Ficha sin categoría elegida")
    before = snapshot()
    auth.login(w.outsider)
    response = client.post(w.url("/enviar"), data={"ficha_id": extra.id, "category_id": ""})
    assert response.status_code == 422
    page = text(response)
    assert "Elige una de las categorías del concurso." in page
    assert f'<option value="{extra.id}" selected>' in page
    assert snapshot() == before
    stranger = client.post(w.url("/enviar"), data={
        "ficha_id": w.taraco.id, "category_id": category_id(w.contest, "Social")})
    assert stranger.status_code == 403  # not their sheet
    assert snapshot() == before


def test_a_scored_sheet_keeps_its_category(client, auth):
    w = scored_world()
    step(services.open_jury, w.contest, w.facilitator)  # open again, to revise
    before = snapshot()
    auth.login(w.facilitator)
    response = client.post(w.url("/ubicar"), data={
        "ficha_id": w.taraco.id, "category_id": category_id(w.contest, "Económica")})
    assert response.status_code == 409
    assert "El jurado ya puntuó esta ficha en su categoría: se queda en ella." in text(response)
    assert snapshot() == before


# --- ties, awards and publication ---------------------------------------------------------


def test_a_tie_is_settled_with_distinct_places(client, auth):
    w = scored_world()
    before = snapshot()
    auth.login(w.facilitator)
    for orders, message in [
        ({"taraco": "1", "guaqui": "2"}, "Estas fichas no están empatadas"),
        ({"taraco": "1", "capachica": "1"},
         "Da a cada ficha empatada un lugar distinto, del 1 al 2."),
        ({"taraco": "uno", "capachica": "2"}, "Da a cada ficha empatada un lugar distinto"),
    ]:
        data = {f"order-{getattr(w, k).id}": v for k, v in orders.items()}
        response = client.post(w.url("/deliberacion/empate"), data=data)
        assert response.status_code == 422 and message in text(response)
        value = orders["taraco"]
        typed = f'name="order-{w.taraco.id}" inputmode="numeric" size="3" value="{value}"'
        assert typed in text(response)
        assert snapshot() == before


def award_form(w: World, action: str = "save", **given: list) -> dict:
    """given: {"first_social": [sheet, ...]}."""
    data: dict = {"action": action}
    for key, sheets in given.items():
        kind, category = key.split("_")
        name = {"social": "Social", "economica": "Económica"}[category]
        data[f"{kind}-{category_id(w.contest, name)}"] = [str(s.id) for s in sheets]
    return data


AWARDS = {
    "two first places in a category": (
        lambda w: {"first_social": [w.taraco, w.capachica]},
        "Solo hay un primer lugar por categoría."),
    "two second places in a category": (
        lambda w: {"second_social": [w.taraco, w.capachica]},
        "Solo hay un segundo lugar por categoría."),
    "one sheet awarded twice": (
        lambda w: {"first_social": [w.taraco], "mention_social": [w.taraco]},
        "Una ficha recibe un solo premio: ya tiene uno en esta categoría."),
    "a sheet of another category": (
        lambda w: {"first_social": [w.guaqui]},
        "Esta ficha no está en la categoría «Social»."),
    "a sheet not in the contest": (
        lambda w: {"first_economica": [w.loose]},
        "Esta ficha no está en la categoría «Económica»."),
    "more mentions than the rules allow": (
        lambda w: {"mention_social": [w.taraco, w.capachica]},
        "Como máximo 1 menciones honrosas por categoría."),
}


def test_a_refused_award_changes_nothing_and_keeps_the_choice(client, auth):
    w = scored_world()
    before = snapshot()
    auth.login(w.facilitator)
    social = category_id(w.contest, "Social")
    for n, (case, (chosen, message)) in enumerate(AWARDS.items()):
        action = ("save", "publish")[n % 2]  # both buttons, over the cases
        response = client.post(w.url("/deliberacion"), data=award_form(w, action, **chosen(w)))
        assert response.status_code == 422, case
        page = text(response)
        assert message in page and "Los premios no se guardaron" in page, case
        assert snapshot() == before, case
        if case == "one sheet awarded twice":
            assert f'name="mention-{social}" value="{w.taraco.id}" checked' in page


def test_ties_and_awards_wait_for_the_jury_to_close(client, auth):
    w = opened_world()
    before = snapshot()
    auth.login(w.facilitator)
    response = client.post(w.url("/deliberacion/empate"), data={
        f"order-{w.taraco.id}": "1", f"order-{w.capachica.id}": "2"})
    assert response.status_code == 409
    assert "Los empates se resuelven en la deliberación" in text(response)
    for action in ("save", "publish"):
        response = client.post(w.url("/deliberacion"),
                               data=award_form(w, action, first_social=[w.taraco]))
        assert response.status_code == 409
        assert "Los premios se otorgan una vez cerrado el jurado." in text(response)
        assert snapshot() == before


def test_publishing_needs_at_least_one_award(client, auth):
    w = scored_world()
    before = snapshot()
    auth.login(w.facilitator)
    response = client.post(w.url("/deliberacion"), data={"action": "publish"})
    assert response.status_code == 422
    assert "Otorga al menos un premio antes de publicar." in text(response)
    assert snapshot() == before


def test_only_facilitators_publish(client, auth):
    w = scored_world()
    before = snapshot()
    for who in ("ana", "outsider"):  # a juror, a participant
        auth.login(getattr(w, who))
        response = client.post(w.url("/deliberacion"),
                               data=award_form(w, "publish", first_social=[w.taraco]))
        assert response.status_code == 403
        assert "Solo las personas facilitadoras definen y publican un concurso." in text(
            response)
        assert snapshot() == before
        auth.logout()


def test_published_awards_change_only_after_withdrawing_the_publication(client, auth):
    w = scored_world()
    publish(w, {"Social": {"first": [w.taraco]}})
    before = snapshot()
    auth.login(w.facilitator)
    response = client.post(w.url("/deliberacion"),
                           data=award_form(w, "save", first_social=[w.capachica]))
    assert response.status_code == 409
    assert "retira la publicación para cambiar los premios" in text(response)
    assert snapshot() == before
