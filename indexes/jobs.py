"""Job search: a wish in the person's own words → ROME v3 codes, with the reason.

Results are ROME **v3** codes: they are what the rest of the system (certification
links, tension table, offers) uses. Passages of the 77 ROME 4.0-only codes are kept
(their titles help matching) but are attributed to their v3 parent.

Signals (see docs/search.md):
- semantic: e5 nearest passages (ROME labels, job titles, ONISEP names, activity
  descriptions written for this project), max cosine per ROME code;
- lexical: `LexicalIndex` over the same passages (typos, gender forms, SMS);
- curated tables in `indexes/data/`: acronyms/certifications (ADVF, CAP AEPE, CACES
  R489...), sectors named alone ("le BTP" → several jobs);
- intent parsing: in "ancienne caissière, je voudrais devenir aide-soignante" only
  the wish is searched and the previous job is pushed down.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from catalog import referentials
from indexes.fusion import FusionConfig, Fused, fuse
from indexes.lexical import LexicalIndex
from indexes.text import fold, normalize, only_leaving, split_intent, stem, tokens

DATA_DIR = Path(__file__).resolve().parent / "data"
Mode = Literal["fused", "semantic", "lexical"]
MAX_WISH_CHARS = 300


@dataclass(frozen=True)
class JobDoc:
    """One passage of the job index. `rome` is always a ROME v3 code."""

    doc_id: str
    rome: str
    text: str
    source: str  # "rome", "rome_job", "appellation", "onisep", "activity"


@dataclass(frozen=True)
class JobHit:
    rome: str
    label: str
    score: float  # 0..1
    why: str  # French, shown to the user


class Reason(str, Enum):
    """Why a wish is not (or not uniquely) understood; the value is shown to the user."""

    VAGUE = "souhait trop vague"
    UNKNOWN = "mots inconnus"
    SEVERAL = "plusieurs métiers possibles"


@dataclass(frozen=True)
class JobSearchResult:
    """The search's reading of one wish (contract shared with the planner and the app).

    understood: False when the wish names no job we can recognise (nonsense, greeting,
      number, an intention or a condition without a job); `reason` then says why and
      `results` are only guesses that must not be preselected.
    ambiguous: True when several jobs fit about equally ("conducteur"); `understood`
      stays True and `reason` is "plusieurs métiers possibles": show the choices.
    """

    query: str
    understood: bool
    reason: str | None
    ambiguous: bool
    results: list[JobHit]

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "understood": self.understood, "reason": self.reason,
                "ambiguous": self.ambiguous, "results": [asdict(h) for h in self.results]}


# --------------------------------------------------------------------------- curated tables


@dataclass(frozen=True)
class Acronym:
    key: str  # folded: "cap aepe"
    label: str
    romes: tuple[str, ...]


@dataclass(frozen=True)
class SectorEntry:
    name: str
    phrases: tuple[str, ...]  # folded
    romes: tuple[str, ...]


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _codes(text: str) -> tuple[str, ...]:
    return tuple(code for code in text.split("|") if code)


@lru_cache(maxsize=1)
def acronyms() -> tuple[Acronym, ...]:
    """Acronym / certification table; longest keys first so "caces r489" wins over "caces"."""
    rows = [Acronym(fold(r["acronym"]), r["label"], _codes(r["romes"])) for r in _csv("acronyms.csv")]
    return tuple(sorted(rows, key=lambda a: (-len(a.key), a.key)))


@lru_cache(maxsize=1)
def sectors() -> tuple[SectorEntry, ...]:
    rows = [SectorEntry(r["sector"], tuple(fold(p) for p in r["phrases"].split("|")), _codes(r["romes"]))
            for r in _csv("sectors.csv")]
    return tuple(rows)


def find_acronyms(text: str) -> list[Acronym]:
    """Acronyms present as whole words in `text`, longest first, no overlaps."""
    folded = f" {fold(text)} "
    found: list[Acronym] = []
    for acronym in acronyms():
        needle = f" {acronym.key} "
        if needle in folded:
            found.append(acronym)
            folded = folded.replace(needle, " # ")
    return found


# Words that leave a sector wish vague: "travailler dans le social", "m'occuper d'enfants".
_VAGUE = frozenset("secteur milieu monde domaine occuper aider avec travail quelque chose genre type".split())


def find_sector(text: str) -> tuple[SectorEntry, bool] | None:
    """The sector named in `text` and whether it is named ALONE (nothing more specific).

    A sector word that `content_tokens` sets aside is not a sector wish: "pas dans le
    BTP" excludes it, "m'occuper de mes enfants" is about the person's own children.
    """
    folded = f" {fold(text)} "
    kept = set(content_tokens(text, strict=True))
    best: tuple[SectorEntry, str] | None = None
    for sector in sectors():
        for phrase in sector.phrases:
            if f" {phrase} " in folded and (best is None or len(phrase) > len(best[1])) and set(tokens(phrase)) <= kept:
                best = (sector, phrase)
    if best is None:
        return None
    rest = [t for t in tokens(folded.replace(f" {best[1]} ", " ")) if t not in _VAGUE]
    return best[0], not rest


@dataclass(frozen=True)
class UsualJob:
    """The everyday reading of a bare job name that several ROME codes share."""

    name: str  # normalised: "mecanicien"
    romes: tuple[str, ...]
    ambiguous: bool


@lru_cache(maxsize=1)
def usual_jobs() -> dict[str, UsualJob]:
    """`indexes/data/usual_jobs.csv`, keyed by the normalised name."""
    out = {}
    for r in _csv("usual_jobs.csv"):
        key = normalize(r["name"])
        out[key] = UsualJob(key, _codes(r["romes"]), r["ambiguous"].strip().lower() in {"1", "oui", "yes", "true"})
    return out


def _vague_rows() -> list[tuple[str, str]]:
    return [(fold(r["phrase"]), r["kind"].strip()) for r in _csv("vague.csv") if fold(r["phrase"])]


@lru_cache(maxsize=1)
def _title_words() -> frozenset[str]:
    """Folded words of the job passages."""
    words: set[str] = set()
    for doc in job_documents():
        words.update(fold(doc.text).split())
    return frozenset(words)


@lru_cache(maxsize=1)
def vague_phrases() -> tuple[str, ...]:
    """Folded phrases that name no job (intentions, conditions, money, contracts, greetings,
    places), longest first, from `indexes/data/vague.csv` plus the names of the Region's
    communes that are not also a word of a job title ("Bordeaux" yes, "Salon" no)."""
    phrases = {phrase for phrase, kind in _vague_rows() if kind != "role"}
    title_words = _title_words()
    for commune in referentials.communes().values():
        name = fold(commune.name)
        if name and not set(name.split()) <= title_words:
            phrases.add(name)
    return tuple(sorted(phrases, key=lambda p: (-len(p), p)))


@lru_cache(maxsize=1)
def role_words() -> frozenset[str]:
    """Stemmed role nouns ("responsable", "technicien", "agent"): alone, they name a family
    of jobs, not one job, so the wish stays understood but ambiguous."""
    return frozenset(stem(phrase) for phrase, kind in _vague_rows() if kind == "role" and " " not in phrase)


# Kinds of vague.csv rows that shape what follows them (see `content_tokens`).
_SCOPED = frozenset({"exclusion", "proximity", "personal", "boundary"})
# Words skipped before the landmark of a proximity phrase ("près DE LA gare") and before
# the noun of a possessive ("mes PETITS enfants").
_DETERMINERS = frozenset("de d du des la le les l a au aux chez un une ce cet cette ces".split())
_POSSESSIVES = frozenset("ma mon mes ta ton tes sa son ses notre nos votre vos leur leurs".split())
_QUALIFIERS = frozenset("petit petite petits petites propre propres jeune jeunes deux trois grand grande grands "
                        "grandes ancien ancienne futur future nouveau nouvelle vrai vraie premier premiere".split())
# Clause breaks: an exclusion ends there ("pas de nuit, cuisinier").
_CLAUSE = re.compile(r"[,;.!?:()\[\]\n]+")


@lru_cache(maxsize=1)
def _scoped_kinds() -> dict[str, str]:
    """Folded phrase → kind, for the rows whose kind shapes the words after them."""
    return {phrase: kind for phrase, kind in _vague_rows() if kind in _SCOPED}


@lru_cache(maxsize=2)
def _vague_lookup(strict: bool) -> tuple[frozenset[str], int]:
    phrases = vague_phrases()
    if strict:
        titles = _title_words()
        scoped = _scoped_kinds()
        phrases = tuple(p for p in phrases if p in scoped or not set(p.split()) <= titles)
    return frozenset(phrases), max((len(p.split()) for p in phrases), default=1)


def _skip_landmark(words: list[str], i: int, boundaries: set[str]) -> int:
    """Index after the place or thing a proximity phrase points at: "près de [la gare de
    Pau]", "proche de [ma maison]", "proche de [la nature]"."""
    skip = _DETERMINERS | _POSSESSIVES
    while i < len(words) and words[i] in skip:
        i += 1
    if i < len(words) and words[i] not in boundaries:
        i += 1
        # "Mont de Marsan", "la gare de Pau": a complement still names the landmark.
        while i + 1 < len(words) and words[i] in {"de", "d", "du", "des", "sur"} and words[i + 1] not in boundaries:
            i += 2
    return i


