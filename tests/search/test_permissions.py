"""Nobody finds what they may not read: not in results, counts, snippets or suggestions.

The rule is the one of core.permissions (visible_spaces, visible_posts), applied inside the
search query; the last test checks both forms agree over every kind of reader and post.
"""

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.communities import services as communities
from forum.core import permissions
from forum.extensions import db
from forum.spaces import moderation, posting
from forum.spaces import services as spaces
from forum.spaces.kinds import PostStatus
from forum.spaces.models import Post, Space
from tests.communities.factories import make_community
from tests.conftest import make_user
from tests.search.conftest import facet, keys
from tests.spaces.factories import make_reply, make_root, make_space

pytestmark = pytest.mark.both_backends


@pytest.fixture
def people():  # noqa: ANN201
    return {"author": make_user(name="Autora"), "other": make_user(name="Otra"),
            "fac": make_user(role=Role.FACILITATOR, name="Facilitadora"), "visitor": None}


def test_a_hidden_post_is_not_found_counted_or_suggested(find, people):
    space = make_space(kind="contribution", by=people["fac"])
    shown = make_root(space=space, by=people["other"], title="Riego", body="Riego y zanjas.")
    hidden = make_root(space=space, by=people["author"], title="Zarzamora",
                       body="La zarzamora silvestre invade las zanjas de riego.")
    moderation.hide_post(db.session, people["fac"], hidden.id, "Fuera de tema")
    db.session.commit()
    for reader in (people["visitor"], people["other"]):
        assert find("zarzamora", reader).total == 0
        page = find("riego", reader)
        assert keys(page) == [f"post:{shown.id}"] and page.total == 1
        assert facet(page, "kind") == {"contribution": 1}
        assert sum(facet(page, "author").values()) == 1
        assert all("zarzamora" not in r.snippet for r in page.results)
        assert find("zarsamora", reader).suggestion is None  # its word is not offered either
        assert find("silvestre", reader).total == 0
    # its author and the facilitators still find it (they can read it on the page)
    assert keys(find("zarzamora", people["author"])) == [f"post:{hidden.id}"]
    assert keys(find("zarzamora", people["fac"])) == [f"post:{hidden.id}"]
    assert find("zarsamora", people["author"]).suggestion.query == "zarzamora"
    moderation.restore_post(db.session, people["fac"], hidden.id)
    db.session.commit()
    assert find("zarzamora", people["other"]).total == 1


def test_held_and_dismissed_posts_stay_with_their_author(find, people):
    conference = make_space(kind="conference", by=people["fac"], hold_questions="1")
    question = make_root(space=conference, by=people["author"], body="¿Y la yareta?")
    assert question.status == PostStatus.HELD
    assert find("yareta", people["other"]).total == 0
    assert find("yareta", people["author"]).total == 1
    moderation.dismiss_held(db.session, people["fac"], question.id)
    db.session.commit()
    assert find("yareta", people["other"]).total == 0
    assert find("yareta", people["fac"]).total == 1


def test_deleted_posts_are_gone_for_everyone(find, people):
    space = make_space(kind="contribution", by=people["fac"])
    post = make_root(space=space, by=people["author"], title="Tola", body="La tola del altiplano.")
    posting.delete_post(db.session, people["author"], post.id)
    db.session.commit()
    for reader in people.values():
        assert find("tola", reader).total == 0


def test_members_only_spaces_are_for_their_members(find, people):
    community = make_community(by=people["fac"], name="Quinueros")
    member = make_user(name="Socia")
    communities.join_community(db.session, member, community.id)
    db.session.commit()
    space = make_space(kind="debate", by=people["fac"], title="Mesa cerrada",
                       framing="Precio de la quinua real.", community_id=community.id,
                       members_only="1")
    position = make_root(space=space, by=member, body="La quinua real merece sello propio.")
    reply = make_reply(to=position, by=people["fac"], body="El sello de la quinua real.")
    inside = {f"space:{space.id}", f"post:{position.id}", f"post:{reply.id}"}
    for reader in (people["visitor"], people["other"]):
        page = find("quinua", reader)
        assert page.total == 0 and page.facets.get("kind", []) == []
        assert find("quinu", reader).suggestion is None
    assert set(keys(find("quinua", member))) == inside
    assert set(keys(find("quinua", people["fac"]))) == inside
    # membership is read at search time: joining or leaving needs no reindexing
    communities.join_community(db.session, people["other"], community.id)
    db.session.commit()
    assert set(keys(find("quinua", people["other"]))) == inside
    communities.leave_community(db.session, people["other"], community.id)
    db.session.commit()
    assert find("quinua", people["other"]).total == 0


