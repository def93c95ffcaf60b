"""Fusion of lexical and semantic job scores: ordering properties and configuration."""

from __future__ import annotations

import json

import pytest

from indexes.fusion import CONFIG_PATH, FusionConfig, calibrate_cosine, fuse


@pytest.fixture
def config():
    return FusionConfig.load()


def keys(ranked):
    return [f.key for f in ranked]


def test_shipped_config_is_used(config):
    data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    assert config.weight_lexical == data["weight_lexical"]
    assert config.trust_lexical == data["trust_lexical"]
    assert config.cos_floor < config.cos_ceil


def test_unknown_or_inconsistent_settings_are_rejected(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text('{"weigth_lexical": 1}', encoding="utf-8")
    with pytest.raises(ValueError, match="weigth_lexical"):
        FusionConfig.load(bad)
    bad.write_text('{"cos_floor": 0.9, "cos_ceil": 0.8}', encoding="utf-8")
    with pytest.raises(ValueError):
        FusionConfig.load(bad)


def test_cosine_calibration_is_clipped_and_monotonic(config):
    assert calibrate_cosine(config.cos_floor - 0.1, config) == 0.0
    assert calibrate_cosine(config.cos_ceil + 0.1, config) == 1.0
    mid = (config.cos_floor + config.cos_ceil) / 2
    assert calibrate_cosine(mid, config) == pytest.approx(0.5)


def test_near_exact_lexical_match_beats_a_stronger_semantic_neighbour(config):
    ranked = fuse({"A": (1.0, "titre A"), "B": (0.5, "")}, {"B": (0.95, "sens B"), "A": (0.82, "sens A")}, config)
    assert keys(ranked)[:2] == ["A", "B"]
    assert ranked[0].trusted and ranked[0].why == "titre A"


def test_without_trusted_match_both_signals_add_up(config):
    # B is second on each signal but first on their combination.
    lexical = {"A": (0.80, ""), "B": (0.75, "lex B"), "C": (0.10, "")}
    semantic = {"C": (0.91, ""), "B": (0.90, "sem B"), "A": (0.80, "")}
    assert keys(fuse(lexical, semantic, config))[0] == "B"


def test_more_of_either_signal_never_lowers_a_key(config):
    base = fuse({"A": (0.6, ""), "B": (0.7, "")}, {"A": (0.85, ""), "B": (0.84, "")}, config)
    more = fuse({"A": (0.6, ""), "B": (0.7, "")}, {"A": (0.90, ""), "B": (0.84, "")}, config)
    score = lambda ranked, key: next(f.score for f in ranked if f.key == key)  # noqa: E731
    assert score(more, "A") > score(base, "A")
    assert score(more, "B") == score(base, "B")


def test_weights_from_config_decide_between_signals():
    lexical = {"L": (0.9, ""), "S": (0.2, "")}
    semantic = {"L": (0.80, ""), "S": (0.92, "")}
    lexical_heavy = FusionConfig(weight_lexical=0.9, weight_semantic=0.1)
    semantic_heavy = FusionConfig(weight_lexical=0.1, weight_semantic=0.9)
    assert keys(fuse(lexical, semantic, lexical_heavy))[0] == "L"
    assert keys(fuse(lexical, semantic, semantic_heavy))[0] == "S"


def test_forced_keys_keep_their_table_order_and_lead(config):
    forced = {"X": (1.0, "acronyme"), "Y": (0.98, "acronyme")}
    ranked = fuse({"Z": (0.9, "")}, {"Z": (0.91, "")}, config, forced=forced)
    assert keys(ranked) == ["X", "Y", "Z"]
    assert ranked[0].why == "acronyme"


def test_previous_job_is_pushed_down(config):
    lexical = {"OLD": (1.0, "caissier"), "NEW": (0.9, "aide-soignant")}
    assert keys(fuse(lexical, {}, config))[0] == "OLD"
    assert keys(fuse(lexical, {}, config, penalised={"OLD"}))[0] == "NEW"


def test_sector_bonus_breaks_a_tie(config):
    lexical = {"A": (0.7, ""), "B": (0.7, "")}
    assert keys(fuse(lexical, {}, config, bonus={"B": config.sector_bonus}))[0] == "B"


def test_scores_are_between_zero_and_one_and_sorted(config):
    ranked = fuse({"A": (1.0, ""), "B": (0.3, "")}, {"C": (0.99, ""), "A": (0.99, "")}, config,
                  forced={"D": (1.0, "")}, bonus={"A": 0.5})
    scores = [f.score for f in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_scores = st.dictionaries(st.sampled_from("ABCDEF"), st.tuples(st.floats(0, 1), st.just("")), max_size=6)


@settings(max_examples=200, deadline=None)
@given(lexical=_scores, semantic=_scores, forced=_scores, penalised=st.sets(st.sampled_from("ABCDEF")))
def test_fused_ranking_is_sorted_bounded_and_complete(lexical, semantic, forced, penalised):
    config = FusionConfig.load()
    ranked = fuse(lexical, semantic, config, forced=forced, penalised=penalised)
    assert {f.key for f in ranked} == set(lexical) | set(semantic) | set(forced)
    assert [f.score for f in ranked] == sorted((f.score for f in ranked), reverse=True)
    assert all(0.0 <= f.score <= 1.0 for f in ranked)
    # A trusted key always outranks an untrusted one.
    trusted = [i for i, f in enumerate(ranked) if f.trusted]
    untrusted = [i for i, f in enumerate(ranked) if not f.trusted]
    assert not trusted or not untrusted or max(trusted) < min(untrusted) or \
        ranked[max(trusted)].score == ranked[min(untrusted)].score
