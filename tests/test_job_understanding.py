"""Search understanding (issue 10): nonsense flagged, exact names first, ambiguity said.

Runs the real e5 embedder over the real job passages of a few dozen ROME codes (every
title of those codes, so the competition between codes is the real one), without the
catalogue index. Passage vectors come from the working embedding cache when there is
one, else they are computed (about half a minute on a laptop).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from catalog import referentials
from indexes.jobs import JobSearcher, JobSearchResult, Reason, content_tokens, job_documents, usual_jobs
from indexes.text import fold

REPO = Path(__file__).resolve().parent.parent
BENCH_DATA = REPO / "bench" / "data"

# Codes that compete for the wishes below (the right answer and its real neighbours).
CODES = {
    "J1501", "J1506", "K2503", "K1705", "K1706", "N4101", "N4103", "N4105", "F1302", "H2102",
    "H2903", "H2909", "G1602", "G1605", "G1601", "I1604", "I1310", "I1603", "I1502", "M1203",
    "M1608", "K2111", "G1203", "G1202", "D1505", "F1607", "H2911", "A1203", "D1212", "D1214",
    "N1101", "N1103", "N1105",
}


@pytest.fixture(scope="module")
def searcher(e5_embedder):
    from indexes.cache import EmbeddingCache
    from indexes.vector import VectorIndex

    docs = [d for d in job_documents() if d.rome in CODES]
    vectors = EmbeddingCache(e5_embedder).encode([d.text for d in docs], mode="passage")
    return JobSearcher(e5_embedder, VectorIndex.build(vectors, [d.doc_id for d in docs]), docs)


@pytest.mark.parametrize(
    "wish, reason",
    [("qwerty", Reason.UNKNOWN), ("fdsfsdfsd", Reason.UNKNOWN), ("12345", Reason.VAGUE),
     ("je veux bosser", Reason.VAGUE), ("un job", Reason.VAGUE), ("bonjour", Reason.VAGUE),
     ("argent facile", Reason.VAGUE), ("temps partiel", Reason.VAGUE), ("dans le sud", Reason.VAGUE),
     ("pas loin de Limoges", Reason.VAGUE)],
)
def test_unclear_wishes_are_not_understood(searcher, wish, reason):
    result = searcher.understand(wish)
    assert isinstance(result, JobSearchResult) and result.query == wish
    assert result.understood is False and result.ambiguous is False
    assert result.reason == reason.value
    # Whatever is returned is a guess, and scored as one (never a renormalised 1.0).
    assert all(h.score < searcher.config.understood_min for h in result.results)


def test_wishes_naming_nothing_return_no_guess(searcher):
    assert searcher.understand("je veux bosser").results == []
    assert searcher.search("un travail près de chez moi") == []


@pytest.mark.parametrize(
    "wish, rome",
    [("aide-soignante", "J1501"), ("aide soignante à bordeaux en temps partiel", "J1501"),
     ("maitre chien", "K2503"), ("aide cuisinier", "G1602"), ("mécanicienne", "I1604"),
     ("mecanique", "I1604"), ("compta", "M1203"), ("plongeuse", "G1605"), ("chauffeur PL", "N4101"),
     ("caissiere", "D1505"), ("cariste", "N1101")],
)
def test_exact_and_near_exact_names_come_first(searcher, wish, rome):
    result = searcher.understand(wish)
    assert result.understood is True
    assert result.results[0].rome == rome


def test_head_noun_beats_a_specialisation_of_another_job(searcher):
    # "Plongeur / Plongeuse subaquatique" (I1502) holds the word too, but the restaurant
    # job's own title starts with it.
    hits = searcher.search("plongeur", k=3)
    assert hits[0].rome == "G1605" and "intitulé du métier" in hits[0].why
    assert hits[0].score > hits[1].score


def test_an_acronym_qualifies_the_job_named_next_to_it(searcher):
    # A trainer of forklift drivers, not a forklift driver; the acronym's job follows.
    assert [h.rome for h in searcher.search("Formateur cariste (CACES)", k=2)] == ["K2111", "N1101"]
    # "chauffeur" already heads the acronym's job: nothing changes.
    assert searcher.search("chauffeur PL", k=1)[0].rome == "N4101"


def test_a_wish_that_only_names_the_job_left_is_not_understood(searcher):
    result = searcher.understand("je ne veux plus être caissière")
    assert (result.understood, result.reason, result.results) == (False, "souhait trop vague", [])
    # With a wish after it, the wish is searched and the job left is pushed down.
    result = searcher.understand("marre d'être caissière, je voudrais devenir aide-soignante")
    assert result.understood is True and result.results[0].rome == "J1501"


def test_conditions_and_places_around_a_name_do_not_hide_it(searcher):
    # The head-noun rule sees "plongeuse", not "plongeuse à mi-temps à Pau".
    hit = searcher.search("plongeuse à mi-temps à Pau", k=1)[0]
    assert hit.rome == "G1605" and hit.score >= 0.5
    assert searcher.understand("mécanicien en CDI").results[0].rome == "I1604"


@pytest.mark.parametrize("wish", ["conducteur", "conductrice", "opérateur de production"])
def test_ambiguous_names_say_so_but_stay_understood(searcher, wish):
    result = searcher.understand(wish)
    assert result.understood is True and result.ambiguous is True
    assert result.reason == Reason.SEVERAL.value
    assert len({h.rome for h in result.results}) >= 2


def test_clear_name_is_neither_flagged_nor_ambiguous(searcher):
    result = searcher.understand("comptable")
    assert (result.understood, result.ambiguous, result.reason) == (True, False, None)
    assert result.to_dict()["results"][0] == {"rome": "M1203", "label": result.results[0].label,
                                             "score": result.results[0].score, "why": result.results[0].why}


def test_understand_many_matches_understand_and_search(searcher):
    wishes = ["cariste", "qwerty", "", "conducteur"]
    batch = searcher.understand_many(wishes, k=3)
    assert batch == [searcher.understand(w, k=3) for w in wishes]
    assert [r.results for r in batch] == searcher.search_many(wishes, k=3)
    assert batch[2].understood is False and batch[2].results == []


def test_content_tokens_set_aside_conditions_and_places():
    assert content_tokens("je cherche un travail à temps partiel près de Bordeaux") == []
    assert content_tokens("cuisinier à mi-temps à Pau") == ["cuisinier"]
    # A commune whose name is also a title word is not removed ("Salon" vs "salon de coiffure").
    assert "salon" in content_tokens("salon de coiffure")


@pytest.mark.parametrize(
    "wish",
    ["pas de contact avec le public", "sans voiture", "proche de ma maison", "du temps pour mes enfants",
     "m'occuper de mes enfants", "pas dans le BTP", "un salaire correct", "travailler en équipe", "rester assis"],
)
def test_conditions_preferences_and_exclusions_are_too_vague(searcher, wish):
    result = searcher.understand(wish)
    assert (result.understood, result.reason, result.ambiguous) == (False, Reason.VAGUE.value, False)


@pytest.mark.parametrize("wish", ["un salaire correct", "travailler en équipe"])
def test_a_guess_without_a_job_naming_word_is_flagged_whatever_its_score(searcher, wish):
    # The best guess ("Correcteur"-like fuzzy titles, "chef d'équipe" titles) clears
    # understood_min: only the naming-word gate says it names no job.
    result = searcher.understand(wish)
    assert result.results and result.results[0].score >= searcher.config.understood_min
    assert result.results[0].score < 0.5  # not a trusted answer
    assert result.understood is False


@pytest.mark.parametrize(
    "wish, rome",
    [("caissière sans travailler le dimanche", "D1505"), ("aide-soignante proche de chez moi", "J1501"),
     ("chauffeur poids lourd, pas de nuit", "N4101"), ("cuisinière mais pas le soir", "G1602"),
     ("mécanicien pas trop loin de Limoges", "I1604"), ("cariste en équipe de nuit", "N1101")],
)
def test_a_job_with_conditions_or_exclusions_stays_understood(searcher, wish, rome):
    result = searcher.understand(wish)
    assert result.understood is True and result.results[0].rome == rome


@pytest.mark.parametrize("wish, rome", [("réparer des voitures", "I1604"), ("conduire une pelleteuse", "F1302"),
                                        ("tondre les pelouses", "A1203")])
def test_activities_named_by_their_words_stay_understood(searcher, wish, rome):
    # Untrusted answers (< 0.5) whose words name a job ("voitures", "pelleteuse", "pelouses").
    result = searcher.understand(wish)
    assert result.understood is True and result.results[0].rome == rome and result.results[0].score < 0.5


def test_content_tokens_set_aside_what_is_excluded_near_or_personal():
    # Exclusion: up to the end of the clause or a boundary word.
    assert content_tokens("pas de contact avec le public") == []
    assert content_tokens("boulanger sans travailler la nuit") == ["boulanger"]
    assert content_tokens("pas de nuit, serveuse") == ["serveur"]
    assert content_tokens("pas dans la vente mais cuisinier") == ["cuisinier"]
    # Proximity: the landmark goes, not what follows it.
    assert content_tokens("proche de la nature") == []
    assert content_tokens("près de Mont-de-Marsan comme cuisinier") == ["cuisinier"]
    # First-person possessive: the person's own noun goes.
    assert content_tokens("garder mes petits-enfants le mercredi") == ["garder", "mercredi"]
    assert content_tokens("ouvrir mon salon de coiffure") == ["ouvrir", "coiffure"]
    assert content_tokens("mon projet : électricien") == ["electricien"]


def test_naming_words_leave_out_words_shared_by_many_jobs():
    from indexes.fusion import FusionConfig
    from indexes.jobs import naming_words, role_titles

    words = set(naming_words(FusionConfig.load().anchor_max_codes))
    assert {"boulanger", "carrelage", "mecanicien"} <= words
    assert not {"equipe", "public", "agent", "bouger"} & words
    assert ("charge", "clientele") in role_titles()


def test_usual_reading_table_uses_existing_v3_codes():
    romes = referentials.rome_codes()
    bad = sorted({c for u in usual_jobs().values() for c in u.romes if c not in romes or romes[c].parent != c})
    assert not bad, bad


# ------------------------------------------------------------------ benchmark sets


def load(part):
    with (BENCH_DATA / f"wishes_{part}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_short_and_unclear_sets_have_the_required_size_and_split():
    short, unclear = load("short"), load("unclear")
    assert len(short) >= 150 and len(unclear) >= 60
    assert all(1 <= len(r["wish"].split()) <= 3 for r in short)
    for rows in (short, unclear):
        assert {r["split"] for r in rows} == {"dev", "test"}
        assert 0.2 <= sum(r["split"] == "test" for r in rows) / len(rows) <= 0.3
    romes = referentials.rome_codes()
    bad = [r["wish"] for r in short for c in r["accepted"].split("|") if c not in romes or romes[c].parent != c]
    assert not bad, bad
    every = [fold(r["wish"]) for part in ("simple", "hard", "short", "unclear") for r in load(part)]
    assert len(set(every)) == len(every)
