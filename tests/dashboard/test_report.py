"""The facilitators' forum report for a date range."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum.accounts.models import Role
from forum.extensions import db
from forum.fichas.models import Ficha
from tests.conftest import make_ficha, make_user
from tests.spaces.factories import make_root, make_space

pytestmark = pytest.mark.both_backends


def test_the_report_counts_the_period_and_shows_balances_syntheses_and_open_dilemmas(
        client, auth):
    facilitator = make_user(role=Role.FACILITATOR)
    ana, old_timer = make_user(name="Ana Quispe"), make_user()
    make_ficha(owner=ana, country="BO", title="Ferias nuevas")
    old = make_ficha(owner=old_timer, country="PE", title="De hace años")
    db.session.get(Ficha, old.id).created_at = datetime(2019, 5, 1)
    db.session.commit()
    table = make_space(kind="debate", title="Mesa sobre el agua", by=facilitator)
    make_root(space=table, by=ana, kind="position", stance="for", body="A favor")
    make_root(space=table, by=make_user(), kind="position", stance="against", body="En contra")
    workshop = make_space(kind="workshop", by=facilitator)
    make_root(space=workshop, by=ana, title="¿Cómo seguimos sin fondos?", body="Duda",
              context="c", options="o", constraints="r")
    auth.login(facilitator)
    today = datetime.now(UTC).date()
    page = client.get(f"/panorama/informe?desde={today - timedelta(days=7)}&hasta={today}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ferias nuevas" not in html  # sheets are counted, not listed
    assert "<dt>Nuevas fichas de experiencia</dt><dd>1</dd>" in html  # not the 2019 one
    assert "Bolivia" in html and "Perú" not in html
    assert "Mesa sobre el agua" in html and "A favor: <strong>1</strong>" in html
    assert "¿Cómo seguimos sin fondos?" in html
    download = client.get(f"/panorama/informe?desde={today}&hasta={today}&descargar=1")
    assert download.headers["Content-Disposition"].startswith("attachment; filename=")


def test_only_facilitators_get_the_report_and_bad_dates_are_explained(client, auth):
    auth.login(make_user())
    assert client.get("/panorama/informe").status_code == 403
    auth.login(make_user(role=Role.FACILITATOR))
    bad = client.get("/panorama/informe?desde=ayer&hasta=2024-01-01")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Escribe una fecha como 2024-03-15." in html and 'value="ayer"' in html
    reversed_ = client.get("/panorama/informe?desde=2024-05-01&hasta=2024-01-01")
    assert reversed_.status_code == 422
    assert "La fecha final es anterior a la fecha inicial." in reversed_.get_data(as_text=True)
