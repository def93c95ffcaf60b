"""Typo-tolerant lexical index over short titles (job titles, certification names, offer titles).

Why not `rapidfuzz.process.extract(query, 15k titles, scorer=WRatio)`: it is slow
enough to matter (tens of ms) and its partial/token-set scorers reward a one-word
title contained in a long query ("agent" in "agent d'entretien en ehpad") as much as
the right one. Instead:

1. every title and the query go through `indexes.text.normalize` (accents, case,
   gender forms, plurals, SMS spelling, stop words);
2. each query token is matched against the VOCABULARY of title tokens (exact, or
   `fuzz.ratio` ≥ a length-dependent threshold for typos: "soigante" → "soignant");
3. only titles holding one of those tokens are scored, by IDF-weighted coverage
   in both directions: how much of the query the title explains, and how much of
   the title the query asked for. A title equal to the query scores 1.0.

Generic on purpose: entries are `(key_id, text)` pairs; several texts may share a
key (all the titles of one ROME code) and results are aggregated per key by max.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from indexes.text import normalize

# Weight of "the title is fully covered by the query" vs "the query is fully
# covered by the title". Favouring the query side slightly lets the exact word in
# a longer title ("Mécanicien automobile") beat a one-word near-miss.
TITLE_SIDE = 0.45


def _min_ratio(token: str) -> float:
    """Typo tolerance grows with token length; short tokens must match exactly."""
    n = len(token)
    if n <= 3:
        return 101.0
    if n <= 5:
        return 85.0
    if n <= 7:
        return 80.0
    return 76.0


@dataclass(frozen=True)
class _Entry:
    key_id: str
    text: str
    tokens: tuple[str, ...]


class LexicalIndex:
    """Fuzzy token index; `search` returns `(key_id, score 0..1, matched original text)`."""

    def __init__(self, entries: list[tuple[str, str]]):
        self._entries: list[_Entry] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for key_id, text in entries:
            toks = tuple(normalize(text).split())
            if not toks:
                continue
            position = len(self._entries)
            self._entries.append(_Entry(key_id, text, toks))
            for token in toks:
                postings[token].append(position)
        self._postings = {tok: tuple(pos) for tok, pos in postings.items()}
        self._vocab = list(self._postings)
        total = max(len(self._entries), 1)
        self._idf = {tok: math.log(1 + total / len(pos)) for tok, pos in self._postings.items()}
        self._max_idf = math.log(1 + total)

    def __len__(self) -> int:
        return len(self._entries)

    def _similar_tokens(self, token: str) -> dict[str, float]:
        """Vocabulary tokens close to `token`, with a similarity in 0..1."""
        found = {token: 1.0} if token in self._postings else {}
        cutoff = _min_ratio(token)
        if cutoff <= 100:
            for other, score, _ in process.extract(
                token, self._vocab, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8
            ):
                # Squared: a near-miss ("mecatronicien" for "mecanicien") must count
                # clearly less than the exact word inside a longer title.
                found.setdefault(other, (score / 100.0) ** 2)
        return found

    def knows(self, token: str) -> float:
        """How well a (normalised) query token is known: 1.0 exact, squared fuzzy ratio, 0.0 unknown.

        Used to tell a wish made of unknown words ("qwerty", "fdsfsdf") from a typo
        of a real title word ("soigante").
        """
        return max(self._similar_tokens(token).values(), default=0.0)

    def search(self, text: str, k: int = 10) -> list[tuple[str, float, str]]:
        """Best `k` keys for `text`: `(key_id, score, best matching original text)`, best first."""
        query = normalize(text).split()
        if not query:
            return []
        # Token-level similarities, weighted by IDF (a rare word says more than "agent").
        sims: list[dict[str, float]] = [self._similar_tokens(tok) for tok in query]
        weights = [self._idf.get(tok, self._max_idf) for tok in query]
        candidates: set[int] = set()
        for found in sims:
            for other in found:
                candidates.update(self._postings[other])
        best: dict[str, tuple[float, str]] = {}
        q_total = sum(weights)
        for position in candidates:
            entry = self._entries[position]
            entry_tokens = entry.tokens
            q_cov = sum(
                w * max((found.get(t, 0.0) for t in entry_tokens), default=0.0)
                for w, found in zip(weights, sims)
            ) / q_total
            t_weights = [self._idf[t] for t in entry_tokens]
            t_cov = sum(
                w * max((found.get(t, 0.0) for found in sims), default=0.0)
                for w, t in zip(t_weights, entry_tokens)
            ) / sum(t_weights)
            score = TITLE_SIDE * t_cov + (1 - TITLE_SIDE) * q_cov
            previous = best.get(entry.key_id)
            if previous is None or score > previous[0] or (
                score == previous[0] and len(entry.text) < len(previous[1])
            ):
                best[entry.key_id] = (score, entry.text)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], len(item[1][1]), item[0]))
        return [(key_id, round(score, 4), matched) for key_id, (score, matched) in ranked[:k]]