def content_tokens(text: str, *, strict: bool = False) -> list[str]:
    """Tokens of `text` that may name a job: stop words, numbers, vague phrases and places removed.

    Phrases are removed leftmost-longest over the folded words (a set lookup per n-gram,
    so the ~4 000 commune names cost nothing per query). `strict` keeps the phrases made
    only of job-title words ("de nuit" in "veilleur de nuit", "montagne" in "accompagnateur
    en montagne"): for finding the bare job name inside a longer wish.

    Some vague.csv kinds also set aside the words that FOLLOW them, because of what they
    say about those words (French grammar, not a list of words):
    - exclusion ("pas", "sans", "ni", "jamais"...): what a person excludes is a condition,
      not the job wanted ("pas de contact avec le public", "sans voiture"), up to the end
      of the clause or a boundary word ("mais", "comme", "je"...);
    - proximity ("près", "proche", "loin", "à côté"): the landmark after it is a place or
      a preference ("proche de ma maison", "proche de la nature");
    - personal (first-person possessives "mon", "ma", "mes"): the noun after it is the
      person's own life, not the job ("du temps pour mes enfants", "mon rêve").
    So "boulanger sans travailler la nuit" is "boulanger".
    """
    phrases, longest = _vague_lookup(strict)
    kinds = _scoped_kinds()
    boundaries = {p for p, kind in kinds.items() if kind == "boundary"}
    kept: list[str] = []
    for clause in _CLAUSE.split(text):
        words = fold(clause).split()
        excluding = False
        i = 0
        while i < len(words):
            if words[i] in boundaries:
                excluding = False
            if excluding:
                i += 1
                continue
            for n in range(min(longest, len(words) - i), 0, -1):
                phrase = " ".join(words[i:i + n])
                if phrase in phrases:
                    i += n
                    kind = kinds.get(phrase)
                    if kind == "exclusion":
                        excluding = True
                    elif kind == "proximity":
                        i = _skip_landmark(words, i, boundaries)
                    elif kind == "personal":
                        while i < len(words) and words[i] in _QUALIFIERS:
                            i += 1
                        if i < len(words) and words[i] not in boundaries:
                            i += 1
                    break
            else:
                kept.append(words[i])
                i += 1
    # A number alone never names a job ("35h", "1500 euros"); "r489" keeps its letters.
    return [t for t in tokens(" ".join(kept)) if not t.isdigit()]


