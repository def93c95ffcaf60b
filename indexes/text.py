"""French text normalisation for matching what people type against job titles.

People write "aide soigante", "électricienne", "jvx etre mecano", "AGENTE D'ENTRETIEN":
before any fuzzy comparison both sides (index entries and queries) go through the
same folding so that accents, case, apostrophes, gender forms, plurals and SMS
spelling no longer matter. Folding is symmetric, so an over-eager rule (e.g. "vente"
→ "vent") is harmless: it maps the index and the query the same way.

Intent parsing (`split_intent`) separates the wished job from a previous one in
sentences such as "ancienne caissière, je voudrais devenir aide-soignante".
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# Feminine/masculine endings folded to one stem, longest first. Applied per token
# after plural stripping; both gender forms of "Agent / Agente" land on "agent".
_GENDER_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("trice", "teur"),
    ("euse", "eur"),
    ("eure", "eur"),
    ("iere", "ier"),
    ("enne", "en"),
    ("onne", "on"),
    ("elle", "el"),
    ("ante", "ant"),
    ("ente", "ent"),
    ("ere", "er"),
    ("ive", "if"),
    ("ee", "e"),
    # Action nouns fold onto their verb: "réparation" / "réparer", "installation" / "installer".
    ("ation", "er"),
)
_IRREGULAR = {
    "cheffe": "chef",
    "maitresse": "maitre",
    "hotesse": "hote",
}
# Tokens that carry no job meaning. Filler verbs ("cherche", "devenir") are here too:
# they only ever introduce the job, they never are it.
STOP_WORDS = frozenset(
    """a au aux avec c ce cet cette d de des du en et il elle j je l la le les m ma me
    mes moi mon ou par pour qu que qui s sa se ses son sur t ta te un une y est suis etre
    cherche recherche chercher rechercher voudrais voudrai voudrait veux veut vouloir
    souhaite souhaiterais aimerais aimerai envie devenir faire travailler bosser trouver
    boulot job taf metier metiers poste emploi plutot bien vraiment bonjour svp merci
    comme tant dans quelque chose domaine idealement si possible peut etre
    actuellement maintenant depuis ans an annee annees ancien ex passer preparer obtenir
    avoir apprendre formation diplome evoluer vers""".split()
)

_SPLIT = re.compile(r"[^a-z0-9]+")
# "Agent(e)", "Animateur(trice)", "aménageur(se)": the bracketed feminine ending goes.
_BRACKET_GENDER = re.compile(r"\((?:e|ne|nne|le|lle|se|euse|trice|rice|ice|ere|ère|ve|ive|eure|ette)\)", re.I)


@lru_cache(maxsize=1)
def sms_table() -> dict[str, str]:
    """SMS / slang token → plain token(s), from `indexes/data/sms.csv`."""
    with (DATA_DIR / "sms.csv").open(encoding="utf-8") as handle:
        return {row["token"]: row["replacement"] for row in csv.DictReader(handle)}


def bounded(text: str, limit: int | None = None, query: bool = False) -> str:
    """`text` cut to the embedder's budget (settings text.max_embed_chars, text.max_query_chars for a
    typed query), at a word boundary when possible.

    Every text reaching the language model goes through this: a 100 000-character title
    or wish otherwise costs minutes of CPU for no gain (the model reads 512 tokens).
    """
    if limit is None:
        from catalog.settings import get

        limit = get("text", "max_query_chars" if query else "max_embed_chars")
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", max(limit - 200, 0))
    return cut[:space] if space > 0 else cut


def fold(text: str) -> str:
    """Lower case, no accents, ligatures expanded, only [a-z0-9] words separated by one space."""
    text = _BRACKET_GENDER.sub("", text.lower()).replace("œ", "oe").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_SPLIT.split(text)).strip()


def stem(token: str) -> str:
    """Fold plural and feminine forms: "caissieres" → "caissier", "electricienne" → "electricien"."""
    if token in _IRREGULAR:
        return _IRREGULAR[token]
    if len(token) > 4 and token.endswith("aux"):
        token = token[:-3] + "al"
    elif len(token) > 3 and token[-1] in "sx" and not token.endswith("ss"):
        token = token[:-1]
    token = _IRREGULAR.get(token, token)
    for suffix, replacement in _GENDER_SUFFIXES:
        if len(token) > len(suffix) + 1 and token.endswith(suffix):
            return token[: -len(suffix)] + replacement
    return token


def tokens(text: str, *, drop_stop_words: bool = True) -> list[str]:
    """Folded, SMS-expanded, stemmed tokens of `text` (stop words dropped by default)."""
    sms = sms_table()
    out: list[str] = []
    for raw in fold(text).split():
        for token in sms.get(raw, raw).split():
            if drop_stop_words and token in STOP_WORDS:
                continue
            out.append(stem(token))
    return out


def normalize(text: str, *, drop_stop_words: bool = True) -> str:
    """The matching key of `text`: its distinct tokens, in order, joined by spaces.

    Repeats are dropped so that "Aide ménager / ménagère à domicile" and
    "Aide-soignant / Aide-soignante" (both gender forms fold to the same stems)
    become "aide menager domicile" and "aide soignant".
    """
    return " ".join(dict.fromkeys(tokens(text, drop_stop_words=drop_stop_words)))


# ---------------------------------------------------------------- intent parsing


def _shadow(text: str) -> str:
    """Same length as `text`, lower case, unaccented, non-alphanumerics as spaces.

    Markers are searched in the shadow so that the slices returned by
    `split_intent` are slices of the ORIGINAL text (accents kept for the embedder).
    """
    out = []
    for ch in text.lower():
        base = unicodedata.normalize("NFKD", ch)[:1] or " "
        out.append(base if base.isascii() and base.isalnum() else " ")
    return "".join(out)


def _words(*alternatives: str) -> str:
    return "|".join(a.replace(" ", r"\s+") for a in alternatives)


# What introduces the wished job. The LAST marker wins: in "ex vendeuse, je veux
# devenir aide-soignante" the wish is what follows "devenir".
_WISH_MARKERS = re.compile(
    r"\b(?:"
    + _words(
        "devenir", "je voudrais", "jvoudrais", "jvoudrai", "j aimerais", "jaimerais", "je veux",
        "jveux", "jvx", "je souhaite", "je souhaiterais", "je vise", "je cherche", "je recherche",
        "me reconvertir", "se reconvertir", "reconversion", "m orienter", "aller vers",
        "passer a", "plutot", "maintenant", "envie de", "mon projet", "je me vois",
        "pourquoi pas", "interesse par", "interessee par", "attire par", "attiree par",
        "je reve de", "je pense a", "travailler", "faire", "evoluer vers", "je me verrais",
        "je me verrai",
    )
    + r")\b"
)
# What announces a job the person did or no longer wants.
_PREVIOUS_MARKERS = re.compile(
    r"\b(?:"
    + _words(
        "ancien", "ancienne", "anciennement", "ex", "j etais", "j ai ete", "j ai travaille",
        "j ai fait", "licencie", "licenciee", "marre", "ne plus", "ne veux plus", "fini",
        "finie", "actuellement", "je suis", "chui", "chuis", "de formation", "diplome",
        "diplomee", "apres", "pendant", "depuis", "ans", "en tant que", "comme",
    )
    + r")\b"
)
# "sans travailler le dimanche" excludes a condition: "travailler" does not start a wish there.
_NEGATION_BEFORE = re.compile(r"\b(?:ne|n|plus|pas|jamais|sans)\s*$")


# Saying what one LEAVES: "je ne veux plus être caissière", "marre de la vente".
_LEAVING = re.compile(r"\b(?:" + _words(
    "ne veux plus", "veux plus", "ne plus", "marre", "plus jamais", "ne supporte plus", "j en peux plus",
    "n en peux plus", "quitter", "arreter", "fini",
) + r")\b")


def only_leaving(wish: str) -> bool:
    """True when the wish only says which job the person wants to leave (no wish marker
    followed it, see `split_intent`): the job named is then not the one wanted."""
    return bool(_LEAVING.search(_shadow(wish)))


@dataclass(frozen=True)
class Intent:
    """A wish split into the wished job and, when stated, the job left behind."""

    wish: str
    previous: str | None = None


def split_intent(text: str) -> Intent:
    """Separate the wished job from a previous job mentioned in the same sentence.

    The last wish marker ("devenir", "je voudrais", "me reconvertir"...) splits the
    sentence; what precedes it is the previous job only if it has content words left
    once filler and previous-job markers are removed (so "je voudrais devenir X" has
    no previous job). A negated marker ("je ne veux plus être caissière") is not a
    wish. Returns slices of the original text.
    """
    shadow = _shadow(text)
    markers = [
        m for m in _WISH_MARKERS.finditer(shadow)
        if not _NEGATION_BEFORE.search(shadow[: m.start()])
        and not re.match(r"\s+plus\b", shadow[m.end():])
    ]
    for marker in reversed(markers):
        wish = text[marker.end():].strip(" ,.;:!?-")
        if not tokens(wish):
            continue  # "aide-soignante, c'est ce que je voudrais": marker closes the sentence
        before = text[: marker.start()].strip(" ,.;:!?-")
        previous = before if tokens(_PREVIOUS_MARKERS.sub(" ", _shadow(before))) else None
        return Intent(wish, previous)
    return Intent(text.strip())
