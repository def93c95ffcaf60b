"""Certification levels (decree 2019-14) and geography helpers."""

from __future__ import annotations

import json

import pytest

from catalog import levels
from catalog.geo import (
    commune_distance_km,
    communes_by_name,
    distance_km,
    nearest_communes,
    normalise_place_name,
)
from catalog.levels import INFRA_3, is_infra_3, level_label, lheo_to_national, parse_level
from tests.shared import require_shared


@pytest.mark.parametrize(
    "text, expected",
    [
        ("4", 4), ("niveau 4", 4), ("niveau4", 4), ("Niveau 5", 5), ("N4", 4), ("niv. 3", 3),
        ("IV", 4), ("niveau IV", 4), ("niveau V", 3), ("V bis", 2), ("niveau VI", 1), ("niv. III", 5),
        ("niveau II", 6), ("I", 7),
        ("infra 3", 0), ("Infra-3", 0), ("infra V", 0), ("sans diplôme", 0), ("DNB", 0),
        ("brevet des collèges", 0), ("0", 0), ("niveau 0", 0),
        ("CAP", 3), ("BEP", 3), ("bac", 4), ("Bac pro commerce", 4), ("BP coiffure", 4), ("DEAS", 4),
        ("BTS", 5), ("brevet de technicien supérieur", 5), ("bac+2", 5), ("Bac + 3", 6),
        ("licence pro", 6), ("Master 1", 6), ("master", 7), ("bac+5", 7), ("doctorat", 8),
        ("CAP puis bac pro", 4), ("Titre professionnel niveau 4", 4), ("niveau 4 non validé", 4),
        (3, 3), (0, 0), (8, 8),
    ],
)
def test_parse_level_accepts(text, expected):
    assert parse_level(text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", None, "9", "niveau 9", "niveau 10", "10", -1, 9, True, "blabla", "brevet", "infra bac", "infra 4"]
)
def test_parse_level_rejects(text):
    assert parse_level(text) is None


def test_level_labels_and_infra():
    assert level_label(4) == "Niveau 4 : baccalauréat (ancien niveau IV)"
    assert "ancien niveau V)" in level_label(3)
    assert "infra 3" in level_label(0)
    assert level_label(None) == "Niveau non renseigné"
    with pytest.raises(ValueError):
        level_label(9)
    assert [levels.old_name(n) for n in range(1, 9)] == ["VI", "V bis", "V", "IV", "III", "II", "I", "I"]
    assert INFRA_3 == {0, 1, 2}
    assert is_infra_3(2) and not is_infra_3(3) and is_infra_3(None)


def test_lheo_levels():
    assert lheo_to_national("4") == 3  # niveau V (CAP, BEP)
    assert lheo_to_national("5") == 4 and lheo_to_national("8") == 7
    assert lheo_to_national("11") == 1 and lheo_to_national(" 18 ") == 8
    assert lheo_to_national("0") is None and lheo_to_national("1") is None
    with pytest.raises(KeyError):
        lheo_to_national("9")


def test_lheo_levels_cover_the_dictionary():
    path = require_shared("lheo/schema/lheo-2.3-dictionaries.json")
    entries = json.loads(path.read_text(encoding="utf-8"))["dict-niveaux"]["entries"]
    assert set(entries) == set(levels.LHEO_LEVELS)
    for code, text in entries.items():
        national = levels.LHEO_LEVELS[code]
        if code.startswith("1") and len(code) == 2:
            assert text.startswith(f"Niveau {national}.")
        elif national is not None:  # old names: "niveau V (CAP...)" -> 3
            assert parse_level(text.split("(")[0]) == national


def test_distance_km():
    assert distance_km(44.0, 0.0, 44.0, 0.0) == 0
    assert distance_km(0, 0, 0, 1) == pytest.approx(111.19, abs=0.05)  # one degree on the equator
    assert distance_km(44.8378, -0.5792, 43.2951, -0.3708) == pytest.approx(172, abs=2)  # Bordeaux-Pau
    assert commune_distance_km("33063", "64445") == pytest.approx(172, abs=3)
    assert commune_distance_km("33063", "99999") is None


@pytest.mark.parametrize(
    "text, key",
    [
        ("Ste-Foy-la-Grande", "sainte foy la grande"),
        ("ST JEAN DE LUZ", "saint jean de luz"),
        ("Saint-Médard-en-Jalles", "saint medard en jalles"),
        ("L'Isle-d'Espagnac", "l isle d espagnac"),
        ("L’Isle-d’Espagnac", "l isle d espagnac"),
        ("Bordeaux Cedex 9", "bordeaux"),
        ("  Périgueux ", "perigueux"),
        ("Bourg s/ Gironde", "bourg sur gironde"),
        ("", ""),
    ],
)
def test_normalise_place_name(text, key):
    assert normalise_place_name(text) == key


def test_communes_by_name_and_nearest():
    index = communes_by_name()
    assert [c.insee for c in index["saint jean de luz"]] == ["64483"]
    assert index[normalise_place_name("Ste Foy la Grande")][0].dept == "33"
    near = nearest_communes(44.8378, -0.5792, k=3)
    assert near[0][0].name == "Bordeaux" and near[0][1] < 2
    assert [d for _, d in near] == sorted(d for _, d in near)
    assert all(d <= 5 for _, d in nearest_communes(44.8378, -0.5792, k=50, max_km=5))
