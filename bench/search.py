"""Search benchmark: bulk indexing rate and query latency at 100,000 documents, per backend.

    .venv/bin/python bench/search.py                      # both backends, 100,000 documents
    .venv/bin/python bench/search.py --docs 20000 --backend whoosh --queries 100

Documents come from the generator below (the phrase banks of bench/_text.py plus a
long tail of places, crops, organisations and practice words, chosen with Zipf-like
weights, so a few words are everywhere and most are rare, as in real text): 10 % sheets
(350-500 words over the sheet's parts), 90 % posts (20-150 words), 35 countries, 300
spaces, 2,000 authors, six years of dates. Queries are words drawn from random documents
(so frequent words are drawn often: the hard case) and timed through
forum.search.service.search, the call the page makes: parsing, the reader's permissions
(two members-only spaces hidden), matching, every facet count, ranking, 20 snippets.
Each set is run twice with different words: "first" right after the index is opened
(per-segment caches empty), "steady" with the caches the first pass left. Nothing is
asserted; the numbers are printed.
"""

from __future__ import annotations

import gc
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import click
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _machine  # noqa: E402
from bench._text import OBJECTS, PLACES, SUBJECTS, TAILS, TITLES, TOWNS, VERBS  # noqa: E402
from forum import create_app  # noqa: E402
from forum.accounts.models import User  # noqa: E402
from forum.core import vocab  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.search import service  # noqa: E402
from forum.search.analysis import TOKEN, analyze  # noqa: E402
from forum.search.documents import Document  # noqa: E402
from forum.search.params import read_params  # noqa: E402
from forum.spaces.models import Space  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SEED = 20261202

# --- a long-tail vocabulary of the field ---------------------------------------------------

PRACTICE = """agua riego cuenca acequia vertiente bofedal pastizal ganado leche queso quinua
papa maíz café cacao haba oca cebada trigo hortaliza vivero semilla abono compost suelo
erosión terraza andén bosque reforestación incendio sequía helada granizo inundación
caminos puente mercado feria acopio planta procesadora cadena valor marca certificación
exportación turismo albergue guía artesanía tejido cerámica música fiesta ritual
memoria escuela liceo docencia alfabetización beca salud posta nutrición vacuna parto
vivienda saneamiento alcantarillado residuos reciclaje relleno transporte movilidad
bicicleta ciclovía terminal tarifa presupuesto impuesto catastro predio título tierra
territorio mapa límite conflicto diálogo mesa concertación asamblea cabildo estatuto
reglamento ordenanza norma plan programa proyecto convenio alianza red mancomunidad
cooperativa asociación sindicato comité junta directiva liderazgo mujeres jóvenes
ancianos niñez familia migración retorno remesas empleo emprendimiento crédito fondo
ahorro microcrédito capacitación asistencia técnica extensión investigación universidad
tesis diagnóstico línea base indicador monitoreo evaluación sistematización aprendizaje
lección clave beneficio resultado sostenibilidad gobernanza transparencia rendición
cuentas participación ciudadana control social veeduría género equidad violencia
derechos interculturalidad idioma quechua aymara guaraní mapuche maya náhuatl garífuna
minería contaminación relave glaciar páramo humedal manglar pesca pescadores lago río
costa isla frontera corredor biodiversidad áreas protegidas guardaparques ecoturismo
energía solar eólica biodigestor electrificación internet radio comunitaria televisión
telecentro celular aplicación plataforma datos abiertos gobierno electrónico""".split()
ADJECTIVES = """comunal municipal regional departamental provincial rural urbano periurbano
indígena originario campesino agroecológico orgánico sostenible participativo colectivo
solidario descentralizado triangular intercultural productivo técnico financiero
ambiental social económico político institucional innovador tradicional ancestral
pequeño mediano nuevo antiguo alto bajo andino amazónico costero chaqueño""".split()
ORGS = """Fundación Tierra|Red Agua Viva|Centro de Estudios Andinos|Asociación de Lecheros
|Mancomunidad del Lago|Cooperativa El Ceibo|Universidad Mayor|Instituto Agrario
|Mesa Departamental|Federación de Ayllus|Consejo de Cuencas|Red de Turismo Solidario
|Programa de Desarrollo Económico|Agencia de Cooperación|Gobernación del Valle
|Comité de Vigilancia|Junta de Regantes|Escuela de Líderes|Colectivo Mujeres Unidas""".replace(
    "\n", "").split("|")
