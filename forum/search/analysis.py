"""The Spanish analyzer shared by both search backends: text -> index terms.

One pipeline, run in Python for whoosh *and* PostgreSQL, so both backends match the same
words: lowercase; fold accents but keep ñ ("año" must not become "ano"); drop Spanish stop
words; Snowball 'spanish' stemming (PyStemmer) applied *after* folding. PostgreSQL 15's own
`spanish` stemmer is an older Snowball that misses unaccented -ción forms in either order
with unaccent ('cooperacion' -> cooperacion, 'cooperaciones' -> cooper), while PyStemmer's
gives 'cooper' for all three spellings; so PostgreSQL stores the terms made here.

Every distinct token is analysed once per process and remembered: real text repeats its
vocabulary, and the memo is what makes bulk indexing fast.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator

import Stemmer

# Letters and digits; underscores and every punctuation mark separate words.
TOKEN = re.compile(r"[^\W_]+")
MAX_TOKEN = 40  # longer "words" are noise (hashes, glued URLs) and only bloat the index

_FOLD = str.maketrans(
    {
        **dict.fromkeys("áàâäãåā", "a"),
        **dict.fromkeys("éèêëē", "e"),
        **dict.fromkeys("íìîïī", "i"),
        **dict.fromkeys("óòôöõøō", "o"),
        **dict.fromkeys("úùûüū", "u"),
        "ç": "c",
        "ý": "y",
        "ÿ": "y",
    }
)

# Function words only: Snowball's list without the content words it also holds
# ("estado", "sentido"...), which matter in this field ("Estado plurinacional").
STOP_WORDS_TEXT = """
a al algo algunas algunos ante antes como con contra cual cuales cuando de del desde donde
durante e el ella ellas ellos en entre era erais eran eras eres es esa esas ese eso esos esta
estaba estabais estaban estabas estamos estando estar estaremos estará estarán estarás estaré
estaréis estaría estaríais estaríamos estarían estarías estas este estemos esto estos estoy
estuve estuviera estuvieron estuvo está estábamos estáis están estás esté estéis estén estés
fue fuera fueran fueron fuese fui fuimos ha habiendo habrá habrán habría habían había han has
hasta hay haya hayan he hemos hubo la las le les lo los me mi mis mucho muchos muy más mí mía
mías mío míos nada ni no nos nosotras nosotros nuestra nuestras nuestro nuestros o os otra
otras otro otros para pero poco por porque que quien quienes qué se sea sean ser será serán
sería si sido sin sobre sois somos son soy su sus suya suyas suyo suyos sí también tanto te
tenemos tenga tengo tenía tenían tiene tienen ti todo todos tu tus tuvo tú u un una uno unos
vosotras vosotros vuestra vuestras vuestro vuestros y ya yo él éramos
"""


def fold(text: str) -> str:
    """Lowercase and drop accents, keeping ñ: the letter changes the word (año, ano)."""
    text = text.lower().translate(_FOLD)
    if text.isascii():
        return text
    # Rare letters: decompose, drop combining marks except the tilde of ñ, recompose.
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and not (ch == "\u0303" and out and out[-1] == "n"):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


STOP_WORDS = frozenset(fold(w) for w in STOP_WORDS_TEXT.split())

_local = threading.local()  # PyStemmer objects are not thread-safe: one per thread
_memo: dict[str, str] = {}
MEMO_MAX = 300_000


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("spanish")
    return stemmer


def term(token: str) -> str:
    """The index term of one lowercased token; "" for a stop word or noise."""
    found = _memo.get(token)
    if found is not None:
        return found
    folded = fold(token)
    noise = folded in STOP_WORDS or len(folded) > MAX_TOKEN
    result = "" if noise else _stemmer().stemWord(folded)
    if len(_memo) >= MEMO_MAX:
        _memo.clear()
    _memo[token] = result
    return result


def analyze(text: str) -> list[str]:
    """Index terms of a text, in order (stop words leave no gap, as in both backends)."""
    memo = _memo
    out = []
    append = out.append
    for token in TOKEN.findall(text.lower()):
        found = memo.get(token)
        if found is None:
            found = term(token)
        if found:
            append(found)
    return out


def tokens_with_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, term) for every token of `text`, stop words with term "": snippets."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters lowercase to two: keep offsets exact
        for match in TOKEN.finditer(text):
            yield match.start(), match.end(), term(match.group().lower())
        return
    memo = _memo
    for match in TOKEN.finditer(lowered):
        token = match.group()
        found = memo.get(token)
        yield match.start(), match.end(), term(token) if found is None else found


def pairs(terms: list[str]) -> list[str]:
    """Adjacent term pairs ("plan desarroll"): phrase matching for the whoosh backend."""
    return [f"{a}\x1f{b}" for a, b in zip(terms, terms[1:], strict=False)]
