"""Log-in, registration, password reset, profile pages and personal API tokens."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from forum.accounts import services
from forum.accounts.auth import end_session, start_session
from forum.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegisterForm,
    TokenForm,
)
from forum.accounts.models import User
from forum.core.errors import Invalid, NotFound
from forum.core.web import own_links, safe_next, too_many_message
from forum.extensions import db, limiter
from forum.fichas.queries import FichaFilters, list_fichas
from forum.notifications.cli import DEFAULT_BASE_URL, mail_send

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _form_again(template: str, form_class: type[FlaskForm]) -> Callable[[RequestLimit], Response]:
    """Over the limit, the same form comes back (429) with what was typed (never the
    password) and the reason, instead of a bare error page that loses it all."""

    def breach(limit: RequestLimit) -> Response:
        page = render_template(template, form=form_class(), limited=too_many_message(limit))
        return make_response(page, 429)

    return breach


@bp.route("/entrar", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"],
               on_breach=_form_again("accounts/login.html", LoginForm))
def login():  # noqa: ANN201
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            start_session(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("home.index")))
        form.password.errors.append(_("E-mail or password is not right."))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/salir")
def logout():  # noqa: ANN201
    end_session()
    return redirect(url_for("home.index"))


@bp.route("/registro", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"],
               on_breach=_form_again("accounts/register.html", RegisterForm))
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
            _field_errors(form, exc)
        else:
            db.session.commit()
            start_session(user)
            flash(_("Welcome! Start by writing the sheet of your experience."), "success")
            return redirect(url_for("fichas.new"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form), status


# --- password reset -------------------------------------------------------------------------


@bp.route("/contrasena/olvidada", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"],
               on_breach=_form_again("accounts/forgot.html", ForgotPasswordForm))
def forgot_password():  # noqa: ANN201
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            services.request_password_reset(
                db.session, form.email.data, secret_key=current_app.config["SECRET_KEY"],
                send=_send_reset_link)
        except Invalid as exc:
            form.email.errors.append(str(exc.fields["email"]))
        else:  # the same answer whether or not an account has this address
            return redirect(url_for("accounts.reset_link_sent"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/forgot.html", form=form), status


def _send_reset_link(user: User, token: str) -> None:
    # FORUM_BASE_URL (or make run's address), never the request's Host header: whoever asks
    # could choose it and have the victim's link, token and all, point at their own site
    base = current_app.config.get("BASE_URL") or DEFAULT_BASE_URL
    link = base.rstrip("/") + url_for("accounts.reset_password", token=token)
    mail_send(user.email, *services.reset_message(user, link))


@bp.get("/contrasena/olvidada/enviado")
def reset_link_sent() -> str:
    return render_template("accounts/reset_sent.html")


@bp.route("/contrasena/nueva/<token>", methods=["GET", "POST"])
def reset_password(token: str):  # noqa: ANN201
    secret_key = current_app.config["SECRET_KEY"]
    user = services.user_for_reset(db.session, token, secret_key)
    if user is None:
        page = render_template("accounts/forgot.html", form=ForgotPasswordForm(formdata=None),
                               expired=True)
        return _private(make_response(page, 400))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(db.session, user, form.password.data)
        except Invalid as exc:
            db.session.rollback()
            form.password.errors.append(str(exc.fields["password"]))
        else:
            db.session.commit()
            start_session(user)
            flash(_("Your password was changed and you are logged in."), "success")
            return redirect(url_for("home.index"))
    status = 422 if request.method == "POST" else 200
    page = render_template("accounts/reset_password.html", form=form, person=user)
    return _private(make_response(page, status))


def _private(response: Response) -> Response:
    """The URL carries the reset token: never stored by a cache, never sent as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- profile and tokens ---------------------------------------------------------------------


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
        links=own_links(person) if own else [],
        token_form=TokenForm() if own else None,
        new_secret=None,
    )


@bp.route("/perfil/editar", methods=["GET", "POST"])
@login_required
def edit_profile():  # noqa: ANN201
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(db.session, current_user, name=form.display_name.data,
                                    country=form.country.data or "",
                                    organisation=form.organisation.data or "")
        except Invalid as exc:
            db.session.rollback()
            _field_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.profile", user_id=current_user.id))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/edit_profile.html", form=form), status


@bp.route("/perfil/contrasena", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"],  # guessing the current password is a log-in
               on_breach=_form_again("accounts/change_password.html", ChangePasswordForm))
def change_password():  # noqa: ANN201
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session, current_user, current=form.current.data,
                                     new=form.password.data)
        except Invalid as exc:
            db.session.rollback()
            _field_errors(form, exc)
        else:
            db.session.commit()
            # the old session carried the old password's fingerprint: open a new one
            start_session(current_user._get_current_object(),
                          remember=bool(request.cookies.get(
                              current_app.config.get("REMEMBER_COOKIE_NAME",
                                                     "remember_token"))))
            flash(_("Your password was changed; other devices must log in again."),
                  "success")
            return redirect(url_for("accounts.profile", user_id=current_user.id))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/change_password.html", form=form), status


def _field_errors(form: FlaskForm, exc: Invalid) -> None:
    for name, reason in exc.fields.items():
        getattr(form, name).errors.append(str(reason))


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
        links=own_links(current_user),
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
