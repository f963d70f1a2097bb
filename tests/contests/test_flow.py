"""A best-practice contest as people run it, through its pages (in Spanish, the default):
define it, send sheets into categories, score, keep scores hidden until the jury closes,
deliberate on the aggregate, settle a tie, publish; then the awards on the sheet page (also
once it was cached), on the call page, and the public results with their CSV."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import event, func, select

from forum.contests.models import Award, Contest, ContestState, Entry, Juror, Score
from forum.extensions import db
from tests.communities.factories import make_call, make_facilitator
from tests.conftest import make_ficha, make_user
from tests.contests.factories import (
    DIMENSIONS,
    category_id,
    make_world,
    publish,
    score,
    scored_world,
)


def text(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def score_form(contest: Contest, values: list, comments: list[str] | None = None) -> dict:
    comments = comments or [""] * len(values)
    data = {}
    for dim, value, comment in zip(contest.dimensions, values, comments, strict=True):
        data[f"score-{dim.id}"] = str(value)
        data[f"comment-{dim.id}"] = comment
    return data


def fresh(contest: Contest) -> Contest:
    db.session.expire_all()
    return db.session.get(Contest, contest.id)


def test_a_facilitator_defines_a_contest_and_participants_send_sheets(client, auth):
    facilitator = make_facilitator()
    call = make_call(by=facilitator)
    author = make_user()
    sheet = make_ficha(owner=author, title="Gestión territorial en Taraco")
    juror = make_user(name="Ana Jurado")
    auth.login(facilitator)
    offer = text(client.get(f"/convocatorias/{call.id}"))
    assert "Realizar esta convocatoria como concurso de buenas prácticas" in offer
    created = client.post(f"/convocatorias/{call.id}/concurso/crear")
    assert created.status_code == 302 and created.headers["Location"].endswith("/bases")
    rules = text(client.get(f"/convocatorias/{call.id}/concurso/bases"))
    assert "Político-institucional" in rules  # starts from the areas of analysis
    saved = client.post(f"/convocatorias/{call.id}/concurso/bases", data={
        "score_min": "1", "score_max": "5", "mentions_max": "2",
        "categories": "Social\nEconómica\nPolítico-institucional",
        "dimensions": "\n".join(f"{d}: qué mirar" for d in DIMENSIONS)})
    assert saved.status_code == 302
    contest = db.session.scalar(select(Contest))
    assert [c.name for c in contest.categories] == ["Social", "Económica",
                                                    "Político-institucional"]
    assert [d.name for d in contest.dimensions] == list(DIMENSIONS)
    assert contest.dimensions[0].guidance == "qué mirar" and contest.mentions_max == 2
    added = client.post(f"/convocatorias/{call.id}/concurso/jurado", data={"email": juror.email})
    assert added.status_code == 302
    juror_id = db.session.scalar(select(Juror.id))
    client.post(f"/convocatorias/{call.id}/concurso/jurado/{juror_id}/categorias",
                data={"category_id": [str(category_id(contest, "Social"))]})
    assert [c.name for c in db.session.get(Juror, juror_id).categories] == ["Social"]
    auth.logout()

    auth.login(author)
    page = text(client.get(f"/convocatorias/{call.id}"))
    assert "Concurso de buenas prácticas" in page and "Enviar al concurso" in page
    sent = client.post(f"/convocatorias/{call.id}/concurso/enviar", data={
        "ficha_id": sheet.id, "category_id": category_id(contest, "Social")})
    assert sent.status_code == 302
    entry = db.session.scalar(select(Entry))
    assert (entry.ficha_id, entry.category_id) == (sheet.id, category_id(contest, "Social"))
    auth.logout()

    auth.login(facilitator)
    opened = client.post(f"/convocatorias/{call.id}/concurso/estado", data={"action": "open"})
    assert opened.status_code == 302
    assert fresh(contest).state == ContestState.JURY_OPEN
    overview = text(client.get(f"/convocatorias/{call.id}/concurso"))
    assert "Jurado abierto: se puntúa" in overview and "Gestión territorial en Taraco" in overview


def test_jurors_score_revise_and_see_nothing_of_the_others_until_the_jury_closes(client, auth):
    w = make_world()
    c = w.contest
    auth.login(w.facilitator)
    client.post(w.url("/estado"), data={"action": "open"})
    auth.logout()

    auth.login(w.ana)
    desk = text(client.get("/concursos/mis-evaluaciones"))
    for sheet in (w.taraco, w.capachica, w.guaqui):
        assert sheet.title in desk
    assert w.loose.title not in desk  # not placed in a category
    saved = client.post(w.url(f"/fichas/{w.taraco.id}"), data=score_form(
        c, [5, 4, 4, 4, 3], ["Ana: buena articulación"] * 5))
    assert saved.status_code == 302
    revised = client.post(w.url(f"/fichas/{w.taraco.id}"), data=score_form(
        c, [5, 4, 4, 4, 2], ["Ana: buena articulación"] * 5))
    assert revised.status_code == 302
    assert sorted(db.session.scalars(select(Score.value))) == [2, 4, 4, 4, 5]  # revised
    auth.logout()

    auth.login(w.carla)
    desk = text(client.get("/concursos/mis-evaluaciones"))
    mine, conflicts = desk.split("Escribiste o coeditas estas fichas")
    assert w.taraco.title in mine and w.capachica.title not in mine
    assert w.capachica.title in conflicts  # and the page says why
    page = text(client.get(w.url(f"/fichas/{w.taraco.id}")))
    assert "Ana: buena articulación" not in page and "Ana Jurado" not in page
    client.post(w.url(f"/fichas/{w.taraco.id}"), data=score_form(
        c, [3, 4, 4, 4, 5], ["Carla: falta planificación"] * 5))
    auth.logout()

    auth.login(w.bruno)
    desk = text(client.get("/concursos/mis-evaluaciones"))
    assert w.guaqui.title in desk and w.taraco.title not in desk  # only "Económica"
    auth.logout()

    auth.login(w.facilitator)  # while the jury scores: progress, never scores
    deliberation = text(client.get(w.url("/deliberacion")))
    assert "hasta entonces nadie ve los puntajes" in deliberation
    assert "Ana: buena articulación" not in deliberation
    assert client.get(w.url(f"/fichas/{w.taraco.id}")).status_code == 403
    overview = text(client.get(w.url()))
    row = re.search(rf'id="entry-{w.taraco.id}".*?</tr>', overview, re.S).group(0)
    assert re.search(r"<td>2</td>\s*</tr>", row)  # two jurors scored it
    client.post(w.url("/estado"), data={"action": "close"})
    auth.logout()

    auth.login(w.ana)  # once closed, the jury sees each other's scores and reasons
    page = text(client.get(w.url(f"/fichas/{w.taraco.id}")))
    assert "Carla: falta planificación" in page and "Carla Jurado" in page
    assert "Guardar mis puntajes" not in page


def test_the_deliberation_shows_the_aggregate_and_settles_a_tie(client, auth):
    w = scored_world()
    social = category_id(w.contest, "Social")
    auth.login(w.facilitator)
    page = text(client.get(w.url("/deliberacion")))
    table = page.split("<caption>Social</caption>")[1].split("</table>")[0]
    taraco = re.search(rf"{w.taraco.title}.*?</tr>", table, re.S).group(0)
    cells = re.findall(r"<td>(.*?)</td>", taraco)
    assert cells[0] == "2"  # jurors: Ana and Carla (Carla's conflict is another sheet)
    assert cells[1:6] == ["4,00"] * 5 and "20,00" in cells[6]
    assert page.count(">empate<") == 2
    assert "Empate en 20,00 en «Social»" in page
    # Taraco ("Gestión...") comes first on the title order until the tie is settled
    assert table.index(w.taraco.title) < table.index(w.capachica.title)
    settled = client.post(w.url("/deliberacion/empate"), data={
        f"order-{w.capachica.id}": "1", f"order-{w.taraco.id}": "2"})
    assert settled.status_code == 302
    page = text(client.get(w.url("/deliberacion")))
    table = page.split("<caption>Social</caption>")[1].split("</table>")[0]
    assert table.index(w.capachica.title) < table.index(w.taraco.title)
    assert "resuelto" in page
    # the award form suggests the settled order
    first = re.search(rf'name="first-{social}".*?</select>', page, re.S).group(0)
    assert re.search(rf'value="{w.capachica.id}" selected', first)


def test_published_awards_show_on_the_sheet_call_and_results_pages(app, client, auth):
    w = scored_world()
    visitor = app.test_client()
    before = text(visitor.get(f"/fichas/{w.capachica.id}"))  # cached for visitors now
    assert "Primer lugar" not in before
    auth.login(w.outsider)
    assert "Primer lugar" not in text(client.get(f"/fichas/{w.capachica.id}"))
    auth.logout()
    auth.login(w.facilitator)
    social, economic = (category_id(w.contest, n) for n in ("Social", "Económica"))
    published = client.post(w.url("/deliberacion"), data={
        "action": "publish", f"first-{social}": str(w.capachica.id),
        f"second-{social}": str(w.taraco.id), f"first-{economic}": str(w.guaqui.id)})
    assert published.status_code == 302 and published.headers["Location"].endswith(
        "/resultados")
    assert fresh(w.contest).state == ContestState.PUBLISHED and count(Award) == 3
    auth.logout()

    sheet = text(visitor.get(f"/fichas/{w.capachica.id}"))
    assert "Primer lugar" in sheet and "categoría «Social» del concurso" in sheet
    assert "Segundo lugar" in text(visitor.get(f"/fichas/{w.taraco.id}"))
    assert "Primer lugar" not in text(visitor.get(f"/fichas/{w.loose.id}"))
    auth.login(w.outsider)
    assert "Primer lugar" in text(client.get(f"/fichas/{w.capachica.id}"))
    auth.logout()

    call_page = text(visitor.get(f"/convocatorias/{w.call_id}"))
    box = call_page.split('id="concurso"')[1].split("</section>")[0]
    assert "Resultados publicados" in box
    assert re.search(rf"Primer lugar</strong>: <a href=\"/fichas/{w.capachica.id}-turismo",
                     box)
    assert "Segundo lugar" in box and w.guaqui.title in box

    results = text(visitor.get(w.url("/resultados")))
    assert "Se enviaron 4 fichas a esta convocatoria." in results
    per_category = results.split("Fichas por categoría")[1].split("</table>")[0]
    assert re.findall(r'<th scope="row">(.*?)</th><td>(\d+)</td><td>(\d+)</td>',
                      per_category) == [("Social", "2", "50"), ("Económica", "1", "25"),
                                        ("Sin categoría", "1", "25"), ("Total", "4", "100")]
    per_country = results.split("Fichas por país y categoría")[1].split("</table>")[0]
    assert re.search(r"Bolivia</th><td>1</td><td>1</td><td>0</td><td>2</td>", per_country)
    assert re.search(r"Ecuador</th><td>0</td><td>0</td><td>1</td><td>1</td>", per_country)
    actors = results.split("Fichas por tipo de organización")[1].split("</table>")[0]
    assert re.search(r"ONG y fundaciones</th><td>3</td><td>75</td>", actors)
    assert re.search(r"Municipios y autoridades locales</th><td>2</td><td>50</td>", actors)

    download = visitor.get(w.url("/resultados.csv"))
    assert download.mimetype == "text/csv" and "attachment" in download.headers[
        "Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text(download))))
    assert rows[0] == ["tabla", "código", "nombre", "categoría", "fichas"]
    assert ["category", str(social), "Social", "Social", "2"] in rows
    assert ["category", "", "Sin categoría", "Sin categoría", "1"] in rows
    assert ["country", "BO", "Bolivia", "", "2"] in rows
    assert ["country", "PE", "Perú", "Social", "1"] in rows
    assert ["region", "BO", "Bolivia — La Paz", "", "2"] in rows
    assert ["actor", "ngo", "ONG y fundaciones", "", "3"] in rows
    assert ["actor", "university", "Universidades y centros de investigación", "", "0"] in rows


def test_withdrawing_the_publication_takes_the_awards_off_the_sheets(app, client, auth):
    w = scored_world()
    publish(w, {"Social": {"first": [w.taraco]}})
    visitor = app.test_client()
    assert "Primer lugar" in text(visitor.get(f"/fichas/{w.taraco.id}"))
    auth.login(w.facilitator)
    assert client.post(w.url("/despublicar")).status_code == 302
    assert fresh(w.contest).state == ContestState.JURY_CLOSED
    assert "Primer lugar" not in text(visitor.get(f"/fichas/{w.taraco.id}"))
    assert visitor.get(w.url("/resultados")).status_code == 404  # not public any more
    assert client.get(w.url("/resultados")).status_code == 200  # facilitators' preview


def test_a_sheet_withdrawn_from_the_call_loses_its_award(app, client, auth):
    w = scored_world()
    publish(w, {"Social": {"first": [w.taraco]}})
    visitor = app.test_client()
    assert "Primer lugar" in text(visitor.get(f"/fichas/{w.taraco.id}"))
    auth.login(w.facilitator)
    client.post(f"/convocatorias/{w.call_id}/retirar", data={"ficha_id": w.taraco.id})
    assert count(Award) == 0 and count(Entry) == 2
    assert "Primer lugar" not in text(visitor.get(f"/fichas/{w.taraco.id}"))


def test_the_results_are_not_public_before_they_are_published(app, client, auth):
    w = make_world()
    visitor = app.test_client()
    for tail in ("/resultados", "/resultados.csv"):
        response = visitor.get(w.url(tail))
        assert response.status_code == 404
        assert "todavía no están publicados" in text(response)
    assert "Resultados del concurso" not in text(visitor.get(f"/convocatorias/{w.call_id}"))


def test_scoring_pages_need_a_log_in_and_keep_their_shape_without_javascript(client, auth):
    w = make_world()
    assert client.get(w.url(f"/fichas/{w.taraco.id}")).status_code == 302  # to log in
    assert client.get("/concursos/mis-evaluaciones").status_code == 302
    auth.login(w.facilitator)
    client.post(w.url("/estado"), data={"action": "open"})
    auth.logout()
    auth.login(w.ana)
    page = text(client.get(w.url(f"/fichas/{w.taraco.id}")))
    assert "<script" not in page.split("<main")[1].split("</main>")[0]
    assert page.count('inputmode="numeric"') == len(DIMENSIONS)
    score(contest=w.contest, juror=w.ana, ficha=w.taraco, values=[1, 2, 3, 4, 5])
    page = text(client.get(w.url(f"/fichas/{w.taraco.id}")))
    for dim, value in zip(w.contest.dimensions, [1, 2, 3, 4, 5], strict=True):
        assert f'name="score-{dim.id}" inputmode="numeric" size="3" value="{value}"' in page


def test_a_sheet_that_never_won_costs_no_query_for_awards(app, client, auth):
    w = scored_world()
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get(f"/fichas/{w.loose.id}").status_code == 200
        auth.login(w.outsider)
        assert client.get(f"/fichas/{w.loose.id}").status_code == 200
        assert not any("contest_awards" in s for s in statements)
        publish(w, {"Económica": {"first": [w.guaqui]}})
        statements.clear()
        assert "Primer lugar" in text(client.get(f"/fichas/{w.guaqui.id}"))
        assert any("contest_awards" in s for s in statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
