"""Each kind of space behaves as DOMAIN.md describes, through the pages people use."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.communities.models import Community, Membership
from forum.core.database import count_queries
from forum.extensions import db
from forum.spaces import marks, services
from forum.spaces.models import Post, PostRevision, Space, Support
from tests.conftest import PASSWORD, make_ficha, make_user
from tests.spaces.factories import make_reply, make_root, make_space


def text(response) -> str:
    return response.get_data(as_text=True)


def posts() -> int:
    return db.session.scalar(select(func.count()).select_from(Post))


# --- conference ---------------------------------------------------------------------------

def test_questions_sort_by_support_and_support_is_one_per_person(client, auth):
    space = make_space(kind="conference")
    asker, a, b = make_user(), make_user(), make_user()
    first = make_root(space=space, by=asker, body="Primera pregunta")
    second = make_root(space=space, by=asker, body="Segunda pregunta")
    for person in (a, b):
        marks.support_question(db.session, person, first.id)
    db.session.commit()
    page = text(client.get(f"/espacios/{space.id}"))
    assert page.index("Primera pregunta") < page.index("Segunda pregunta")
    newest = text(client.get(f"/espacios/{space.id}?orden=time"))
    assert newest.index("Segunda pregunta") < newest.index("Primera pregunta")
    auth.login(a)
    assert client.post(f"/posts/{first.id}/apoyar").status_code == 409  # twice
    assert client.post(f"/posts/{second.id}/apoyar").status_code == 302
    assert client.post(f"/posts/{second.id}/retirar-apoyo").status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, first.id).support_count == 2
    assert db.session.get(Post, second.id).support_count == 0
    auth.logout()
    auth.login(asker)
    assert client.post(f"/posts/{first.id}/apoyar").status_code == 403  # own question
    assert db.session.scalar(select(func.count()).select_from(Support)) == 2


def test_speaker_answers_inline_and_marks_answered(client, auth):
    facilitator, speaker, asker = make_user(role=Role.FACILITATOR), make_user(), make_user()
    space = make_space(kind="conference", by=facilitator)
    auth.login(facilitator)
    client.post(f"/espacios/{space.id}/ponentes", data={"email": speaker.email})
    bad = client.post(f"/espacios/{space.id}/ponentes", data={"email": "nadie@example.org"})
    assert bad.status_code == 422 and 'value="nadie@example.org"' in text(bad)
    auth.logout()
    question = make_root(space=space, by=asker, body="¿Cómo financiaron los mapas?")
    comment = make_reply(to=question, by=make_user(), body="Yo también quiero saber.")
    assert comment.kind == "comment" and not db.session.get(Post, question.id).answered
    auth.login(speaker)
    client.post(f"/posts/{question.id}/responder", data={"body": "Con fondos municipales."})
    db.session.expire_all()
    answer = db.session.scalar(select(Post).where(Post.kind == "answer"))
    assert answer.body == "Con fondos municipales."
    assert db.session.get(Post, question.id).answered
    page = text(client.get(f"/espacios/{space.id}"))
    assert "Con fondos municipales." in page
    unmark = client.post(f"/posts/{question.id}/respondida", data={"answered": "0"})
    assert unmark.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Post, question.id).answered
    auth.logout()
    auth.login(asker)
    assert client.post(f"/posts/{question.id}/respondida").status_code == 403


def test_held_questions_wait_and_the_page_says_how_many(client, auth):
    space = make_space(kind="conference", hold_questions="1")
    asker = make_user()
    held = make_root(space=space, by=asker, body="Pregunta retenida para revisión")
    assert held.status == "held"
    assert "Pregunta retenida" not in text(client.get(f"/espacios/{space.id}"))
    assert re.search(r"revisi[oó]n|review", text(client.get(f"/espacios/{space.id}")))
    auth.login(asker)
    assert "Pregunta retenida" in text(client.get(f"/espacios/{space.id}"))  # the author sees it


def test_conference_window(app):
    space = make_space(kind="conference")
    assert services.window(space) == ""
    space.starts_at = services.now() + timedelta(hours=1)
    space.ends_at = services.now() + timedelta(hours=2)
    assert services.window(space) == "upcoming"
    assert services.window(space, services.now() + timedelta(minutes=90)) == "live"
    assert services.window(space, services.now() + timedelta(hours=3)) == "ended"


# --- debate table -------------------------------------------------------------------------

def test_one_position_each_revisable_with_history(client, auth):
    space = make_space(kind="debate")
    person = make_user(country="PE")
    auth.login(person)
    missing = client.post(f"/espacios/{space.id}/publicar",
                          data={"body": "Mi argumento desde Cusco"})
    assert missing.status_code == 422 and "Mi argumento desde Cusco" in text(missing)
    assert posts() == 0
    ok = client.post(f"/espacios/{space.id}/publicar",
                     data={"stance": "for", "body": "Desde nuestra mancomunidad funcionó."})
    assert ok.status_code == 302
    second = client.post(f"/espacios/{space.id}/publicar",
                         data={"stance": "against", "body": "Otra posición"})
    assert second.status_code == 409 and "Otra posición" in text(second)
    assert posts() == 1
    position = db.session.scalar(select(Post))
    client.post(f"/posts/{position.id}/editar",
                data={"stance": "nuanced", "body": "Funcionó, con matices."})
    db.session.expire_all()
    position = db.session.get(Post, position.id)
    assert position.stance == "nuanced" and position.edited_at is not None
    revision = db.session.scalar(select(PostRevision))
    assert revision.snapshot["stance"] == "for"
    assert "Desde nuestra mancomunidad" in text(client.get(f"/posts/{position.id}/editar"))


def test_balance_by_country_and_closed_table_is_read_only(client, auth):
    facilitator = make_user(role=Role.FACILITATOR)
    space = make_space(kind="debate", by=facilitator)
    for country, stance in (("BO", "for"), ("BO", "against"), ("PE", "for")):
        make_root(space=space, by=make_user(country=country), stance=stance)
    page = text(client.get(f"/espacios/{space.id}"))
    bolivia = re.search(r"Bolivia</th>((?:<td>\d+</td>)+)", page).group(1)
    assert re.findall(r"\d+", bolivia) == ["1", "1", "0"]
    auth.login(facilitator)
    empty = client.post(f"/espacios/{space.id}/sintesis", data={"synthesis": " "})
    assert empty.status_code == 422
    client.post(f"/espacios/{space.id}/sintesis",
                data={"synthesis": "Las posiciones coinciden en la **planificación**."})
    auth.logout()
    late = make_user()
    auth.login(late)
    refused = client.post(f"/espacios/{space.id}/publicar",
                          data={"stance": "for", "body": "Llego tarde"})
    assert refused.status_code == 403 and posts() == 3
    page = text(client.get(f"/espacios/{space.id}"))
    assert page.index("<strong>planificación</strong>") < page.index('class="positions"')


# --- contribution, innovation, workshop ---------------------------------------------------

def test_contribution_threads_nest_to_a_sensible_depth(client):
    space = make_space(kind="contribution")
    people = [make_user() for _ in range(3)]
    root = make_root(space=space, by=people[0], title="Ferias de productores")
    parent = root
    for level in range(6):
        parent = make_reply(to=parent, by=people[level % 3], body=f"nivel {level + 1}")
    depths = [p.depth for p in db.session.scalars(select(Post).order_by(Post.id))]
    assert max(depths) == space.rules.reply_depth == 4
    page = text(client.get(f"/espacios/{space.id}/hilos/{root.id}"))
    assert all(f"nivel {n}" in page for n in range(1, 7))


def test_innovation_cites_a_sheet_and_the_sheet_counts_it(client):
    owner = make_user()
    ficha = make_ficha(owner=owner, lessons="Los acuerdos comunales sostienen el riego.")
    space = make_space(kind="innovation")
    author = make_user()
    post = make_root(space=space, by=author, title="Riego por turnos acordados",
                     before="Cada familia regaba cuando podía.", change="Turnos en asamblea.",
                     why="Nadie lo hacía en la cuenca.", evidence="30 % menos conflictos.",
                     cites_fichas=[str(ficha.id)])
    assert post.fields_html["change"].startswith("<p>Turnos")
    page = text(client.get(f"/espacios/{space.id}/hilos/{post.id}"))
    assert "Cada familia regaba" in page and "30 % menos conflictos" in page
    sheet = text(client.get(f"/fichas/{ficha.id}"))
    assert re.search(r"1 (innovación|innovation)", sheet)


def test_workshop_helped_resolved_and_the_closed_loop(client, auth, app):
    space = make_space(kind="workshop")
    author, peer, stranger = make_user(), make_user(), make_user()
    dilemma = make_root(space=space, by=author, title="Rotación del personal técnico",
                        context="Cada seis meses cambia el equipo.", options="Convenios")
    first = make_reply(to=dilemma, by=peer, body="Primera respuesta")
    useful = make_reply(to=dilemma, by=peer, body="Respuesta que sirvió")
    auth.login(stranger)
    assert client.post(f"/posts/{useful.id}/ayudo").status_code == 403
    auth.logout()
    auth.login(author)
    assert client.post(f"/posts/{useful.id}/ayudo", data={"in_thread": "1"}).status_code == 302
    page = text(client.get(f"/espacios/{space.id}/hilos/{dilemma.id}"))
    assert page.index("Respuesta que sirvió") < page.index("Primera respuesta")
    empty = client.post(f"/posts/{dilemma.id}/resolver", data={"will_try": "", "in_thread": "1"})
    assert empty.status_code == 422
    client.post(f"/posts/{dilemma.id}/resolver",
                data={"will_try": "Un convenio con la universidad.", "in_thread": "1"})
    db.session.expire_all()
    assert db.session.get(Post, dilemma.id).resolved
    assert marks.due_followups(db.session) == []
    later = services.now() + timedelta(days=22)
    assert [p.id for p in marks.due_followups(db.session, later)] == [dilemma.id]
    client.post(f"/posts/{dilemma.id}/seguimiento",
                data={"followup": "Funcionó: el equipo se quedó.", "in_thread": "1"})
    page = text(client.get(f"/espacios/{space.id}/hilos/{dilemma.id}"))
    assert "Funcionó: el equipo se quedó." in page and "Un convenio con la universidad." in page
    assert marks.due_followups(db.session, later) == []
    assert first.id  # the unhelpful reply stays, just lower


# --- permissions, edits, deletion, mentions ------------------------------------------------

def test_locked_thread_and_someone_elses_post_are_refused(client, auth):
    space = make_space(kind="contribution")
    author, other = make_user(), make_user()
    root = make_root(space=space, by=author)
    root.locked = True
    db.session.commit()
    auth.login(other)
    assert client.post(f"/posts/{root.id}/responder", data={"body": "hola"}).status_code == 403
    assert client.post(f"/posts/{root.id}/editar", data={"body": "cambiado"}).status_code == 403
    assert client.post(f"/posts/{root.id}/borrar").status_code == 403
    db.session.expire_all()
    assert db.session.get(Post, root.id).body == "Texto del aporte." and posts() == 1


def members_only_space(facilitator, member, title: str):  # noqa: ANN001, ANN201
    """A contribution space of a new community whose one member is `member`."""
    community = Community(name=f"Comunidad de {title}", created_by_id=facilitator.id)
    db.session.add(community)
    db.session.flush()
    db.session.add(Membership(community_id=community.id, user_id=member.id))
    db.session.commit()
    return make_space(kind="contribution", by=facilitator, community_id=community.id,
                      members_only="1", title=title)


def test_members_only_space_is_invisible_to_strangers(client, auth):
    facilitator, member, stranger = make_user(role=Role.FACILITATOR), make_user(), make_user()
    space = members_only_space(facilitator, member, "Solo miembros")
    assert client.get(f"/espacios/{space.id}").status_code == 404
    assert "Solo miembros" not in text(client.get("/espacios/"))
    auth.login(stranger)
    assert client.post(f"/espacios/{space.id}/publicar",
                       data={"title": "x", "body": "y"}).status_code == 404
    auth.logout()
    auth.login(member)
    assert client.get(f"/espacios/{space.id}").status_code == 200
    assert client.post(f"/espacios/{space.id}/publicar",
                       data={"title": "Aporte", "body": "Texto"}).status_code == 302


def test_a_members_only_space_that_lost_its_community_stays_closed(client, auth):
    """Communities are removed with ON DELETE SET NULL: the space must not open to everyone
    (the page and the list agree: nobody but facilitators)."""
    facilitator, member = make_user(role=Role.FACILITATOR), make_user()
    space = members_only_space(facilitator, member, "Reservado al riego")
    db.session.execute(Space.__table__.update().where(Space.id == space.id)
                       .values(community_id=None))
    db.session.commit()
    for person in (None, member):
        if person:
            auth.login(person)
        assert client.get(f"/espacios/{space.id}").status_code == 404
        assert "Reservado al riego" not in text(client.get("/espacios/"))
    auth.logout()
    auth.login(facilitator)
    assert client.get(f"/espacios/{space.id}").status_code == 200
    assert "Reservado al riego" in text(client.get("/espacios/"))


def test_soft_delete_keeps_the_thread_and_edits_are_marked(client, auth):
    space = make_space(kind="contribution")
    author, replier = make_user(), make_user()
    root = make_root(space=space, by=author, body="Texto que se borrará")
    make_reply(to=root, by=replier, body="La respuesta sigue")
    auth.login(author)
    client.post(f"/posts/{root.id}/borrar")
    page = text(client.get(f"/espacios/{space.id}/hilos/{root.id}"))
    assert "Texto que se borrará" not in page and "La respuesta sigue" in page


def test_mentions_link_to_the_person(app):
    space = make_space(kind="contribution")
    rosa = make_user(name="Rosa Mamani")
    post = make_root(space=space, by=make_user(), body="Gracias @Rosa_Mamani y @nadie.")
    assert f'href="/personas/{rosa.id}">@Rosa_Mamani</a>' in post.body_html
    assert "@nadie" in post.body_html and "/personas/@" not in post.body_html


def test_non_facilitator_cannot_open_or_manage_spaces(client, auth):
    auth.login(make_user())
    assert client.get("/espacios/nuevo").status_code == 403
    assert client.post("/espacios/nuevo", data={"kind": "debate", "title": "x"}).status_code == 403
    space = make_space(kind="debate")
    assert client.post(f"/espacios/{space.id}/estado", data={"state": "closed"}).status_code == 403
    assert client.post(f"/espacios/{space.id}/sintesis", data={"synthesis": "x"}).status_code == 403


def test_facilitator_opens_a_space_and_bad_input_keeps_text(client, auth):
    auth.login(make_user(role=Role.FACILITATOR))
    bad = client.post("/espacios/nuevo", data={"kind": "conference", "title": "",
                                              "framing": "Marco escrito con cuidado",
                                              "video_url": "https://evil.example/v"})
    assert bad.status_code == 422 and "Marco escrito con cuidado" in text(bad)
    ok = client.post("/espacios/nuevo", data={"kind": "conference", "title": "Cooperación sur-sur",
                                             "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"})
    assert ok.status_code == 302
    page = client.get(ok.headers["Location"] + "?video=1")
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in text(page)
    assert "<iframe" not in text(client.get(ok.headers["Location"]))  # click to load


@pytest.mark.parametrize("kind, count", [("debate", 200), ("conference", 300)])
def test_big_pages_use_a_fixed_number_of_queries(client, auth, kind, count):
    space = make_space(kind=kind)
    people = [make_user(country=c) for c in ("BO", "PE", "EC", "MX")]
    for n in range(count):
        data = {"kind": "position" if kind == "debate" else "question", "space_id": space.id,
                "author_id": people[n % 4].id, "body": f"texto {n}", "body_html": f"<p>{n}</p>",
                "stance": ("for", "against", "nuanced")[n % 3] if kind == "debate" else ""}
        db.session.add(Post(**data))
    db.session.commit()
    db.session.execute(Post.__table__.update().values(root_id=Post.id))
    db.session.commit()
    root = db.session.scalar(select(Post).limit(1))
    for n in range(20):
        make_reply(to=root, by=people[n % 4], body=f"respuesta {n}")
    auth.login(people[0])
    url = f"/espacios/{space.id}"
    with count_queries(db.engine) as counter:
        assert client.get(url).status_code == 200
    # the first view of a space revision also reads the library's recommended readings,
    # kept per revision for everyone after it
    assert counter.count <= 9, counter.statements
    with count_queries(db.engine) as counter:
        assert client.get(url).status_code == 200
    assert counter.count <= 8, counter.statements


def test_visitors_cached_space_page_changes_with_every_post_and_mark(client):
    space = make_space(kind="conference")
    asker, fan = make_user(), make_user()
    question = make_root(space=space, by=asker, body="Pregunta uno")
    first = client.get(f"/espacios/{space.id}")
    assert "Pregunta uno" in text(first) and first.headers.get("ETag")
    assert client.get(f"/espacios/{space.id}",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    make_root(space=space, by=asker, body="Pregunta dos")
    assert "Pregunta dos" in text(client.get(f"/espacios/{space.id}"))
    marks.support_question(db.session, fan, question.id)
    db.session.commit()
    assert re.search(r"1 (apoyo|support)", text(client.get(f"/espacios/{space.id}")))
    url = f"/espacios/{space.id}"
    with count_queries(db.engine) as counter:
        client.get(url)
    assert counter.count == 1


def test_speaker_attaches_slides_served_as_download(client, auth, app):
    import io

    facilitator, speaker, stranger = make_user(role=Role.FACILITATOR), make_user(), make_user()
    space = make_space(kind="conference", by=facilitator)
    services.add_speaker(db.session, facilitator, space.id, speaker.email)
    db.session.commit()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    auth.login(stranger)
    refused = client.post(f"/espacios/{space.id}/archivos", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(pdf), "diapositivas.pdf")})
    assert refused.status_code == 403
    auth.logout()
    auth.login(speaker)
    bad = client.post(f"/espacios/{space.id}/archivos", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"<html>x</html>"), "diapositivas.pdf")})
    assert bad.status_code == 422
    ok = client.post(f"/espacios/{space.id}/archivos", content_type="multipart/form-data",
                     data={"file": (io.BytesIO(pdf), "Diapositivas Año 2026.pdf")})
    assert ok.status_code == 302
    page = text(client.get(f"/espacios/{space.id}"))
    link = re.search(r'href="(/espacios/archivos/\d+/[^"]+)"', page).group(1)
    auth.logout()
    download = client.get(link)
    assert download.data == pdf and download.headers["Content-Disposition"].startswith(
        "attachment")
    download.close()


def test_innovation_can_cite_a_debate_synthesis_through_the_form(client, auth):
    facilitator = make_user(role=Role.FACILITATOR)
    table = make_space(kind="debate", by=facilitator, title="Mesa de mancomunidades")
    services.close_with_synthesis(db.session, facilitator, table.id, "Síntesis de la mesa.")
    db.session.commit()
    space = make_space(kind="innovation", by=facilitator)
    auth.login(make_user())
    form = text(client.get(f"/espacios/{space.id}"))
    assert "Mesa de mancomunidades" in form
    response = client.post(f"/espacios/{space.id}/publicar", data={
        "title": "Fondo común", "body": "Lo tomamos de la mesa.", "cites_spaces": str(table.id)})
    assert response.status_code == 302
    from forum.spaces.models import Citation

    assert db.session.scalar(select(Citation.space_id)) == table.id
    bad = client.post(f"/espacios/{space.id}/publicar", data={
        "title": "Otra", "body": "x", "cites_spaces": str(space.id)})  # no synthesis there
    assert bad.status_code == 422


def test_long_spaces_are_paged_and_the_balance_counts_every_position(client, auth):
    space = make_space(kind="debate")
    for n in range(35):
        make_root(space=space, by=make_user(country="BO"), stance="for", body=f"posición {n:02d}")
    first = text(client.get(f"/espacios/{space.id}"))
    assert first.count('class="post post-position') == 30 and 'rel="next"' in first
    bolivia = re.findall(r"Bolivia</th>((?:<td>\d+</td>)+)", first)
    assert bolivia == ["<td>35</td><td>0</td><td>0</td>"]
    second = text(client.get(f"/espacios/{space.id}?pagina=2"))
    assert second.count('class="post post-position') == 5 and 'rel="prev"' in second


def test_replying_to_a_reply_on_its_own_page(client, auth):
    space = make_space(kind="debate")
    position = make_root(space=space, by=make_user())
    comment = make_reply(to=position, by=make_user(), body="Un comentario")
    auth.login(make_user())
    page = text(client.get(f"/espacios/{space.id}"))
    assert f'href="/posts/{comment.id}/responder"' in page
    assert f'action="/posts/{comment.id}/responder"' not in page  # no form under every reply
    form = client.get(f"/posts/{comment.id}/responder")
    assert form.status_code == 200 and "Un comentario" in text(form)
    assert client.post(f"/posts/{comment.id}/responder",
                       data={"body": "Respuesta a la respuesta"}).status_code == 302
    assert "Respuesta a la respuesta" in text(client.get(f"/espacios/{space.id}"))


def _logged_in(app, person):
    client = app.test_client()
    assert client.post("/entrar", data={"email": person.email,
                                        "password": PASSWORD}).status_code == 302
    return client


def test_a_shared_debate_page_still_shows_each_person_their_own_header_and_sheets(app):
    table = make_space(kind="debate")
    make_root(space=table, by=make_user(), kind="position", stance="for", body="A favor")
    ana, luis = make_user(name="Ana Quispe"), make_user(name="Luis Mamani", country="MX")
    make_ficha(owner=ana, title="Huertos escolares en Tarija")
    elsewhere = make_space(kind="contribution")
    mine = make_root(space=elsewhere, by=luis, body="Lo que aprendimos")
    make_reply(to=mine, by=ana, body="Gracias por compartirlo")  # Luis gets a notification
    pages = {}
    for person in (ana, luis, ana):  # Ana twice: the second time from the shared rendering
        pages[person.display_name] = text(_logged_in(app, person).get(f"/espacios/{table.id}"))
    assert "Ana Quispe" in pages["Ana Quispe"] and "Luis Mamani" not in pages["Ana Quispe"]
    assert "Luis Mamani" in pages["Luis Mamani"] and "Ana Quispe" not in pages["Luis Mamani"]
    assert "Huertos escolares en Tarija" in pages["Ana Quispe"]  # her sheet, to link
    assert "Huertos escolares en Tarija" not in pages["Luis Mamani"]
    assert re.search(r'Avisos <span class="count">1</span>', pages["Luis Mamani"])
    assert 'class="count">' not in pages["Ana Quispe"].split("</header>")[0]
    for page in pages.values():
        assert "A favor" in page and "\x00" not in page


def test_a_shared_page_follows_new_posts_and_is_never_given_to_facilitators(app):
    table = make_space(kind="debate")
    reader, author = make_user(), make_user()
    facilitator = make_user(role=Role.FACILITATOR)
    url = f"/espacios/{table.id}"
    first = text(_logged_in(app, reader).get(url))
    assert "Una razón nueva" not in first
    make_root(space=table, by=author, kind="position", stance="against", body="Una razón nueva")
    assert "Una razón nueva" in text(_logged_in(app, reader).get(url))
    moderating = text(_logged_in(app, facilitator).get(url))
    assert "/moderacion" in moderating and "Ocultar" in moderating  # their own controls
    assert "Ocultar" not in text(_logged_in(app, reader).get(url))


def test_a_flashed_message_is_shown_on_a_page_others_share(app):
    space = make_space(kind="conference")
    make_root(space=space, by=make_user(), body="¿Una pregunta?")
    client = _logged_in(app, make_user())
    client.get(f"/espacios/{space.id}")  # the shared rendering exists
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Mensaje solo para ti")]
    assert "Mensaje solo para ti" in text(client.get(f"/espacios/{space.id}"))
    assert "Mensaje solo para ti" not in text(_logged_in(app, make_user()).get(
        f"/espacios/{space.id}"))


def test_participants_with_nothing_here_share_one_rendering_but_keep_their_own_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    space = make_space(kind="conference")
    question = make_root(space=space, by=make_user(), body="¿Cuántas familias participan?")
    url = f"/espacios/{space.id}"
    visits = []
    for name in ("Ana", "Luis"):
        client = app.test_client()
        person = make_user(name=name)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          text(client.get("/entrar"))).group(1)
        client.post("/entrar", data={"email": person.email, "password": "clave-de-prueba-123",
                                     "csrf_token": token})
        with count_queries(db.engine) as counter:
            page = text(client.get(url))
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        assert len(tokens) == 1 and "\x00" not in page
        assert "¿Cuántas familias participan?" in page
        visits.append((client, tokens.pop(), counter.count))
    assert visits[1][2] < visits[0][2]  # the second came from the shared rendering
    for client, token, _count in visits:  # and each one's own token works
        support = client.post(f"/posts/{question.id}/apoyar", data={"csrf_token": token})
        assert support.status_code == 302
        assert 'aria-pressed="true"' in text(client.get(url))  # now rendered for them
    db.session.expire_all()
    assert db.session.get(Post, question.id).support_count == 2
