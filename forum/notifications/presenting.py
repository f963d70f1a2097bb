"""How a notification reads and where it leads, shared by the list page and the e-mail
digest so both say the same thing. Needs the notification's actor, post (with its space),
space and sheet loaded; inbox.list_for and inbox.digest_for load them in the same query.

`target` gives an endpoint and its values, not a URL: the page builds it with url_for,
the CLI inside a request context for absolute links; this module stays free of HTTP.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.notifications.models import Notification, NotificationKind

K = NotificationKind

# What the preferences page offers, in the order people think of them.
LABELS = {
    K.REPLY: _l("Replies to my posts"),
    K.POSITION_REPLY: _l("Replies to my positions at debate tables"),
    K.ANSWER: _l("Answers to my questions"),
    K.MENTION: _l("Mentions of me"),
    K.HELPED: _l("My replies marked as helpful"),
    K.DILEMMA_RESOLVED: _l("My dilemmas marked resolved by a facilitator"),
    K.FOLLOWUP_DUE: _l("Reminders to tell how a resolved dilemma went"),
    K.SHEET_EDITED: _l("Edits to experience sheets I own or co-edit"),
    K.MODERATION: _l("Moderation of my posts"),
    K.JURY: _l("Contest juries I am on"),
}

SENTENCES = {
    K.REPLY: _l("%(actor)s replied to your post in «%(space)s»"),
    K.POSITION_REPLY: _l("%(actor)s replied to your position in «%(space)s»"),
    K.MENTION: _l("%(actor)s mentioned you in «%(space)s»"),
    K.HELPED: _l("%(actor)s marked your reply in «%(space)s» as one that helped"),
    K.DILEMMA_RESOLVED: _l("%(actor)s marked your dilemma in «%(space)s» resolved"),
    K.FOLLOWUP_DUE: _l("Did what you decided to try work? Tell «%(space)s» how it went"),
    K.SHEET_EDITED: _l("%(actor)s edited the experience sheet «%(ficha)s»"),
}
ANSWERED = _l("%(actor)s answered your question in «%(space)s»")
MARKED_ANSWERED = _l("%(actor)s marked your question in «%(space)s» answered")
MODERATION = {
    "hidden": _l("%(actor)s hid your post in «%(space)s»"),
    "restored": _l("%(actor)s showed your post in «%(space)s» again"),
    "approved": _l("%(actor)s approved your post in «%(space)s»: everyone sees it now"),
    "dismissed": _l("%(actor)s decided not to publish your post in «%(space)s»"),
}
JURY = {
    "added": _l("%(actor)s put you on the jury of the contest «%(call)s»"),
    "opened": _l("The jury of the contest «%(call)s» is open: score the sheets you were given"),
}
NOBODY = {K.ANSWER: _l("A speaker"), K.MODERATION: _l("A facilitator"),
          K.DILEMMA_RESOLVED: _l("A facilitator")}


def _actor(n: Notification) -> str:
    if n.actor is not None:
        return n.actor.display_name
    return str(NOBODY.get(K(n.kind), _l("Someone")))


def _space_title(n: Notification) -> str:
    """The post's space today (a thread may have moved), else the one recorded."""
    if n.post is not None:
        return n.post.space.title
    return n.space.title if n.space is not None else ""


def _template(n: Notification) -> Any:
    kind = K(n.kind)
    if kind == K.ANSWER:
        is_question = n.post is not None and n.post.id == n.post.root_id
        return MARKED_ANSWERED if is_question else ANSWERED
    if kind == K.MODERATION:
        return MODERATION.get(n.detail, MODERATION["hidden"])
    if kind == K.JURY:
        return JURY.get(n.detail, JURY["added"])
    return SENTENCES[kind]


def sentence(n: Notification) -> str:
    """One readable line: "Ana replied to your position in «Mesa X»"."""
    values = {"actor": _actor(n), "space": _space_title(n),
              "ficha": n.ficha.title if n.ficha is not None else "",
              "call": n.call.title if n.call is not None else ""}
    text = str(_template(n)) % values
    if n.detail == "hidden" and n.post is not None and n.post.moderation_reason:
        text = _("%(sentence)s. Reason: %(reason)s", sentence=text,
                 reason=n.post.moderation_reason)
    return text


def target(n: Notification) -> tuple[str, dict[str, Any]]:
    """Where the notification leads: the post in its thread, the sheet, or for a juror
    their evaluations."""
    if n.post is not None:
        return "spaces.thread", {"space_id": n.post.space_id,
                                 "root_id": n.post.root_id or n.post.id,
                                 "_anchor": f"post-{n.post.id}"}
    if n.ficha_id is not None:
        return "fichas.show", {"ficha_id": n.ficha_id}
    if n.kind == K.JURY:
        return "contests.desk", {}
    return "notifications.index", {}
