"""Log-in, registration, profile pages and personal API tokens."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from forum.accounts import services
from forum.accounts.forms import LoginForm, RegisterForm, TokenForm
from forum.accounts.models import User
from forum.core.errors import Invalid, NotFound
from forum.core.web import safe_next
from forum.extensions import db, limiter
from forum.fichas.queries import FichaFilters, list_fichas

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/entrar", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():  # noqa: ANN201
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("home.index")))
        form.password.errors.append(_("E-mail or password is not right."))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/salir")
def logout():  # noqa: ANN201
    logout_user()
    return redirect(url_for("home.index"))


@bp.route("/registro", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def register():  # noqa: ANN201
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(
                db.session,
                email=form.email.data,
                name=form.display_name.data,
                password=form.password.data,
                country=form.country.data or "",
                organisation=form.organisation.data or "",
            )
        except Invalid as exc:
            db.session.rollback()
            for name, reason in exc.fields.items():
                getattr(form, name).errors.append(str(reason))
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome! Start by writing the sheet of your experience."), "success")
            return redirect(url_for("fichas.new"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form), status


@bp.get("/personas/<int:user_id>")
def profile(user_id: int):  # noqa: ANN201
    person = db.session.get(User, user_id)
    if person is None:
        raise NotFound(_("This person does not exist."))
    page = list_fichas(db.session, current_user, FichaFilters(owner_id=person.id, per_page=50))
    own = current_user.is_authenticated and current_user.id == person.id
    return render_template(
        "accounts/profile.html",
        person=person,
        fichas=page,
        own=own,
        token_form=TokenForm() if own else None,
        new_secret=None,
    )


@bp.post("/perfil/tokens")
@login_required
def create_token():  # noqa: ANN201
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        _token, secret = services.create_token(db.session, current_user, form.name.data)
        db.session.commit()
    page = list_fichas(db.session, current_user, FichaFilters(owner_id=current_user.id))
    status = 201 if secret else 422
    return render_template(
        "accounts/profile.html",
        person=current_user,
        fichas=page,
        own=True,
        token_form=TokenForm(formdata=None),
        new_secret=secret,
    ), status


@bp.post("/perfil/tokens/<int:token_id>/revocar")
@login_required
def revoke_token(token_id: int):  # noqa: ANN201
    services.revoke_token(db.session, current_user, token_id)
    db.session.commit()
    flash(_("The token was revoked; programs using it can no longer connect."), "success")
    return redirect(url_for("accounts.profile", user_id=current_user.id))


@bp.route("/idioma", methods=["GET", "POST"])
def set_language():  # noqa: ANN201
    """A plain link (GET) so visitors' pages carry no form token and stay cacheable;
    choosing a language is harmless if forged."""
    lang = request.values.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.values.get("next"), url_for("home.index")))
