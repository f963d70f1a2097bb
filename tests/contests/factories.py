"""Keyword-only factories for contests, built through the real use cases, and a small
contest world most tests start from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forum.accounts.models import User
from forum.communities import services as calls
from forum.communities.models import Call
from forum.contests import awards, scoring, services
from forum.contests.models import Contest
from forum.extensions import db
from forum.fichas import services as fichas
from forum.fichas.models import Ficha
from tests.communities.factories import make_call, make_facilitator
from tests.conftest import make_ficha, make_user

DIMENSIONS = ("Articulación de actores", "Recursos disponibles", "Planificación",
              "Participación ciudadana", "Flexibilidad e innovación en la gestión")


def make_contest(*, by: User, call: Call | None = None,
                 categories: tuple[str, ...] = ("Social", "Económica"),
                 dimensions: tuple[str, ...] = DIMENSIONS, score_min: int = 1,
                 score_max: int = 5, mentions_max: int = 1) -> Contest:
    call = call or make_call(by=by)
    contest = services.create_contest(db.session, by, call.id)
    services.update_rubric(db.session, by, contest.id, score_min=score_min,
                           score_max=score_max, mentions_max=mentions_max,
                           categories="\n".join(categories), dimensions="\n".join(dimensions))
    db.session.commit()
    return contest


def category_id(contest: Contest, name: str) -> int:
    return next(c.id for c in contest.categories if c.name == name)


def add_juror(*, contest: Contest, by: User, person: User,
              categories: tuple[str, ...] = ()) -> int:
    juror = services.add_juror(db.session, by, contest.id, person.email)
    services.set_juror_categories(db.session, by, contest.id, juror.id,
                                  [category_id(contest, n) for n in categories])
    db.session.commit()
    return juror.id


def enter(*, contest: Contest, ficha: Ficha, category: str) -> None:
    """The sheet's owner sends it to the call in a category."""
    services.submit_entry(db.session, ficha.owner, contest.call_id, ficha.id,
                          category_id(contest, category))
    db.session.commit()


def send_without_category(*, contest: Contest, ficha: Ficha) -> None:
    calls.submit_to_call(db.session, ficha.owner, contest.call_id, ficha.id)
    db.session.commit()


def score(*, contest: Contest, juror: User, ficha: Ficha, values: list[int],
          comments: list[str] | None = None) -> None:
    db.session.expire_all()  # the contest may have changed through a page meanwhile
    dims = [d.id for d in contest.dimensions]
    scoring.score_entry(db.session, juror, contest.id, ficha.id,
                        dict(zip(dims, values, strict=True)),
                        dict(zip(dims, comments or [""] * len(dims), strict=True)))
    db.session.commit()


def step(use_case: Any, contest: Contest, by: User, *args: Any) -> None:
    use_case(db.session, by, contest.id, *args)
    db.session.commit()


@dataclass
class World:
    """A call run as a contest with two categories and the five-dimension rubric:

    - Ana judges every category, Bruno only "Económica", Carla every category but she
      co-edits the Peruvian sheet;
    - three sheets in categories (two "Social", one "Económica") and one sent to the
      call without a category.
    """

    facilitator: User
    contest: Contest
    ana: User
    bruno: User
    carla: User
    outsider: User
    taraco: Ficha
    capachica: Ficha
    guaqui: Ficha
    loose: Ficha
    jurors: dict[str, int] = field(default_factory=dict)

    @property
    def call_id(self) -> int:
        return self.contest.call_id

    def url(self, tail: str = "") -> str:
        return f"/convocatorias/{self.call_id}/concurso{tail}"


def make_world() -> World:
    facilitator = make_facilitator(name="Facilitadora Uno")
    contest = make_contest(by=facilitator)
    ana, bruno, carla = (make_user(name=n) for n in ("Ana Jurado", "Bruno Jurado",
                                                     "Carla Jurado"))
    authors = [make_user(country=c) for c in ("BO", "PE", "BO", "EC")]
    taraco = make_ficha(owner=authors[0], title="Gestión territorial en Taraco",
                        region="La Paz", actors=["municipality", "indigenous_authority"])
    capachica = make_ficha(owner=authors[1], title="Turismo vivencial en Capachica",
                           country="PE", region="Puno", actors=["community_leaders", "ngo"])
    guaqui = make_ficha(owner=authors[2], title="Lechería en Guaqui", region="La Paz",
                        actors=["municipality", "producers", "ngo"])
    loose = make_ficha(owner=authors[3], title="Agua en Cotacachi", country="EC",
                       region="Imbabura", actors=["ngo"])
    fichas.add_editor(db.session, authors[1], capachica.id, carla.email)
    db.session.commit()
    world = World(facilitator, contest, ana, bruno, carla, make_user(), taraco, capachica,
                  guaqui, loose)
    world.jurors = {
        "ana": add_juror(contest=contest, by=facilitator, person=ana),
        "bruno": add_juror(contest=contest, by=facilitator, person=bruno,
                           categories=("Económica",)),
        "carla": add_juror(contest=contest, by=facilitator, person=carla),
    }
    enter(contest=contest, ficha=taraco, category="Social")
    enter(contest=contest, ficha=capachica, category="Social")
    enter(contest=contest, ficha=guaqui, category="Económica")
    send_without_category(contest=contest, ficha=loose)
    return world


def scored_world() -> World:
    """The world with the jury open, scored (Taraco and Capachica tie at 20), closed."""
    world = make_world()
    c, fac = world.contest, world.facilitator
    step(services.open_jury, c, fac)
    score(contest=c, juror=world.ana, ficha=world.taraco, values=[5, 4, 4, 4, 3])
    score(contest=c, juror=world.carla, ficha=world.taraco, values=[3, 4, 4, 4, 5])
    score(contest=c, juror=world.ana, ficha=world.capachica, values=[4, 4, 4, 4, 4])
    score(contest=c, juror=world.ana, ficha=world.guaqui, values=[2, 3, 3, 3, 3])
    score(contest=c, juror=world.bruno, ficha=world.guaqui, values=[3, 3, 3, 3, 4])
    step(services.close_jury, c, fac)
    return world


def publish(world: World, chosen: dict[str, dict[str, list[Ficha]]]) -> None:
    contest = world.contest
    ids = {category_id(contest, name): {k: [f.id for f in v] for k, v in given.items()}
           for name, given in chosen.items()}
    awards.publish_results(db.session, world.facilitator, contest.id, ids)
    db.session.commit()
