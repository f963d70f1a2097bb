"""Notification pages: the list, marking read, and the preferences form. Thin: parse,
call one inbox function, commit, redirect."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.accounts.auth import user_fact
from forum.core.errors import Invalid
from forum.core.web import safe_next
from forum.extensions import db
from forum.notifications import inbox
from forum.notifications.models import Notification
from forum.notifications.presenting import LABELS, sentence, target

bp = Blueprint("notifications", __name__)


UNREAD = "unread_notifications"


class UnreadCount:
    """The header's unread count, counted on first use and at most once per request: a
    page that never shows the header (an article rendered for the cache) costs nothing,
    visitors cost nothing, and a logged-in page costs one COUNT."""

    def __init__(self) -> None:
        self._value: int | None = None

    def value(self) -> int:
        if self._value is None:
            if not current_user.is_authenticated:
                self._value = 0
            else:  # read with the person (accounts.auth.USER_FACTS) or counted now
                loaded = user_fact(UNREAD)
                self._value = (loaded if loaded is not None
                               else inbox.unread_count(db.session, current_user))
        return self._value

    def __bool__(self) -> bool:
        return self.value() > 0

    def __str__(self) -> str:
        return str(self.value())

    __html__ = __str__


def forget_count() -> None:
    """A new request counts again, even when its app context outlived the last one."""
    g.pop("unread_notifications", None)


def header_count() -> dict[str, UnreadCount]:
    if "unread_notifications" not in g:
        g.unread_notifications = UnreadCount()
    return {"unread_notifications": g.unread_notifications}


def unread_fact() -> int:
    """The unread count, as the shared header part's cache key needs it."""
    return header_count()["unread_notifications"].value()


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def link(n: Notification) -> str:
    endpoint, values = target(n)
    return url_for(endpoint, **values)


@bp.get("/avisos")
@login_required
def index() -> str:
    page = inbox.list_for(db.session, current_user, _page())
    return render_template("notifications/index.html", page=page, sentence=sentence,
                           link=link)


@bp.post("/avisos/leidos")
@login_required
def mark_read() -> ResponseReturnValue:
    raw = request.form.get("id")
    if raw is None:
        inbox.mark_read(db.session, current_user, "all")
    elif raw.isdigit():  # a malformed id marks nothing, never everything
        inbox.mark_read(db.session, current_user, [int(raw)])
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("notifications.index")))


@bp.route("/avisos/preferencias", methods=["GET", "POST"])
@login_required
def preferences() -> ResponseReturnValue:
    settings = inbox.settings_for(db.session, current_user)
    errors: dict = {}
    if request.method == "POST":
        try:
            inbox.set_preferences(db.session, current_user, request.form.getlist("kinds"),
                                  digest=request.form.get("digest") == "1")
        except Invalid as exc:
            db.session.rollback()
            errors = exc.fields
        else:
            db.session.commit()
            flash(_("Your notification preferences are saved."), "success")
            return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", settings=settings, labels=LABELS,
                           errors=errors), 422 if errors else 200