PLACE_NAMES = """Achacachi Ancoraimes Batallas Caquiaviri Copacabana Coroico Guaqui Huarina
Jesús de Machaca Laja Patacamaya Pucarani Puerto Acosta Sorata Tiahuanacu Viacha Ayaviri
Azángaro Chucuito Ilave Juli Juliaca Lampa Moho Putina Yunguyo Andahuaylas Abancay
Huancavelica Huanta Jauja Otuzco Cajabamba Celendín Chota Cutervo Saraguro Otavalo
Guamote Colta Alausí Zamora Loja Tena Puyo Macas Riobamba Ambato Latacunga Tulcán Ipiales
Túquerecito Silvia Inzá Totoró Toribío Jambaló Caldono Páez Belalcázar Sibundoy Mocoa
Momostenango Totonicapán Sololá Chichicastenango Nebaj Cobán Rabinal Salamá Jalapa
Intibucá La Esperanza Gracias Marcala Yoro Olancho Estelí Somoto Matagalpa Boaco Juigalpa
Chalatenango Suchitoto Perquín Ahuachapán Cuetzalan Zacatlán Tlaxiaco Juchitán Ixtlán
Paraty Chapecó Pelotas Caxias Irecê Juazeiro Crato Quixadá Salto Tacuarembó Rivera
Tafí del Valle Humahuaca Tilcara Cafayate Belén Andalgalá Chilecito Famatina""".split()


def _zipf(rng: random.Random, items: list[str], s: float = 1.1) -> str:
    """A Zipf-like pick: item i with weight 1/(i+1)^s (items are shuffled once per bank)."""
    r = rng.random()
    return items[min(len(items) - 1, int(len(items) * r ** (1 + 2 * s)))]


