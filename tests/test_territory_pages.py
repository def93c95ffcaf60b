"""The steering and sources pages through AppTest, on the shipped demo catalogue (no search index needed)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

TIMEOUT = 120


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """An empty working folder: the pages load the demo catalogue; caches cleared around each test."""
    import streamlit as st

    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def run(name: str) -> AppTest:
    at = AppTest.from_file(f"../app_pages/{name}.py", default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_steering_page_shows_areas_gaps_and_exports(app_env):
    at = run("pilotage")
    assert at.title[0].value == "Pilotage de l'offre"
    headers = [h.value for h in at.header]
    assert headers[0] == "44 bassin(s) d'emploi"
    total_gaps = int(headers[1].split()[0])
    assert total_gaps > 0
    areas = at.dataframe[0].value
    assert len(areas) == 44 and {"Sessions", "Places", "Projets BMO 2024"} <= set(areas.columns)
    assert any("Données de démonstration" in w.value for w in at.warning)
    # the department filter narrows areas and gaps
    at.selectbox(key="pil_dept").select("40").run()
    assert not at.exception
    headers = [h.value for h in at.header]
    assert headers[0] == "2 bassin(s) d'emploi" and int(headers[1].split()[0]) < total_gaps
    assert set(at.dataframe[0].value["Département"]) == {"40"}
    # a family filter keeps only that family in the detailed table
    at.selectbox(key="pil_family").select("V0X").run()
    assert not at.exception
    families = next(d.value for d in at.dataframe if "Famille FAP" in d.value.columns and "Pourquoi" not in d.value.columns)
    assert set(families["Famille FAP"]) == {"V0X"}
    cfas = at.dataframe[-1].value  # the CFA tab follows the department filter
    assert len(cfas) and set(cfas["Département"]) == {"40"}


def test_sources_page_lists_every_dataset(app_env):
    from catalog.build_referentials import OTHER_SOURCES, SOURCES

    at = run("sources")
    table = at.dataframe[0].value
    assert set(table["Table"]) == set(SOURCES) | set(OTHER_SOURCES)
    assert {"Producteur", "Année", "Licence", "Utilisation"} <= set(table.columns)
    assert table[table["Table"].isin(list(SOURCES))]["Licence"].str.contains("Etalab").all()
    assert table["Utilisation"].str.len().min() > 20
