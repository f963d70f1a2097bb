"""The spaces API refuses what the pages refuse, with the statuses the issue asks for."""

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.communities.models import Community, Membership
from forum.extensions import db
from forum.spaces import services
from forum.spaces.models import Post
from tests.conftest import make_user
from tests.spaces.factories import make_root, make_space

pytestmark = pytest.mark.both_backends


def posts() -> int:
    return db.session.scalar(select(func.count()).select_from(Post))


def test_read_spaces_threads_and_posts_without_account(client):
    space = make_space(kind="conference", title="Conferencia sur-sur")
    question = make_root(space=space, by=make_user(), body="¿Qué aprendieron?")
    listing = client.get("/api/v1/spaces").get_json()
    assert [s["title"] for s in listing["items"]] == ["Conferencia sur-sur"]
    threads = client.get(f"/api/v1/spaces/{space.id}/threads").get_json()["items"]
    assert threads[0]["body"] == "¿Qué aprendieron?" and threads[0]["replies"] == []
    post = client.get(f"/api/v1/posts/{question.id}").get_json()
    assert post["kind"] == "question" and "email" not in str(post)


def test_post_question_reply_and_support(client, token_for):
    space = make_space(kind="conference")
    asker, fan = make_user(), make_user()
    created = client.post(f"/api/v1/spaces/{space.id}/posts", json={"body": "¿Cuánto costó?"},
                          headers=token_for(asker))
    assert created.status_code == 201 and created.headers["Location"].endswith(
        f"/posts/{created.get_json()['id']}")
    qid = created.get_json()["id"]
    reply = client.post(f"/api/v1/posts/{qid}/replies", json={"body": "Poco."},
                        headers=token_for(fan))
    assert reply.status_code == 201 and reply.get_json()["parent_id"] == qid
    assert client.post(f"/api/v1/posts/{qid}/support", headers=token_for(fan)
                       ).get_json()["supports"] == 1
    assert client.post(f"/api/v1/posts/{qid}/support", headers=token_for(fan)).status_code == 409
    assert client.post(f"/api/v1/posts/{qid}/support", headers=token_for(asker)).status_code == 403
    assert client.delete(f"/api/v1/posts/{qid}/support", headers=token_for(fan)
                         ).get_json()["supports"] == 0


def test_refusals_match_the_issue(client, token_for):
    facilitator = make_user(role=Role.FACILITATOR)
    debater, stranger = make_user(), make_user()
    table = make_space(kind="debate", by=facilitator)
    headers = token_for(debater)
    first = client.post(f"/api/v1/spaces/{table.id}/posts",
                        json={"stance": "for", "body": "Sí, desde Guaqui."}, headers=headers)
    assert first.status_code == 201
    second = client.post(f"/api/v1/spaces/{table.id}/posts",
                         json={"stance": "against", "body": "Otra"}, headers=headers)
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "conflict"
    bad = client.post(f"/api/v1/spaces/{table.id}/posts", json={"stance": "maybe"},
                      headers=token_for(stranger))
    assert bad.status_code == 422 and {"stance", "body"} <= set(bad.get_json()["error"]["fields"])
    other = client.put(f"/api/v1/posts/{first.get_json()['id']}", json={"body": "cambio"},
                       headers=token_for(stranger))
    assert other.status_code == 403
    services.close_with_synthesis(db.session, facilitator, table.id, "Síntesis.")
    db.session.commit()
    closed = client.post(f"/api/v1/spaces/{table.id}/posts",
                         json={"stance": "for", "body": "tarde"}, headers=token_for(stranger))
    assert closed.status_code == 403
    assert client.post(f"/api/v1/spaces/{table.id}/posts", json={"body": "x"}).status_code == 401
    assert posts() == 1


