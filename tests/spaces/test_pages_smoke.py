"""Every kind's pages render for visitors, participants and facilitators."""

import pytest

from forum.accounts.models import Role
from tests.conftest import make_user
from tests.spaces.factories import make_reply, make_root, make_space

KINDS = ["conference", "debate", "contribution", "innovation", "workshop"]


@pytest.mark.parametrize("kind", KINDS)
def test_space_pages_render_for_everyone(client, auth, kind):
    facilitator = make_user(role=Role.FACILITATOR)
    author, other = make_user(), make_user()
    space = make_space(kind=kind, by=facilitator, video_url="https://youtu.be/dQw4w9WgXcQ",
                       summary="Resumen escrito.")
    root = make_root(space=space, by=author)
    make_reply(to=root, by=other)
    pages = ["/espacios/", f"/espacios/?tipo={kind}", f"/espacios/{space.id}",
             f"/espacios/{space.id}/hilos/{root.id}", f"/espacios/{space.id}?video=1"]
    for who in (None, author, facilitator):
        if who:
            auth.login(who)
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, (who, path, response.get_data(as_text=True)[-800:])
        if who:
            auth.logout()
    auth.login(facilitator)
    assert client.get(f"/espacios/{space.id}/editar").status_code == 200
    assert client.get(f"/posts/{root.id}/editar").status_code == 200
    assert client.get("/espacios/nuevo").status_code == 200
