"""The front page: what this forum is, how to write a sheet, and the latest experiences."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select

from forum.core import permissions
from forum.core.web import shared_page
from forum.extensions import db
from forum.fichas.models import Ficha
from forum.fichas.queries import FichaFilters, fichas_stamp, list_fichas

bp = Blueprint("home", __name__)


@bp.get("/")
def index():  # noqa: ANN201
    key = ("home", str(get_locale()), *fichas_stamp(db.session))
    return shared_page(key, _render) or _render()


def _render() -> str:
    latest = list_fichas(db.session, current_user, FichaFilters(per_page=6))
    by_country = db.session.execute(
        permissions.visible_fichas(select(Ficha.country, func.count()), current_user)
        .group_by(Ficha.country)
        .order_by(func.count().desc())
    ).all()
    return render_template("home.html", latest=latest, by_country=by_country)
