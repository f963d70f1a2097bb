"""Feeds and the sitemap: what a visitor may read, in formats machines read.

Everything here is what a visitor sees (a feed reader has no session): members-only and
draft spaces have no feed, hidden, held and deleted posts are left out.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from flask import Blueprint, Response
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.communities.models import Call, Community
from forum.core import permissions
from forum.core.errors import NotFound
from forum.core.slugs import Ref
from forum.core.web import absolute_url
from forum.extensions import db
from forum.feeds.atom import Entry, feed, stamp
from forum.fichas.models import Ficha
from forum.spaces.kinds import KINDS, PostStatus, SpaceKind
from forum.spaces.models import Post, Space

bp = Blueprint("feeds", __name__)

ENTRIES = 30
ATOM_TYPE = "application/atom+xml; charset=utf-8"
LISTED = (SpaceKind.CONFERENCE, SpaceKind.DEBATE)  # their posts live on the space page


def _atom(body: bytes) -> Response:
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Content-Type"] = ATOM_TYPE
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/fichas/feed.atom")
def fichas_feed() -> Response:
    """The newest experience sheets."""
    sheets = db.session.scalars(
        permissions.visible_fichas(select(Ficha), None).options(joinedload(Ficha.owner))
        .order_by(Ficha.created_at.desc(), Ficha.id.desc()).limit(ENTRIES)).all()
    entries = [Entry(id=absolute_url("fichas.show", ficha_id=f.id), title=f.title,
                     link=absolute_url("fichas.show", ficha_id=f), updated=f.updated_at,
                     author=f.owner.display_name, summary=f.summary,
                     content_html=f.lessons_html) for f in sheets]
    return _atom(feed(title=_("New experience sheets"), feed_id=absolute_url("feeds.fichas_feed"),
                      self_url=absolute_url("feeds.fichas_feed"),
                      page_url=absolute_url("fichas.index"), entries=entries,
                      language=str(get_locale())))


def _post_entries(query) -> list[Entry]:  # noqa: ANN001 - a select of posts
    posts = db.session.scalars(
        permissions.visible_posts(query, None)
        .where(Post.status == PostStatus.VISIBLE.value)
        .options(joinedload(Post.author), joinedload(Post.space))
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(ENTRIES)).unique().all()
    return [_entry(post) for post in posts]


def _entry(post: Post) -> Entry:
    space = post.space
    if space.kind in LISTED or not post.root_id:
        link = absolute_url("spaces.show", space_id=space.id, _anchor=f"post-{post.id}")
    else:
        link = absolute_url("spaces.thread", space_id=space.id, root_id=post.root_id,
                            _anchor=f"post-{post.id}")
    title = post.title if post.title and post.is_root else _(
        "%(who)s in “%(space)s”", who=post.author.display_name, space=space.title)
    return Entry(id=link, title=title, link=link, updated=post.edited_at or post.created_at,
                 author=post.author.display_name, content_html=post.body_html)


def _public_space(space_id: int) -> Space:
    space = db.session.get(Space, space_id)
    if space is None or not permissions.can_view_space(None, space):
        raise NotFound(_("This space does not exist or is not open to you."))
    return space


@bp.get("/espacios/<int:space_id>/feed.atom")
def space_feed(space_id: int) -> Response:
    space = _public_space(space_id)
    entries = _post_entries(select(Post).where(Post.space_id == space.id))
    return _atom(feed(title=f"{space.title} · {KINDS[space.kind].label}",
                      feed_id=absolute_url("feeds.space_feed", space_id=space.id),
                      self_url=absolute_url("feeds.space_feed", space_id=space.id),
                      page_url=absolute_url("spaces.show", space_id=space),
                      entries=entries, language=str(get_locale())))


@bp.get("/comunidades/<int:community_id>/feed.atom")
def community_feed(community_id: int) -> Response:
    """What is said in the community's open spaces."""
    community = db.session.get(Community, community_id)
    if community is None:
        raise NotFound(_("This community does not exist."))
    public = permissions.visible_spaces(select(Space.id), None).where(
        Space.community_id == community.id)
    entries = _post_entries(select(Post).where(Post.space_id.in_(public)))
    return _atom(feed(title=community.name,
                      feed_id=absolute_url("feeds.community_feed", community_id=community.id),
                      self_url=absolute_url("feeds.community_feed", community_id=community.id),
                      page_url=absolute_url("communities.show", community_id=community.id),
                      entries=entries, language=str(get_locale())))


SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every page a visitor can read: lists, sheets, open spaces, communities and calls."""
    urls: list[tuple[str, str | None]] = [
        (absolute_url(endpoint), None) for endpoint in
        ("home.index", "fichas.index", "spaces.index", "communities.index",
         "communities.calls")]
    for ficha_id, title, updated in db.session.execute(
            select(Ficha.id, Ficha.title, Ficha.updated_at).order_by(Ficha.id)):
        urls.append((absolute_url("fichas.show", ficha_id=Ref.of(ficha_id, title)),
                     stamp(updated)))
    for space_id, title in db.session.execute(
            permissions.visible_spaces(select(Space.id, Space.title), None).order_by(Space.id)):
        urls.append((absolute_url("spaces.show", space_id=Ref.of(space_id, title)), None))
    for community_id, name in db.session.execute(
            select(Community.id, Community.name).order_by(Community.id)):
        urls.append((absolute_url("communities.show", community_id=Ref.of(community_id, name)),
                     None))
    for call_id, in db.session.execute(select(Call.id).order_by(Call.id)):
        urls.append((absolute_url("communities.call", call_id=call_id), None))
    root = ET.Element("urlset", {"xmlns": SITEMAP})
    for loc, lastmod in urls:
        node = ET.SubElement(root, "url")
        ET.SubElement(node, "loc").text = loc
        if lastmod:
            ET.SubElement(node, "lastmod").text = lastmod
    response = Response(ET.tostring(root, encoding="utf-8", xml_declaration=True),
                        mimetype="application/xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