@lru_cache(maxsize=1)
def _word_spread() -> dict[str, int]:
    """Normalised word of the job passages → how many ROME codes have a passage holding it."""
    codes: dict[str, set[str]] = defaultdict(set)
    for doc in job_documents():
        for token in normalize(doc.text).split():
            codes[token].add(doc.rome)
    return {token: len(found) for token, found in codes.items()}


@lru_cache(maxsize=4)
def naming_words(max_codes: int) -> tuple[str, ...]:
    """Words that can name a job by themselves: the head noun of a job title ("mécanicien",
    "vendeur"), a word of the job passages shared by at most `max_codes` ROME codes
    ("boulanger", "carrelage", "cheveux", "vélos"), and the one-word curated sector
    phrases ("BTP", "enfance").

    Why the spread: a word found in the titles of many different jobs ("équipe" 88 codes,
    "chargé", "public", "personnes", "bureau") qualifies a job but names none, like the
    role words, which are left out too (as heads: "Chef d'équipe" gives no head). Single
    vague words are left out so that a typo cannot land on a condition ("bouger").
    """
    roles = role_words()
    words = {token for token, n in _word_spread().items() if n <= max_codes}
    for doc in job_documents():
        if doc.source in ("rome", "rome_job", "appellation"):
            head = normalize(doc.text).split()[:1]
            if head and head[0] not in roles:
                words.add(head[0])
    for sector in sectors():
        # One-word sector names only: "travaux publics" names a sector, "public" alone does not.
        words.update(token for phrase in sector.phrases if len(tokens(phrase)) == 1 for token in tokens(phrase))
    vague = {token for phrase, kind in _vague_rows() if kind != "role" and " " not in phrase for token in tokens(phrase)}
    return tuple(sorted(words - vague - roles))