def test_a_space_closed_to_members_or_back_to_draft_leaves_results_at_once(find, people):
    community = make_community(by=people["fac"], name="Lecheros")
    space = make_space(kind="contribution", by=people["fac"], title="Leche",
                       framing="Acopio lechero.")
    post = make_root(space=space, by=people["author"], title="Acopio", body="Acopio de leche.")
    assert find("acopio", people["other"]).total == 2
    spaces.update_space(db.session, people["fac"], space.id,
                        {"title": "Leche", "framing": "Acopio lechero.",
                         "community_id": community.id, "members_only": "1"})
    db.session.commit()
    assert find("acopio", people["other"]).total == 0
    assert find("acopio", people["visitor"]).total == 0
    spaces.update_space(db.session, people["fac"], space.id,
                        {"title": "Leche", "framing": "Acopio lechero."})
    spaces.set_state(db.session, people["fac"], space.id, "draft")
    db.session.commit()
    assert find("acopio", people["author"]).total == 0  # drafts: facilitators only
    assert set(keys(find("acopio", people["fac"]))) == {f"space:{space.id}", f"post:{post.id}"}


def test_a_thread_moved_into_a_members_only_space_follows_it(find, people):
    community = make_community(by=people["fac"], name="Regantes")
    open_space = make_space(kind="contribution", by=people["fac"], title="Abierto")
    closed = make_space(kind="contribution", by=people["fac"], title="Cerrado",
                        community_id=community.id, members_only="1")
    root = make_root(space=open_space, by=people["author"], title="Q'ochas",
                     body="Las qochas guardan agua.")
    reply = make_reply(to=root, by=people["other"], body="Las qochas también en Puno.")
    assert find("qochas", people["visitor"]).total == 2
    moderation.move_thread(db.session, people["fac"], root.id, closed.id)
    db.session.commit()
    assert find("qochas", people["visitor"]).total == 0
    assert set(keys(find("qochas", people["fac"]))) == {f"post:{root.id}", f"post:{reply.id}"}
    assert {r.doc.space_id for r in find("qochas", people["fac"]).results} == {closed.id}


def test_the_search_filter_agrees_with_core_permissions(find, people):
    """Every reader x every kind of post: the search shows exactly what the pages show."""
    community = make_community(by=people["fac"], name="Tejedoras")
    member = make_user(name="Tejedora")
    communities.join_community(db.session, member, community.id)
    db.session.commit()
    public = make_space(kind="conference", by=people["fac"], hold_questions="1")
    private = make_space(kind="contribution", by=people["fac"], community_id=community.id,
                         members_only="1")
    draft = make_space(kind="contribution", by=people["fac"])
    make_root(space=draft, by=people["fac"], title="Telar", body="Telar en borrador.")
    spaces.set_state(db.session, people["fac"], draft.id, "draft")
    db.session.commit()
    held = make_root(space=public, by=people["author"], body="Telar de cintura, ¿cómo?")
    shown = make_root(space=public, by=people["other"], body="Telar de pedal, ¿dónde?")
    moderation.approve_held(db.session, people["fac"], shown.id)
    db.session.commit()
    hidden = make_root(space=public, by=member, body="Telar y tintes naturales")
    moderation.approve_held(db.session, people["fac"], hidden.id)
    moderation.hide_post(db.session, people["fac"], hidden.id, "Repetido")
    make_root(space=private, by=member, title="Telar", body="Telar comunal.")
    make_reply(to=shown, by=people["fac"], body="Un telar en Tarabuco.")
    db.session.commit()
    assert held.status == PostStatus.HELD
    for name, reader in {**people, "member": member}.items():
        visible_spaces = permissions.visible_spaces(select(Space.id), reader)
        expected = set(db.session.scalars(
            permissions.visible_posts(select(Post.id), reader)
            .where(Post.space_id.in_(visible_spaces), Post.status != PostStatus.DELETED)))
        found = {r.doc.ref_id for r in find("telar", reader, per_page=50).results
                 if r.doc.kind != "space"}
        assert found == expected, name