def test_locked_thread_and_group_space(client, token_for):
    facilitator, member, stranger = make_user(role=Role.FACILITATOR), make_user(), make_user()
    space = make_space(kind="contribution", by=facilitator)
    root = make_root(space=space, by=member)
    root.locked = True
    community = Community(name="Mancomunidades", created_by_id=facilitator.id)
    db.session.add(community)
    db.session.flush()
    db.session.add(Membership(community_id=community.id, user_id=member.id))
    db.session.commit()
    locked = client.post(f"/api/v1/posts/{root.id}/replies", json={"body": "hola"},
                         headers=token_for(stranger))
    assert locked.status_code == 403
    group = make_space(kind="contribution", by=facilitator, community_id=community.id,
                       members_only="1")
    outsider = client.post(f"/api/v1/spaces/{group.id}/posts",
                           json={"title": "t", "body": "b"}, headers=token_for(stranger))
    assert outsider.status_code == 404
    assert client.get(f"/api/v1/spaces/{group.id}").status_code == 404
    inside = client.post(f"/api/v1/spaces/{group.id}/posts", json={"title": "t", "body": "b"},
                         headers=token_for(member))
    assert inside.status_code == 201
    assert posts() == 2


def test_posting_is_rate_limited_per_person(tmp_path, backend):
    from forum import create_app

    limited = create_app({"CONFIG": "TestConfig", "RATELIMIT_ENABLED": True,
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'limited.db'}",
                          "INSTANCE_PATH": str(tmp_path / "limited"),
                          "POST_RATE_LIMIT": "2 per minute"})
    with limited.app_context():
        db.create_all()
        try:
            from forum.accounts import services as accounts

            space = make_space(kind="contribution")
            client = limited.test_client()
            heads = []
            for person in (make_user(), make_user()):
                secret = accounts.create_token(db.session, person, "t")[1]
                heads.append({"Authorization": f"Bearer {secret}"})
            db.session.commit()
            body = {"title": "Aporte", "body": "Texto"}
            first = [client.post(f"/api/v1/spaces/{space.id}/posts", json=body,
                                 headers=heads[0]).status_code for _ in range(3)]
            assert first == [201, 201, 429]
            assert client.post(f"/api/v1/spaces/{space.id}/posts", json=body,
                               headers=heads[1]).status_code == 201  # another person
        finally:
            db.session.remove()
            db.engine.dispose()


def test_moderation_over_the_api_is_for_facilitators(client, token_for):
    from forum.spaces.models import AuditEntry

    facilitator, author, other = make_user(role=Role.FACILITATOR), make_user(), make_user()
    space = make_space(kind="contribution", by=facilitator)
    post = make_root(space=space, by=author)
    refused = client.post(f"/api/v1/posts/{post.id}/moderation/hide",
                          json={"reason": "Publicidad"}, headers=token_for(other))
    assert refused.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    no_reason = client.post(f"/api/v1/posts/{post.id}/moderation/hide", json={"reason": ""},
                            headers=token_for(facilitator))
    assert no_reason.status_code == 422
    hidden = client.post(f"/api/v1/posts/{post.id}/moderation/hide",
                         json={"reason": "Publicidad"}, headers=token_for(facilitator))
    assert hidden.status_code == 200 and hidden.get_json()["status"] == "hidden"
    again = client.post(f"/api/v1/posts/{post.id}/moderation/hide",
                        json={"reason": "Otra vez"}, headers=token_for(facilitator))
    assert again.status_code == 409
    locked = client.post(f"/api/v1/posts/{post.id}/moderation/lock",
                         headers=token_for(facilitator))
    assert locked.status_code == 200 and locked.get_json()["locked"]
    assert client.post(f"/api/v1/posts/{post.id}/moderation/explode",
                       headers=token_for(facilitator)).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 2


def test_flags_over_the_api(client, token_for):
    space = make_space(kind="contribution")
    author, reader = make_user(), make_user()
    post = make_root(space=space, by=author)
    made = client.post(f"/api/v1/posts/{post.id}/flags", json={"reason": "Datos personales"},
                       headers=token_for(reader))
    assert made.status_code == 201
    twice = client.post(f"/api/v1/posts/{post.id}/flags", json={"reason": "Otra vez"},
                        headers=token_for(reader))
    assert twice.status_code == 409
    assert client.post(f"/api/v1/posts/{post.id}/flags", json={"reason": "x"}).status_code == 401
