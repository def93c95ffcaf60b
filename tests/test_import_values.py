"""Value parsers and place resolution shared by the importers."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from catalog.importers.report import ImportFormat, ImportResult
from catalog.importers.values import Place, parse_bool, parse_date, parse_int, resolve_place


@pytest.mark.parametrize("text, expected", [
    ("20171204", date(2017, 12, 4)), ("2018-05-14", date(2018, 5, 14)), ("05/01/2026", date(2026, 1, 5)),
    ("2021-09-02T00:00:00.000Z", date(2021, 9, 2)), (datetime(2026, 3, 1, 8, 30), date(2026, 3, 1)),
    ("00000000", None), ("", None), ("-", None), (None, None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["20180231", "31/02/2026", "demain", "2026-13-01"])
def test_parse_date_rejects(text):
    with pytest.raises(ValueError, match="date invalide"):
        parse_date(text)


def test_parse_int_and_bool():
    assert parse_int("1 200") == 1200 and parse_int("12,0") == 12 and parse_int(7.0) == 7 and parse_int("") is None
    with pytest.raises(ValueError, match="impossible"):
        parse_int("-3", minimum=0)
    with pytest.raises(ValueError):
        parse_int("douze")
    assert parse_bool("Oui") is True and parse_bool("0") is False and parse_bool(" ") is None
    with pytest.raises(ValueError, match="oui/non"):
        parse_bool("peut-être")


def test_resolve_place():
    result = ImportResult("f.csv", ImportFormat.CSV)
    bordeaux = resolve_place(result, "r", "lieu", Place(postcode="33000"))
    assert bordeaux.insee == "33063" and bordeaux.lat == pytest.approx(44.84, abs=0.05)
    # a postcode shared by several communes is never guessed without a matching name
    assert resolve_place(result, "r", "lieu", Place(postcode="19000")).insee is None
    assert resolve_place(result, "r", "lieu", Place(postcode="19000", name="Tulle")).insee == "19272"
    assert result.problems == []
    swapped = resolve_place(result, "r", "lieu", Place(insee="87085", lat=1.26, lon=45.83))
    assert (swapped.lat, swapped.lon) == (45.83, 1.26)
    impossible = resolve_place(result, "r", "lieu", Place(insee="87085", lat=123.0, lon=4.0))
    assert impossible.lat == pytest.approx(45.83, abs=0.05)  # dropped, then taken from the commune
    bad = resolve_place(result, "r", "lieu", Place(insee="ABCDE", postcode="1234"))
    assert bad.insee is None and bad.postcode is None
    assert [p.field for p in result.warnings] == ["lieu.coordonnees", "lieu.coordonnees", "lieu.code_insee",
                                                  "lieu.code_postal"]
