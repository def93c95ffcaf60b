"""The shipped referential tables: reproducible from the shared data, with the expected facts."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from catalog import referentials as ref
from catalog.build_referentials import SOURCES, build_all
from catalog.paths import CATALOG_DATA_DIR, shared_data_dir
from tests.shared import require_shared


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    require_shared("rome")  # CI=true: a missing ../shared fails instead of skipping
    src = shared_data_dir()
    out = tmp_path_factory.mktemp("ref")
    return out, build_all(src, out)


def test_shipped_tables_are_reproducible(rebuilt):
    out, counts = rebuilt
    for name in SOURCES:
        with gzip.open(out / name) as new, gzip.open(CATALOG_DATA_DIR / name) as shipped:
            assert new.read() == shipped.read(), f"{name} differs: run `python -m catalog referentials`"
    assert (out / "SOURCES.md").read_text() == (CATALOG_DATA_DIR / "SOURCES.md").read_text()
    # gzip output itself is byte-stable (mtime 0), so rebuilding does not dirty the checkout
    assert (out / "ref_rome.csv.gz").read_bytes() == (CATALOG_DATA_DIR / "ref_rome.csv.gz").read_bytes()


def test_counts(rebuilt):
    _, counts = rebuilt
    assert counts["ref_rome.csv.gz"] == 609
    assert counts["ref_appellations.csv.gz"] == 11061
    assert counts["ref_communes.csv.gz"] == 4293


def test_rome_codes():
    codes = ref.rome_codes()
    assert len(codes) == 609
    assert sum(not c.v4_only for c in codes.values()) == 532
    new = [c for c in codes.values() if c.v4_only]
    assert len(new) == 77
    assert all(codes[c.parent].v4_only is False for c in new)
    assert codes["A1102"].parent == "A1101"
    assert ref.rome_label("j1501 ") == "Soins d'hygiène, de confort du patient"
    assert ref.rome_label("Z9999") is None and ref.rome_label("n'importe") is None
    assert "demo" in codes["J1501"].transitions


def test_appellations_and_onisep():
    apps = ref.appellations()
    assert len(apps) == 11061
    codes = ref.rome_codes()
    assert all(a.rome in codes for a in apps)
    assert any(a.label.startswith("Aide-soignant") and a.rome == "J1501" for a in apps)
    names = ref.onisep_names()
    assert names and all(rome in codes for rome, _ in names)


def test_certifications():
    certs = ref.certifications()
    deas = certs["RNCP35830"]  # aide-soignant diploma, 2021 reform: only in the 2023 kit
    assert deas.level == 4 and deas.active and deas.apprenticeship is True and deas.type_code == "DE"
    assert certs["RNCP4495"].level == 3  # older DEAS fiche from the 2021 RNCP extract
    assert all(c.level is None or 3 <= c.level <= 8 for c in certs.values())
    linked = ref.certifications_for_rome("J1501")
    assert "RNCP4495" in {c.rncp for c in linked}
    assert all(c.active for c in ref.certifications_for_rome("J1501", active_only=True))
    assert ref.certifications_for_rome("pas un code") == []
    assert not any("''" in c.title or "\\'" in c.title or "\x94" in c.title for c in certs.values())
    assert deas.title == "AIDE-SOIGNANT (DIPLÔME D'ETAT)"  # stray control character removed
    old = certs["RNCP4495"]  # "ACTIVE" in 2021, validity ended on 2024-01-01
    assert old.valid_on(date(2023, 12, 31)) and not old.valid_on(date(2026, 1, 1))
    assert deas.valid_on(date(2025, 9, 1)) and not deas.valid_on(date(2025, 9, 2))
    assert ref.normalise_rncp("rncp 35830") == "RNCP35830" == ref.normalise_rncp("35830")
    assert ref.normalise_rncp("RS5080") is None


def test_newer_fiches_inherit_rome_links():
    certs = ref.certifications()
    inherited = [
        (old, certs[s]) for old in certs.values() for s in old.successors if s in certs and old.romes
    ]
    assert inherited and all(new.romes for _, new in inherited)


def test_communes_and_departments():
    communes = ref.communes()
    assert len(communes) == 4293
    pau = communes["64445"]
    assert pau.name == "Pau" and "64000" in pau.postcodes and pau.dept == "64"
    assert 43 < pau.lat < 44 and -1 < pau.lon < 0
    assert list(ref.departments()) == ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]
    assert ref.departments()["33"] == "Gironde"
    assert pau in ref.communes_by_postcode()["64000"] and pau.coord_note == ""


def test_wrong_source_coordinates_are_repaired():
    communes = ref.communes()
    assert set(ref.COORD_NOTES) >= {c.coord_note for c in communes.values()} - {""}
    noted = [c for c in communes.values() if c.coord_note]
    assert 0 < len(noted) < 100  # about 1 % of the source points
    larceveau = communes["64314"]  # placed in the Jura by the source (46.8 N, 6.0 E)
    assert larceveau.coord_note == "centre_code_postal" and 43 < larceveau.lat < 43.6 and -1.4 < larceveau.lon < -0.8
    bidarray = communes["64124"]  # longitude sign lost in the source
    assert bidarray.coord_note == "signe_longitude_corrige" and bidarray.lon < -1.3
    # every repaired commune now lies near the other communes of its department
    for c in noted:
        if c.coord_note != "douteux":
            others = [o for o in communes.values() if o.dept == c.dept and not o.coord_note]
            assert min(abs(o.lat - c.lat) + abs(o.lon - c.lon) for o in others) < 0.2, c


def test_tension_chain_and_fallbacks():
    # README chain: aide-soignant -> J1501 -> FAP V0Z60 -> regional category 4
    info = ref.tension_info("J1501")
    assert (info.category, info.geo, info.fap) == (4, "75", "V0Z60")
    assert ref.tension("J1501", "87") == 1  # Haute-Vienne's own value
    assert ref.tension("J1501", "99") == 4  # unknown department -> region
    assert ref.tension("A1102") == ref.tension("A1101")  # ROME 4.0 code -> v3 parent
    assert ref.tension("XX") is None
    assert ref.tension_info("A1101", "33").fap_label == "Conducteurs d'engins agricoles ou forestiers"
    assert all(1 <= t.category <= 5 for t in ref._tension_table().values())
    assert not any("\\'" in t.fap_label for t in ref._tension_table().values())


def test_sources():
    assert {s["table"] for s in ref.sources()} == set(SOURCES)
    assert all(s["producer"] and s["date"] for s in ref.sources())
    text = (CATALOG_DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert "Etalab" in text and all(name in text for name in SOURCES)


def test_mobility_links_close_jobs_first():
    links = ref.mobility_links("J1501")  # aide-soignant
    assert links and all(link.rome == "J1501" for link in links)
    kinds = [link.kind for link in links]
    assert kinds == sorted(kinds, key=lambda k: k != "proche"), "proche links come first"
    assert ref.are_close_jobs("J1501", "K1302")  # aide-soignant -> assistance auprès d'adultes: proche
    assert not ref.are_close_jobs("J1501", "H2909")  # no link to a welding job
    assert ref.mobility_links("Z9999") == []


def test_access_routes_vae_and_alternance():
    routes = ref.access_routes("RNCP4495")  # CAP accompagnant éducatif petite enfance
    assert routes is not None and {"EXP", "CONTRATA"} <= routes
    assert ref.access_routes("RNCP99999999") is None  # unknown fiche: no conclusion, not "closed"
