"""Fusion of the lexical and semantic job signals into one ranking.

Why not reciprocal-rank fusion: RRF throws the scores away, so a near-exact title
match ("aide soignante" → "Aide-soignant / Aide-soignante") weighs no more than
the 1st semantic neighbour, and top-1 drops. Here:

1. each signal is put on a 0..1 scale: the lexical score already is (coverage of
   query and title, see `indexes.lexical`); the e5 cosine is calibrated linearly
   between `cos_floor` (≈ unrelated) and `cos_ceil` (≈ same meaning);
2. the two are combined convexly: `mix = wl·lexical + ws·semantic`;
3. TRUSTED keys (a near-exact lexical match ≥ `trust_lexical`, a resolved acronym,
   the jobs of a sector named alone) form an upper tier: `0.5 + 0.5·max(mix, forced)`;
   everything else sits in `0.5·mix`. A trusted answer therefore always beats a
   merely similar one, and within a tier the signals decide;
   HEAD-NOUN keys (the job's main title starts with the whole wish) are trusted too,
   with `+head_bonus` rescaled into the upper tier;
4. keys of the job the person wants to LEAVE are multiplied by `previous_penalty`,
   keys of a sector named next to a job get `+sector_bonus` (before the tiering).

All weights live in `indexes/data/config_jobs.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

CONFIG_PATH = Path(__file__).resolve().parent / "data" / "config_jobs.json"


@dataclass(frozen=True)
class FusionConfig:
    """Tunable settings of job search; defaults are overridden by the JSON file."""

    semantic_k: int = 80
    lexical_k: int = 40
    cos_floor: float = 0.80
    cos_ceil: float = 0.92
    semantic_support: float = 0.0
    weight_lexical: float = 0.5
    weight_semantic: float = 0.5
    trust_lexical: float = 0.95
    acronym_step: float = 0.02
    sector_bonus: float = 0.04
    previous_penalty: float = 0.3
    # Understanding (JobSearcher.understand): see docs/search.md, calibration.
    head_bonus: float = 0.2
    understood_min: float = 0.3
    ambiguity_margin: float = 0.02
    known_token: float = 0.7
    # Naming-word gate of an untrusted answer (JobSearcher._names_job, docs/search.md).
    anchor_max_codes: int = 15
    anchor_typo_len: int = 7
    anchor_typo_long_len: int = 8
    anchor_edits_short: int = 1
    anchor_edits_long: int = 2

    @classmethod
    def load(cls, path: Path | str = CONFIG_PATH) -> "FusionConfig":
        """Read the JSON settings; unknown keys are an error (a typo must not pass silently)."""
        data = {k: v for k, v in json.loads(Path(path).read_text(encoding="utf-8")).items() if not k.startswith("_")}
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"Paramètres inconnus dans {path} : {', '.join(sorted(unknown))}")
        config = cls(**data)
        if config.cos_ceil <= config.cos_floor:
            raise ValueError("cos_ceil doit être supérieur à cos_floor")
        if config.weight_lexical < 0 or config.weight_semantic < 0 or not (config.weight_lexical + config.weight_semantic):
            raise ValueError("Les poids doivent être positifs et non tous nuls")
        return config


def calibrate_cosine(cosine: float, config: FusionConfig) -> float:
    """Map an e5 cosine to 0..1 (linear between floor and ceiling, clipped)."""
    span = config.cos_ceil - config.cos_floor
    return min(1.0, max(0.0, (cosine - config.cos_floor) / span))


@dataclass(frozen=True)
class Fused:
    key: str
    score: float  # 0..1
    why: str
    lexical: float
    semantic: float
    trusted: bool


def fuse(
    lexical: dict[str, tuple[float, str]],
    semantic: dict[str, tuple[float, str]],
    config: FusionConfig,
    *,
    forced: dict[str, tuple[float, str]] | None = None,
    bonus: dict[str, float] | None = None,
    penalised: set[str] | frozenset[str] = frozenset(),
    head: dict[str, str] | None = None,
) -> list[Fused]:
    """Rank keys from both signals, best first.

    lexical:   key → (score 0..1, why)    semantic: key → (raw cosine, why)
    forced:    key → (score 0..1, why) for keys trusted by a curated table
    bonus:     key → additive bonus (sector named next to a job)
    penalised: keys of a job the person wants to leave
    head:      key → why, for keys whose MAIN title starts with the whole wish ("plongeur"
               → "Plongeur officier de cuisine"): trusted, with `+head_bonus`
    """
    forced = forced or {}
    head = head or {}
    bonus = bonus or {}
    total = config.weight_lexical + config.weight_semantic
    wl, ws = config.weight_lexical / total, config.weight_semantic / total
    out: list[Fused] = []
    for key in set(lexical) | set(semantic) | set(forced):
        lex, lex_why = lexical.get(key, (0.0, ""))
        cos, sem_why = semantic.get(key, (0.0, ""))
        sem = calibrate_cosine(cos, config) if key in semantic else 0.0
        mix = min(1.0, wl * lex + ws * sem + bonus.get(key, 0.0))
        if key in penalised:
            # The job being left: never trusted, and pushed down.
            score, trusted = 0.5 * mix * config.previous_penalty, False
            why = lex_why or sem_why
        elif key in forced:
            level, why = forced[key]
            score, trusted = 0.5 + 0.5 * max(mix, level), True
        elif key in head:
            # Rescaled, not clipped: several head matches keep their order.
            score, why, trusted = 0.5 + 0.5 * (mix + config.head_bonus) / (1 + config.head_bonus), head[key], True
        elif lex >= config.trust_lexical:
            score, why, trusted = 0.5 + 0.5 * mix, lex_why, True
        else:
            score, trusted = 0.5 * mix, False
            why = lex_why if wl * lex >= ws * sem and lex_why else sem_why or lex_why
        out.append(Fused(key, round(score, 4), why, lex, round(cos, 4), trusted))
    out.sort(key=lambda f: (-f.score, -f.lexical, f.key))
    return out