@lru_cache(maxsize=1)
def role_titles() -> frozenset[tuple[str, str]]:
    """Starts of the job titles headed by a role word: ("charge", "clientele") for "Chargé de
    clientèle", ("agent", "tri"), ("chef", "equipe"). The pair names a job where neither
    word alone does."""
    roles = role_words()
    out: set[tuple[str, str]] = set()
    for doc in job_documents():
        if doc.source in ("rome", "rome_job", "appellation"):
            words = normalize(doc.text).split()
            if len(words) >= 2 and words[0] in roles:
                out.add((words[0], words[1]))
    return frozenset(out)


@lru_cache(maxsize=1)
def activities() -> tuple[tuple[str, str], ...]:
    """(rome, text) activity descriptions written for this project (not from a referential)."""
    return tuple((r["rome"], r["text"]) for r in _csv("activities.csv"))


# --------------------------------------------------------------------------- documents


def job_documents() -> list[JobDoc]:
    """The passages of the job index, in a deterministic order."""
    romes = referentials.rome_codes()
    docs: list[JobDoc] = []
    for code in sorted(romes):
        rome = romes[code]
        parent = rome.parent or code
        docs.append(JobDoc(f"rome:{code}", parent, rome.label, "rome"))
        if rome.job_label and rome.job_label != rome.label:
            docs.append(JobDoc(f"rome_job:{code}", parent, rome.job_label, "rome_job"))
    for app in sorted(referentials.appellations(), key=lambda a: a.code):
        known = romes.get(app.rome)
        if known is not None:
            docs.append(JobDoc(f"app:{app.code}", known.parent or app.rome, app.label, "appellation"))
    for i, (code, name) in enumerate(referentials.onisep_names()):
        known = romes.get(code)
        if known is not None:
            docs.append(JobDoc(f"onisep:{i}", known.parent or code, name, "onisep"))
    for i, (code, text) in enumerate(activities()):
        known = romes.get(code)
        if known is not None:
            docs.append(JobDoc(f"activity:{i}", known.parent or code, text, "activity"))
    return docs


def job_label(code: str) -> str:
    """Job title for display ("Aide-soignant / Aide-soignante"), else the ROME label."""
    rome = referentials.rome_codes().get(code)
    if rome is None:
        return code
    return rome.job_label or rome.label


# --------------------------------------------------------------------------- searcher


