"""Deterministic, Spanish-sounding content for seeded experience sheets.

Sentences are assembled from small phrase banks, so every sheet differs but a given
seed always gives the same database. Markdown uses what real sheets use: paragraphs,
bullet lists and some bold text.
"""

from __future__ import annotations

import random
from typing import Any

from forum.core import vocab

SUBJECTS = (
    "La asociación de productores",
    "El gobierno municipal",
    "Las autoridades originarias",
    "El equipo técnico",
    "La mesa de concertación",
    "Las mujeres de la cooperativa",
    "La universidad regional",
    "El comité de regantes",
    "La red de escuelas rurales",
    "La mancomunidad",
    "Los jóvenes del barrio",
    "La fundación local",
)
VERBS = (
    "acordó",
    "impulsó",
    "organizó",
    "sistematizó",
    "negoció",
    "fortaleció",
    "diseñó",
    "acompañó",
    "evaluó",
    "financió",
    "presentó",
    "recuperó",
)
OBJECTS = (
    "un plan de ordenamiento del territorio",
    "los turnos de riego entre comunidades",
    "un fondo rotatorio para pequeños productores",
    "la feria semanal de productos agroecológicos",
    "el presupuesto participativo del municipio",
    "un mapa parlante de los recursos comunales",
    "la ruta de turismo comunitario",
    "un registro de parcelas y linderos",
    "la escuela de liderazgo para mujeres",
    "el sistema de recolección de residuos",
    "una marca colectiva para el café de altura",
    "la cadena de valor de la quinua",
)
PLACES = (
    "en las comunidades de la cuenca alta",
    "con los cabildos del valle",
    "junto a las juntas vecinales",
    "en los distritos rurales",
    "con apoyo de la cooperación descentralizada",
    "a lo largo de tres gestiones municipales",
    "en alianza con la gobernación",
    "en asambleas abiertas cada mes",
)
TAILS = (
    "sin perder el control local de las decisiones",
    "aunque al principio hubo mucha desconfianza",
    "gracias a acuerdos firmados en asamblea",
    "con metas medibles y revisadas cada semestre",
    "a pesar de los cambios de autoridades",
    "y los resultados se publicaron en la radio comunitaria",
    "porque el presupuesto llegaba siempre tarde",
    "con la participación de más de trescientas familias",
)
TITLES = (
    "Gestión compartida del agua en",
    "Presupuesto participativo en",
    "Turismo comunitario en",
    "Café de altura y marca colectiva en",
    "Ordenamiento territorial con los ayllus de",
    "Escuela de liderazgo de mujeres en",
    "Feria agroecológica de",
    "Mancomunidad para residuos sólidos en",
)
TOWNS = (
    "Taraco",
    "San Ignacio",
    "Cotacachi",
    "Chiquimula",
    "Villa El Salvador",
    "Tiquipaya",
    "Ayacucho",
    "Pasto",
    "Catamarca",
    "Ocotal",
    "Concepción",
    "Puerto Cabezas",
    "Jinotega",
    "Sucre",
    "Tarija",
    "Cuenca",
)
LATAM = vocab.COUNTRY_CODES[:26]


def sentence(rng: random.Random) -> str:
    parts = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(PLACES)]
    if rng.random() < 0.6:
        parts.append(rng.choice(TAILS))
    return " ".join(parts) + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def markdown(rng: random.Random, words: int) -> str:
    """About `words` words: paragraphs, sometimes a bullet list and a bold lead."""
    blocks: list[str] = []
    total = 0
    while total < words:
        if blocks and rng.random() < 0.3:
            items = [f"- {rng.choice(OBJECTS)} {rng.choice(PLACES)};" for _ in range(3)]
            block = "\n".join(items)
        else:
            block = paragraph(rng, rng.randint(2, 4))
            if rng.random() < 0.3:
                block = f"**{rng.choice(SUBJECTS)}.** {block}"
        blocks.append(block)
        total += len(block.split())
    return "\n\n".join(blocks)


def _pick(rng: random.Random, codes: Any, low: int, high: int) -> list[str]:
    return rng.sample(list(codes), rng.randint(low, high))


def ficha_data(rng: random.Random) -> dict[str, Any]:
    """One sheet in the services' input shape, with 300-500 words of Markdown."""
    start = rng.randint(2005, 2022)
    finished = rng.random() < 0.6
    town = rng.choice(TOWNS)
    return {
        "title": f"{rng.choice(TITLES)} {town}",
        "summary": sentence(rng),
        "country": rng.choice(LATAM) if rng.random() < 0.9 else rng.choice(vocab.COUNTRY_CODES),
        "region": f"Región {rng.choice(TOWNS)}",
        "municipality": town,
        "communities": f"{rng.randint(3, 40)} comunidades",
        "start_year": start,
        "end_year": start + rng.randint(1, 3) if finished else None,
        "status": "finished" if finished else "in_progress",
        "themes": _pick(rng, vocab.THEMES, 1, 3),
        "actors": _pick(rng, vocab.ACTORS, 1, 4),
        "modality": rng.choice(list(vocab.MODALITIES)),
        "areas": _pick(rng, vocab.AREAS, 0, 2),
        "dimensions": _pick(rng, vocab.DIMENSIONS, 0, 2),
        "problem": markdown(rng, 50),
        "objectives": markdown(rng, 25),
        "strategy": markdown(rng, 80),
        "results": markdown(rng, 50),
        "benefits": markdown(rng, 35) if rng.random() < 0.8 else "",
        "keys": markdown(rng, 35) if rng.random() < 0.8 else "",
        "lessons": markdown(rng, 60) if rng.random() < 0.75 else "",
        "sustainability": markdown(rng, 25),
        "contacts": f"Escribir a **{rng.choice(SUBJECTS).lower()}** de {town}.",
    }
