"""Place resolution against the shipped commune table (4,293 communes of Nouvelle-Aquitaine)."""

from __future__ import annotations

import pytest

from indexes.places import resolve_place


@pytest.mark.parametrize(
    "text, insee",
    [
        ("Pau", "64445"),
        ("PAU", "64445"),
        ("St Jean de Luz", "64483"),
        ("saint-jean-de-luz", "64483"),
        ("ST-JEAN-DE-LUZ", "64483"),
        ("Ste Foy la Grande", "33402"),
        ("Mont de Marsan", "40192"),
        ("La Rochelle", "17300"),  # the table stores "Rochelle": the article is folded away
        ("Bordeaux (Les Aubiers)", "33063"),  # district in parentheses
        ("33063", "33063"),  # INSEE code
        ("64000 Pau", "64445"),
    ],
)
def test_names_codes_and_districts(text, insee):
    result = resolve_place(text)
    assert result.found and result.best.insee == insee, result.message
    assert result.match in ("name", "insee", "postcode")


@pytest.mark.parametrize(
    "text, insee",
    [("Bordaux", "33063"), ("Limoge", "87085"), ("Angoulemme", "16015"), ("Poitier", "86194"), ("Chatelleraut", "86066")],
)
def test_typos(text, insee):
    result = resolve_place(text)
    assert result.match == "fuzzy" and result.best.insee == insee
    assert "compris comme" in result.message


@pytest.mark.parametrize("text, insee", [("Brive", "19031"), ("Lacanau Océan", "33214"), ("Pau centre", "64445")])
def test_partial_names_and_districts_without_parentheses(text, insee):
    assert resolve_place(text).best.insee == insee


@pytest.mark.parametrize("text, insee", [("Biarits", "64122"), ("Cognak", "16102"), ("Jonzak", "17197")])
def test_far_typos_that_sound_alike_and_stand_out_are_resolved(text, insee):
    result = resolve_place(text)
    assert result.found and result.best.insee == insee and result.match == "fuzzy", result.message
    assert result.score < 85 and not result.alternatives and "compris comme" in result.message


def test_far_typos_are_suggestions_not_answers():
    result = resolve_place("Marseille")  # several look-alikes close together: the user chooses
    assert not result.found and "Vouliez-vous dire" in result.message and len(result.alternatives) >= 3
    # a city outside the region is not silently swapped for a look-alike village
    for text in ("Paris", "Marseille", "Saint", "Bourges", "Le Mans", "Tours", "Nice", "Perpignan"):
        assert not resolve_place(text).found, text
    # a sound-alike of a homonym name stays a choice between the homonyms
    homonyms = resolve_place("Gourz")
    assert not homonyms.found and [(c.name, c.dept) for c in homonyms.alternatives[:2]] == [("Gours", "33"), ("Gours", "16")]


def test_homonyms_are_all_listed_most_populous_first():
    result = resolve_place("Mérignac")
    depts = [result.best.dept] + [c.dept for c in result.alternatives]
    assert depts == ["33", "16", "17"]
    assert result.ambiguous and "Plusieurs communes" in result.message
    populations = [result.best.population] + [c.population for c in result.alternatives]
    assert populations == sorted(populations, reverse=True)
    assert len({c.insee for c in [result.best, *result.alternatives]}) == 3


@pytest.mark.parametrize("text", ["Mérignac (16)", "Merignac 16", "Mérignac (Charente)"])
def test_department_hint_picks_the_homonym(text):
    result = resolve_place(text)
    assert result.best.dept == "16" and not result.alternatives


def test_shared_postcode_lists_every_commune():
    result = resolve_place("64500")
    names = {result.best.name, *(c.name for c in result.alternatives)}
    assert names == {"Saint-Jean-de-Luz", "Ciboure"}
    assert result.match == "postcode" and result.ambiguous
    for commune in [result.best, *result.alternatives]:
        assert "64500" in commune.postcodes


@pytest.mark.parametrize(
    "text, message",
    [("", "Indiquez"), ("   ", "Indiquez"), ("Zzyzx", "introuvable"), ("75001", "Aucune commune"), ("Toulouse", "introuvable")],
)
def test_unknown_places_get_a_clear_message(text, message):
    result = resolve_place(text)
    assert not result.found and result.match == "none" and message in result.message


def test_to_dict_is_json_ready():
    import json

    data = resolve_place("Mazerolles").to_dict()
    json.dumps(data)
    assert data["found"] and data["ambiguous"] and len(data["alternatives"]) == 4
    assert {"insee", "name", "postcodes", "dept", "lat", "lon"} <= set(data["best"])