class Writer:
    """Spanish sentences about territorial practice, deterministic per seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        shuffle = random.Random(seed + 1)
        self.practice = list(PRACTICE)
        self.places = list(PLACE_NAMES)
        shuffle.shuffle(self.practice)
        shuffle.shuffle(self.places)

    def sentence(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.45:  # the phrase banks of the sheet generator
            parts = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS),
                     rng.choice(PLACES)]
            if rng.random() < 0.4:
                parts.append(rng.choice(TAILS))
            return " ".join(parts) + "."
        word, other = _zipf(rng, self.practice), _zipf(rng, self.practice)
        adjective, place = _zipf(rng, ADJECTIVES), _zipf(rng, self.places)
        if kind < 0.7:
            return (f"En {place} el trabajo sobre {word} {adjective} se apoyó en {other} "
                    f"y en la {rng.choice(ORGS)}.")
        if kind < 0.85:
            return (f"Aprendimos que sin {word} no hay {other}, y que la {rng.choice(ORGS)} "
                    f"necesita acuerdos {adjective}s con {place}.")
        return (f"¿Cómo resolvieron el problema de {word} en {place}? Nosotros probamos "
                f"con {other} {adjective} durante {rng.randint(2, 9)} meses.")

    def text(self, words: int) -> str:
        out, total = [], 0
        while total < words:
            s = self.sentence()
            out.append(s)
            total += len(s.split())
        return " ".join(out)


def generate(count: int, seed: int = SEED) -> list[Document]:
    w = Writer(seed)
    rng = w.rng
    start = datetime(2020, 1, 1)
    latam = vocab.COUNTRY_CODES[:26]
    docs = []
    kinds = ["question", "answer", "position", "contribution", "innovation", "dilemma",
             "comment", "comment", "comment"]
    space_kinds = {"question": "conference", "answer": "conference", "position": "debate",
                   "contribution": "contribution", "innovation": "innovation",
                   "dilemma": "workshop", "comment": "contribution"}
    for i in range(1, count + 1):
        date = start + timedelta(minutes=rng.randint(0, 6 * 365 * 24 * 60))
        author = rng.randint(1, 2000)
        country = rng.choice(latam) if rng.random() < 0.9 else rng.choice(vocab.COUNTRY_CODES)
        themes = tuple(rng.sample(list(vocab.THEMES), rng.randint(1, 3)))
        if i % 10 == 0:
            parts = tuple((name, w.text(n)) for name, n in (
                ("lessons", 60), ("keys", 35), ("benefits", 35), ("results", 50),
                ("summary", 20), ("problem", 50), ("strategy", 80), ("territory", 4)))
            docs.append(Document(
                key=f"ficha:{i}", kind="ficha", ref_id=i,
                title=f"{rng.choice(TITLES)} {rng.choice((*TOWNS, *PLACE_NAMES))}", parts=parts,
                date=date, author_id=author, author_name=f"Persona {author}", country=country,
                themes=themes, actors=tuple(rng.sample(list(vocab.ACTORS), rng.randint(1, 4))),
                status=rng.choice(list(vocab.STATUSES)),
                modality=rng.choice(list(vocab.MODALITIES))))
            continue
        kind = rng.choice(kinds)
        space_id = rng.randint(1, 300)
        title = w.sentence()[:80] if kind in ("contribution", "innovation", "dilemma") else ""
        docs.append(Document(
            key=f"post:{i}", kind=kind, ref_id=i, title=title,
            parts=(("body", w.text(rng.randint(20, 150))),), date=date, space_id=space_id,
            space_kind=space_kinds[kind], space_title=f"Espacio {space_id}",
            root_id=i - rng.randint(0, 5) if kind in ("answer", "comment") else i,
            author_id=author, author_name=f"Persona {author}", country=country,
            themes=themes))
    return docs


def query_words(docs: list[Document], rng: random.Random, size: int, n: int) -> list[str]:
    """Words as people type them, drawn from random documents (frequent words often)."""
    out = []
    while len(out) < n:
        doc = rng.choice(docs)
        tokens = [t for t in TOKEN.findall(rng.choice(doc.parts)[1]) if analyze(t)
                  and not t.isdigit() and len(t) > 3]
        if len(tokens) >= size:
            out.append(" ".join(rng.sample(tokens, size)))
    return out


# --- running ---------------------------------------------------------------------------------


def percentiles(ms: list[float]) -> tuple[float, float]:
    ms = sorted(ms)
    return statistics.median(ms), ms[max(0, int(round(0.95 * len(ms))) - 1)]


def make_app(backend: str, instance: Path, url: str):  # noqa: ANN201
    app = create_app({"CONFIG": "Config", "INSTANCE_PATH": str(instance), "DATABASE_URL": url,
                      "SEARCH_BACKEND": backend, "SEARCH_INDEXING": "sync",
                      "SEARCH_REINDEX_PROCS": 1})
    with app.app_context():
        db.create_all()
        # two members-only spaces: the visitor's filter always has something to leave out
        db.session.add(User(id=1, email="bench@search.foro", display_name="Bench",
                            password_hash="-"))
        db.session.flush()
        for n in (1, 2):
            db.session.add(Space(id=n, kind="debate", title=f"Privado {n}", members_only=True,
                                 community_id=None, created_by_id=1))
        db.session.commit()
    return app


def index_rate(app, docs: list[Document], procs: int) -> float:  # noqa: ANN001
    with app.app_context():
        backend = app.extensions["forum.search"].backend
        if hasattr(backend, "procs"):
            backend.procs = procs
        gc.collect()
        t0 = time.perf_counter()
        backend.rebuild(iter(docs))
        return len(docs) / (time.perf_counter() - t0)


def run_queries(app, queries: list[str], filters: dict[str, str]) -> list[float]:  # noqa: ANN001
    times = []
    with app.test_request_context():
        for q in queries:
            params, _errors = read_params({"q": q, **filters})
            t0 = time.perf_counter()
            service.search(db.session, None, params)
            times.append((time.perf_counter() - t0) * 1000)
            db.session.rollback()
    return times


def bench_backend(name: str, docs: list[Document], queries: int, procs: tuple[int, ...]
                  ) -> list[tuple]:
    rows: list[tuple] = []
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-search-{name}-"))
    pg_name = None
    try:
        if name == "postgresql":
            pg_name = f"bench_search_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
            url = PG_ADMIN.rsplit("/", 1)[0] + "/" + pg_name
        else:
            url = f"sqlite:///{workdir / 'forum.db'}"
        app = make_app(name, workdir / "instance", url)
        for p in procs if name == "whoosh" else (1,):
            rate = index_rate(app, docs, p)
            label = f"bulk index, {p} process{'es' if p > 1 else ''}" if name == "whoosh" \
                else "bulk index (COPY)"
            rows.append((name, label, f"{rate:,.0f} docs/s", ""))
            click.echo(f"  {name}: {label}: {rate:,.0f} docs/s", err=True)
        rng = random.Random(SEED + 7)
        countries = vocab.COUNTRY_CODES[:26]
        app = make_app_reopened(app)  # a fresh backend object: empty caches, as after a restart
        for size in (1, 2, 3):
            for label, filters in (("", {}), (" + country", "country")):
                for phase in ("first", "steady"):
                    words = query_words(docs, rng, size, queries)
                    if filters:
                        times = []
                        for q in words:
                            times += run_queries(app, [q], {"country": rng.choice(countries)})
                    else:
                        times = run_queries(app, words, {})
                    p50, p95 = percentiles(times)
                    rows.append((name, f"{size}-word{label}, {phase}", f"{p50:.1f}",
                                 f"{p95:.1f}"))
                    click.echo(f"  {name}: {size}-word{label} {phase}: p50 {p50:.1f} ms, "
                               f"p95 {p95:.1f} ms", err=True)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if pg_name:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    return rows


def make_app_reopened(app):  # noqa: ANN001, ANN201
    """The same instance and database, opened anew (no warm caches from indexing)."""
    with app.app_context():
        url = app.config["DATABASE_URL"]
        db.engine.dispose()
    again = create_app({"CONFIG": "Config", "INSTANCE_PATH": app.instance_path,
                        "DATABASE_URL": url, "SEARCH_BACKEND": app.config["SEARCH_BACKEND"],
                        "SEARCH_INDEXING": "sync"})
    return again


@click.command()
@click.option("--docs", "count", default=100_000, show_default=True)
@click.option("--queries", default=200, show_default=True, help="Queries per measured row.")
@click.option("--backend", "backends", multiple=True, type=click.Choice(["whoosh",
              "postgresql"]), help="Default: both.")
@click.option("--procs", default="1,2", show_default=True, help="whoosh indexing processes.")
def main(count: int, queries: int, backends: tuple[str, ...], procs: str) -> None:
    busy = _machine.busy_percent()
    click.echo(f"generating {count:,} documents ...", err=True)
    t0 = time.perf_counter()
    docs = generate(count)
    words = sum(len(" ".join(t for _n, t in d.parts).split()) for d in docs)
    click.echo(f"  {time.perf_counter() - t0:.1f} s, {words / count:.0f} words per document "
               f"on average", err=True)
    rows = []
    for name in backends or ("whoosh", "postgresql"):
        rows += bench_backend(name, docs, queries, tuple(int(p) for p in procs.split(",")))
    click.echo("")
    click.echo(f"{count:,} documents, {queries} queries per row; {_machine.describe()}")
    if busy is not None:
        click.echo(f"CPUs busy before the run: {busy:.0f} %")
    click.echo("| backend | measure | p50 ms / rate | p95 ms |")
    click.echo("| --- | --- | ---: | ---: |")
    for row in rows:
        click.echo("| " + " | ".join(row) + " |")

if __name__ == "__main__":
    main()
