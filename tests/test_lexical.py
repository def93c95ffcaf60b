"""Lexical matching: French folding (accents, gender forms, SMS), stop words, typos."""

from __future__ import annotations

import pytest

from indexes.lexical import LexicalIndex
from indexes.text import fold, normalize, split_intent, stem

TITLES = [
    ("J1501", "Aide-soignant / Aide-soignante"),
    ("J1501", "Aide-soignant / Aide-soignante en gériatrie"),
    ("F1602", "Électricien / Électricienne du bâtiment"),
    ("I1304", "Électromécanicien / Électromécanicienne"),
    ("I1604", "Mécanicien / Mécanicienne automobile"),
    ("H1206", "Mécatronicien / Mécatronicienne"),
    ("K2204", "Agent / Agente de propreté de locaux"),
    ("K2303", "Agent / Agente d'entretien du domaine public"),
    ("K1304", "Aide ménager / ménagère à domicile"),
    ("N1101", "Cariste"),
    ("A1413", "Caviste"),
    ("K1302", "Auxiliaire de vie"),
    ("K2104", "Accompagnant(e) d'élèves en situation de handicap - AESH"),
    ("D1505", "Caissier / Caissière"),
    ("G1501", "Valet / Femme de chambre"),
]


@pytest.fixture(scope="module")
def index():
    return LexicalIndex(TITLES)


def top(index, text):
    hits = index.search(text, 3)
    return hits[0][0] if hits else None


def test_fold_removes_accents_case_ligatures_and_punctuation():
    assert fold("  Œuvre d'ÉLAGAGE — Bûcheron/Élagueuse ") == "oeuvre d elagage bucheron elagueuse"


@pytest.mark.parametrize(
    "feminine, masculine",
    [("électricienne", "électricien"), ("vendeuse", "vendeur"), ("conductrice", "conducteur"),
     ("caissière", "caissier"), ("agente", "agent"), ("cheffe", "chef"), ("sportive", "sportif"),
     ("employée", "employé"), ("maternelle", "maternel"), ("Agent(e)", "agent"),
     ("animateur(trice)", "animateur"), ("caissières", "caissier")],
)
def test_gender_and_plural_forms_fold_to_the_same_key(feminine, masculine):
    assert normalize(feminine) == normalize(masculine)


def test_both_gender_forms_of_a_title_collapse():
    assert normalize("Aide-soignant / Aide-soignante") == "aide soignant"
    assert normalize("Aide ménager / ménagère à domicile") == "aide menager domicile"


def test_stop_words_and_fillers_are_dropped():
    assert normalize("je cherche un boulot de cariste") == "cariste"
    assert normalize("je voudrais devenir auxiliaire de vie") == "auxiliaire vie"
    assert normalize("travailler dans le nettoyage") == "nettoyage"


def test_sms_spelling_and_slang_are_expanded():
    assert normalize("jvx etre mecano") == "mecanicien automobile"
    assert normalize("cuistot ds un resto") == "cuisinier restaurant"


def test_stem_keeps_short_and_masculine_words():
    assert stem("bus") == "bus"
    assert stem("agent") == "agent"


@pytest.mark.parametrize(
    "query, expected",
    [("aide soignante", "J1501"), ("électricienne", "F1602"), ("AGENTE DE PROPRETÉ", "K2204"),
     ("cariste", "N1101"), ("je cherche un boulot de cariste", "N1101"), ("femme de chambre", "G1501"),
     ("caissières", "D1505"), ("aide ménagère", "K1304")],
)
def test_exact_titles_gender_forms_and_fillers(index, query, expected):
    assert top(index, query) == expected


@pytest.mark.parametrize(
    "query, expected",
    [("aide soignnte", "J1501"), ("aide soigante", "J1501"), ("electriciene", "F1602"),
     ("oxiliaire de vie", "K1302"), ("carriste", "N1101"), ("mecano", "I1604")],
)
def test_typos_still_find_the_title(index, query, expected):
    assert top(index, query) == expected


def test_exact_title_scores_one_and_beats_the_longer_title(index):
    hits = index.search("aide-soignante", 5)
    assert hits[0] == ("J1501", 1.0, "Aide-soignant / Aide-soignante")


def test_results_are_aggregated_per_key_best_first(index):
    hits = index.search("aide soignante", 10)
    keys = [key for key, _, _ in hits]
    assert len(keys) == len(set(keys))
    scores = [score for _, score, _ in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_acronym_in_a_title_is_a_token(index):
    assert top(index, "aesh") == "K2104"


def test_nothing_to_match_returns_empty(index):
    assert index.search("", 5) == []
    assert index.search("je voudrais", 5) == []
    assert index.search("zzzzqqq", 5) == []


def test_short_tokens_need_an_exact_match():
    index = LexicalIndex([("a", "Bus"), ("b", "Bar")])
    assert [k for k, _, _ in index.search("bus", 5)] == ["a"]


def test_generic_keys_work_for_offer_titles():
    index = LexicalIndex([("offer-1", "CAP Cuisine"), ("offer-2", "Titre professionnel Maçon")])
    assert index.search("formation macon", 1)[0][0] == "offer-2"


@pytest.mark.parametrize(
    "text, wish, previous",
    [
        ("ancienne caissière, je voudrais devenir aide-soignante", "aide-soignante", "caissière"),
        ("je voudrais devenir aide-soignante", "aide-soignante", None),
        ("aide soignante en ehpad", "aide soignante en ehpad", None),
        ("après 10 ans comme maçon je veux me reconvertir en secrétaire", "secrétaire", "maçon"),
        ("je ne veux plus être caissière, plutôt dans l'animation", "dans l'animation", "caissière"),
        ("j'ai été vendeuse, maintenant je vise auxiliaire de vie", "auxiliaire de vie", "vendeuse"),
        ("actuellement préparateur de commandes, je voudrais évoluer vers cariste", "cariste", "préparateur"),
        ("chui caissiere jveux devenir vendeuse", "vendeuse", "caissiere"),
    ],
)
def test_split_intent_separates_wish_and_previous_job(text, wish, previous):
    intent = split_intent(text)
    assert normalize(intent.wish) == normalize(wish)
    if previous is None:
        assert intent.previous is None
    else:
        assert intent.previous is not None and normalize(previous) in normalize(intent.previous)