class JobSearcher:
    """Combine semantic, lexical and curated signals; see module docstring.

    embedder: `encode_queries(list[str]) -> (n, d)` normalised float32;
    vector_index: `search(qvecs, k) -> list[list[(doc_id, cosine)]]` over `docs`.
    """

    def __init__(self, embedder: Any, vector_index: Any, docs: Iterable[JobDoc],
                 config: FusionConfig | None = None) -> None:
        self.embedder = embedder
        self.vector_index = vector_index
        self.docs = list(docs)
        self._doc = {d.doc_id: d for d in self.docs}
        self.config = config or FusionConfig.load()
        self.lexical = LexicalIndex([(d.rome, d.text) for d in self.docs])
        self._known = {d.rome for d in self.docs}
        self._naming = frozenset(naming_words(self.config.anchor_max_codes))
        # Main titles (ROME label, ROME job title) as token tuples, for the head-noun rule.
        self._main_titles: list[tuple[tuple[str, ...], str, str]] = [
            (tuple(normalize(d.text).split()), d.rome, d.text) for d in self.docs if d.source in ("rome", "rome_job")
        ]

    def search(self, text: str, k: int = 5, mode: Mode = "fused") -> list[JobHit]:
        return self.search_many([text], k, mode)[0]

    def search_many(self, texts: list[str], k: int = 5, mode: Mode = "fused") -> list[list[JobHit]]:
        """Rank jobs for each text; queries are encoded in one batch.

        mode "semantic" / "lexical" return that single signal on the raw text (no
        intent parsing, no curated tables): the baselines of bench/search_quality.py.
        """
        # A wish is a sentence; a pasted page must not cost seconds of fuzzy matching.
        texts = [t[:MAX_WISH_CHARS] if isinstance(t, str) else "" for t in texts]
        if mode == "lexical":
            return [self._lexical_hits(t, k) for t in texts]
        if mode == "semantic":
            return [[JobHit(r, job_label(r), round(c, 4), w) for r, (c, w) in list(sem.items())[:k]]
                    for sem in self._semantic(texts)]
        return [r.results for r in self.understand_many(texts, k)]

    def understand(self, text: str, k: int = 5) -> JobSearchResult:
        """The ranked jobs plus whether the wish was understood (see `JobSearchResult`)."""
        return self.understand_many([text], k)[0]

    def understand_many(self, texts: list[str], k: int = 5) -> list[JobSearchResult]:
        """`understand` for several wishes, with one batch of query encodings."""
        originals = [t if isinstance(t, str) else "" for t in texts]
        texts = [t[:MAX_WISH_CHARS] for t in originals]
        intents = [split_intent(t) for t in texts]
        previous = [i.previous or "" for i in intents]
        semantic = self._semantic([i.wish for i in intents] + [p for p in previous if p])
        prev_sem = iter(semantic[len(texts):])
        out = []
        for original, intent, sem in zip(originals, intents, semantic[: len(texts)]):
            penalised = self._previous_jobs(intent.previous, next(prev_sem)) if intent.previous else set()
            ranked, reading = self._rank(intent.wish, sem, penalised)
            hits = [JobHit(f.key, job_label(f.key), f.score, f.why) for f in ranked[:k]]
            understood, reason, ambiguous = self._judge(intent.wish, ranked, reading)
            if intent.previous is None and only_leaving(intent.wish):
                # "je ne veux plus être caissière": we know the job left, not the one wanted,
                # and that job must not come back as a candidate.
                understood, reason, ambiguous, hits = False, Reason.VAGUE.value, False, []
            if not understood and not reading["forced"] and not content_tokens(intent.wish):
                # "un job", "temps partiel": nothing names a job, so any ranking would be a
                # guess from filler words; no results rather than a confident-looking one.
                hits = []
            out.append(JobSearchResult(original, understood, reason, ambiguous, hits))
        return out

    # ----------------------------------------------------------------- signals

    def _semantic(self, texts: list[str]) -> list[dict[str, tuple[float, str]]]:
        """Per text: rome → (best cosine, why), best first. Empty texts get nothing."""
        out: list[dict[str, tuple[float, str]]] = [{} for _ in texts]
        wanted = [i for i, t in enumerate(texts) if fold(t)]  # no letters or digits: no meaning
        if not wanted:
            return out
        vectors = self.embedder.encode_queries([texts[i] for i in wanted])
        for i, hits in zip(wanted, self.vector_index.search(vectors, self.config.semantic_k)):
            best: dict[str, tuple[float, str]] = {}
            second: dict[str, float] = {}
            for doc_id, cosine in hits:
                doc = self._doc.get(doc_id)
                if doc is None:
                    continue
                if doc.rome not in best:
                    best[doc.rome] = (float(cosine), f"sens proche : « {doc.text} »")
                else:
                    second.setdefault(doc.rome, float(cosine))
            # Max per ROME code, blended with its 2nd passage: a code several of whose
            # titles are close ("agente de propreté") beats one lucky title.
            # A 2nd passage beyond the k nearest is at most as close as the k-th.
            beta = self.config.semantic_support
            floor = float(hits[-1][1]) if hits else 0.0
            blended = {rome: ((1 - beta) * cos + beta * second.get(rome, floor), why)
                       for rome, (cos, why) in best.items()}
            out[i] = dict(sorted(blended.items(), key=lambda item: -item[1][0]))
        return out

    def _lexical(self, text: str) -> dict[str, tuple[float, str]]:
        return {
            rome: (score, f"intitulé {'correspondant' if score >= self.config.trust_lexical else 'proche'} : « {matched} »")
            for rome, score, matched in self.lexical.search(text, self.config.lexical_k)
        }

    def _lexical_hits(self, text: str, k: int) -> list[JobHit]:
        return [JobHit(r, job_label(r), s, w) for r, (s, w) in list(self._lexical(text).items())[:k]]

    def _previous_jobs(self, previous: str, sem: dict[str, tuple[float, str]]) -> set[str]:
        """ROME codes of the job left behind: its best lexical and semantic match."""
        out = {code for code, _ in list(sem.items())[:1]}
        lex = self.lexical.search(previous, 1)
        if lex and lex[0][1] >= 0.7:
            out.add(lex[0][0])
        return out

    def _curated(self, wish: str) -> tuple[dict[str, tuple[float, str]], dict[str, float]]:
        """Forced keys from acronyms and a sector named alone; bonus for a sector named with a job."""
        forced: dict[str, tuple[float, str]] = {}
        bonus: dict[str, float] = {}
        for acronym in find_acronyms(wish):
            for rank, code in enumerate(acronym.romes):
                level = 1.0 - rank * self.config.acronym_step
                if code in self._known and level > forced.get(code, (0.0, ""))[0]:
                    forced[code] = (level, f"acronyme {acronym.key.upper()} → {acronym.label}")
        sector = find_sector(wish)
        if sector is not None:
            entry, alone = sector
            by_acronym = bool(forced)
            for rank, code in enumerate(entry.romes):
                if code not in self._known:
                    continue
                if alone and not by_acronym:
                    forced[code] = (1.0 - rank * self.config.acronym_step,
                                    f"secteur {entry.name} : métier courant du secteur")
                else:
                    bonus[code] = self.config.sector_bonus
        return forced, bonus

    def _names_job(self, token: str) -> bool:
        """Whether a content token is (or is a typo of) a word that names a job (`naming_words`).

        A typo is a small edit distance (config `anchor_edits_short` from `anchor_typo_len`
        letters, `anchor_edits_long` from `anchor_typo_long_len`): "chaufeur", "oxiliaire",
        "plonbier" pass; "correct" is three edits from "correcteur" and does not.
        """
        cfg = self.config
        words = naming_words(cfg.anchor_max_codes)
        if token in self._naming:
            return True
        if len(token) < cfg.anchor_typo_len:
            return False
        edits = cfg.anchor_edits_long if len(token) >= cfg.anchor_typo_long_len else cfg.anchor_edits_short
        return process.extractOne(token, words, scorer=Levenshtein.distance, score_cutoff=edits) is not None

    def _usual(self, wish: str) -> UsualJob | None:
        """The usual-reading entry when the whole wish is a bare job name of that table."""
        entry = usual_jobs().get(normalize(wish))
        if entry is None or not any(code in self._known for code in entry.romes):
            return None
        return entry

    def _heads(self, wish: str) -> dict[str, str]:
        """Codes whose main title starts with the whole wish: "plongeuse" → G1605 "Plongeur
        officier de cuisine", not a diver; "électricien" → "Électricien du bâtiment".

        Why: a bare job name is the head noun of the job people mean; the same noun
        inside a longer appellation of another code ("Plongeur subaquatique") is a
        specialisation they did not ask for.
        """
        query = tuple(normalize(wish).split())
        if not query:
            return {}
        out: dict[str, str] = {}
        for title, code, text in self._main_titles:
            if title[: len(query)] == query and code not in out:
                out[code] = f"intitulé du métier : « {text} »"
        return out

    def _rank(self, wish: str, sem: dict[str, tuple[float, str]], penalised: set[str]) -> tuple[list[Fused], dict[str, Any]]:
        """Fused ranking of one wish, and what the curated tables recognised in it."""
        forced, bonus = self._curated(wish)
        # The job named, without the conditions and places around it: "cuisinier à temps
        # partiel à Pau" is the bare name "cuisinier" for the usual-reading and head rules.
        core = " ".join(content_tokens(wish, strict=True)) or wish
        usual = self._usual(core) if not forced else None
        if usual is not None:
            for rank, code in enumerate(c for c in usual.romes if c in self._known):
                said = "désigne le plus souvent" if rank == 0 else "peut aussi désigner"
                forced[code] = (1.0 - rank * self.config.acronym_step, f"« {wish.strip()} » {said} : {job_label(code)}")
        # The acronym itself is not a job title: search the rest lexically.
        lexical_text = wish
        found = find_acronyms(wish)
        for acronym in found:
            lexical_text = re.sub(rf"\b{re.escape(acronym.key)}\b", " ", fold(lexical_text))
        sector = find_sector(wish)
        reading = {"acronym": bool(found), "usual": usual,
                   "sector_alone": bool(sector and sector[1] and not found),
                   "forced": bool(forced)}
        if found and not forced and not tokens(lexical_text):
            return [], reading  # "CléA", "SST": a certificate that leads to no particular job
        head = {} if forced else self._heads(core)
        if found and forced:
            # An acronym next to another job noun qualifies it: "formateur cariste (CACES)"
            # is a trainer. The leading noun, when it heads a main title and is not a role
            # word, goes first; the acronym's jobs follow.
            lead = [t for t in content_tokens(lexical_text, strict=True) if t not in role_words()][:1]
            heads = self._heads(" ".join(lead)) if lead else {}
            named = {c: w for c, w in heads.items() if c not in forced}
            # "chauffeur PL": the noun already heads one of the acronym's jobs, nothing to add.
            if named and len(named) == len(heads):
                top = max(level for level, _ in forced.values())
                forced = {c: (level - self.config.acronym_step * len(named), why) for c, (level, why) in forced.items()}
                for c, why in named.items():
                    forced[c] = (top, why)
        ranked = fuse(self._lexical(lexical_text), sem, self.config,
                      forced=forced, bonus=bonus, penalised=penalised - set(forced), head=head)
        return ranked, reading

    def _judge(self, wish: str, ranked: list[Fused], reading: dict[str, Any]) -> tuple[bool, str | None, bool]:
        """(understood, reason, ambiguous) of one wish; thresholds in config_jobs.json.

        Not understood: no word that can name a job once intentions, conditions, money,
        contracts, greetings and places are set aside ("je veux bosser", "temps
        partiel", "dans le sud") → too vague; or a best score under `understood_min`
        (calibrated on the benchmark, see docs/search.md) → unknown words when most
        content words are unknown to the job titles ("qwerty"), too vague otherwise;
        or an answer below the trusted tier with no content word that names a job
        (`_names_job`, `role_titles`): "un salaire correct" → "Correcteur" is a guess
        from a fuzzy title, not a wish we understood → too vague.
        """
        cfg = self.config
        content = content_tokens(wish)
        if reading["forced"]:
            if not ranked:
                return False, Reason.VAGUE.value, False
            usual = reading["usual"]
            several = reading["sector_alone"] or bool(usual and usual.ambiguous)
            return True, Reason.SEVERAL.value if several else None, several
        if not content or not ranked:
            return False, Reason.VAGUE.value, False
        top = ranked[0]
        if top.score < cfg.understood_min:
            known = sum(self.lexical.knows(t) >= cfg.known_token for t in content) / len(content)
            return False, (Reason.UNKNOWN if known < 0.5 else Reason.VAGUE).value, False
        named = any(self._names_job(t) for t in content) or any(pair in role_titles() for pair in zip(content, content[1:]))
        if not top.trusted and not named:
            # A guess from the meaning or from a fuzzy title ("un salaire correct" →
            # "Correcteur", "je veux être autonome") with no word that names a job:
            # too vague, whatever the score.
            return False, Reason.VAGUE.value, False
        close = [f for f in ranked[1:] if f.trusted == top.trusted and f.score >= top.score * (1 - cfg.ambiguity_margin)]
        if close or set(content) <= role_words():
            return True, Reason.SEVERAL.value, True
        return True, None, False
