"""Offer search over the tiny catalogue: filters on offers and sessions, distances, ranking, reasons."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.geo import distance_km
from catalog.referentials import communes
from indexes.offers import OfferSearcher, haversine_km
from indexes.search import SearchEngine


@pytest.fixture(scope="module")
def engine(tmp_path_factory, e5_embedder):
    """One engine for the module: searches never mutate it."""
    from catalog.store import Catalogue
    from indexes.store import ensure_default

    from .conftest import TINY_OFFERS, make_offer, tiny_job_list

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ITINERAIRE_DATA_DIR", str(tmp_path_factory.mktemp("offers-var")))
        catalogue = Catalogue([make_offer(*row) for row in TINY_OFFERS])
        return SearchEngine(ensure_default(embedder=e5_embedder, catalogue=catalogue, job_docs=tiny_job_list()))


def ids(hits):
    return [h.offer.id for h in hits]


def test_radius_keeps_near_sessions_with_exact_distances(engine):
    pau = communes()["64445"]
    hits = engine.search_offers(commune="Pau", radius_km=30)
    # Pau and Lescar sessions, plus the distance-learning offer whatever its site.
    assert set(ids(hits)) == {"o-as", "o-prepa", "o-socle", "o-compta"}
    for hit in hits:
        for s in hit.sessions:
            c = communes()[s.session.commune_insee]
            assert s.distance_km == pytest.approx(distance_km(pau.lat, pau.lon, c.lat, c.lon), abs=0.01)
            if hit.offer.id != "o-compta":
                assert s.distance_km <= 30
    # o-as also runs in Bordeaux (172 km): only the Pau session is returned.
    as_hit = next(h for h in hits if h.offer.id == "o-as")
    assert [s.session.commune_insee for s in as_hit.sessions] == ["64445"]
    assert "formation à distance" in next(h for h in hits if h.offer.id == "o-compta").why


def test_without_query_nearest_first_and_sessions_by_distance_then_date(engine):
    hits = engine.search_offers(commune="64000")  # a postcode works too
    nearest = [h.sessions[0].distance_km for h in hits if h.sessions]
    assert nearest == sorted(nearest)
    assert ids(hits)[:2] in (["o-as", "o-prepa"], ["o-prepa", "o-as"])  # sessions in Pau itself
    prepa = next(h for h in hits if h.offer.id == "o-prepa")
    assert [s.session.commune_name for s in prepa.sessions] == ["Pau", "Agen"]
    assert "o-amorce" in ids(hits)  # no session, no session filter: still listed, last
    assert ids(hits)[-1] == "o-amorce"


def test_sessions_sorted_by_date_without_place(engine):
    hit = engine.search_offers(kinds=["QUALIFIANT"], romes=["J1501"])[0]
    assert [s.session.start for s in hit.sessions] == [date(2027, 1, 10), date(2027, 3, 1)]
    assert all(s.distance_km is None for s in hit.sessions)


def test_offer_level_filters(engine):
    assert set(ids(engine.search_offers(kinds=["HSP_SOCLE", "MODULE"]))) == {"o-socle", "o-caces"}
    assert set(ids(engine.search_offers(level_min=4))) == {"o-as", "o-compta"}
    assert "o-socle" not in ids(engine.search_offers(level_max=3))  # no level: excluded by a bound
    assert set(ids(engine.search_offers(level_max=3))) == {"o-cuisine", "o-macon", "o-adv", "o-elec", "o-prepa"}
    assert ids(engine.search_offers(part_time=True)) == ["o-socle"]
    assert ids(engine.search_offers(accessible=True)) == ["o-cuisine"]
    assert set(ids(engine.search_offers(romes=["f1703", "N1101"]))) == {"o-macon", "o-caces"}
    assert engine.search_offers(romes=["Z9999"]) == []


def test_date_window_on_sessions(engine):
    hits = engine.search_offers(start_after=date(2027, 1, 12), start_before=date(2027, 2, 28))
    assert set(ids(hits)) == {"o-macon", "o-prepa", "o-cuisine", "o-compta", "o-adv"}  # o-adv: permanent entry
    prepa = next(h for h in hits if h.offer.id == "o-prepa")
    assert [s.session.start for s in prepa.sessions] == [date(2027, 1, 20)]  # the April session is out
    assert "o-amorce" not in ids(hits)  # no session cannot pass a session filter


def test_query_ranks_matching_offer_first_with_reasons(engine):
    hits = engine.search_offers("je voudrais devenir aide-soignante")
    assert hits[0].offer.id == "o-as"
    assert "J1501" in hits[0].why and "intitulé" in hits[0].why
    assert hits[0].score > hits[1].score + 0.2 and 0 < hits[0].score <= 1
    assert engine.search_offers("cuisine", commune="Pau", radius_km=200)[0].offer.id == "o-cuisine"
    assert engine.search_offers("conduire un chariot élévateur")[0].offer.id == "o-caces"


def test_k_limits_results(engine):
    assert len(engine.search_offers(k=3)) == 3
    assert engine.search_offers(k=0) == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"radius_km": 10}, "commune de départ"),
        ({"commune": "Zzyzx", "radius_km": 10}, "introuvable"),
        ({"commune": "Pau", "radius_km": -1}, "positif"),
        ({"kinds": ["NOT_A_KIND"]}, "Type d.offre inconnu"),
    ],
)
def test_bad_filters_get_clear_errors(engine, kwargs, message):
    with pytest.raises(ValueError, match=message):
        engine.search_offers(**kwargs)


def test_vectorised_haversine_matches_scalar():
    import numpy as np

    lats, lons = np.array([43.3, 44.84, 45.83, np.nan]), np.array([-0.37, -0.58, 1.26, 0.0])
    d = haversine_km(43.29, -0.37, lats, lons)
    for i in range(3):
        assert d[i] == pytest.approx(distance_km(43.29, -0.37, lats[i], lons[i]), rel=1e-9)
    assert np.isnan(d[3])


def test_searcher_is_not_mutated_by_searches(tiny_indexes):
    searcher = OfferSearcher(tiny_indexes.catalogue, tiny_indexes.offers, tiny_indexes.embedder)
    before = searcher.s_start.copy(), searcher.o_kind.copy()
    searcher.search("cuisine", commune="Pau", radius_km=50, start_after=date(2027, 1, 1))
    assert (searcher.s_start == before[0]).all() and (searcher.o_kind == before[1]).all()


def test_facade_loads_once_across_threads(data_dir, monkeypatch, e5_embedder, tiny_catalogue, tiny_job_docs):
    from concurrent.futures import ThreadPoolExecutor

    from indexes import search, store

    calls = []
    real = store.ensure_default

    def counting(progress=None, **kw):
        calls.append(1)
        return real(progress, embedder=e5_embedder, catalogue=tiny_catalogue, job_docs=tiny_job_docs)

    monkeypatch.setattr(search, "ensure_default", counting)
    search.reset_search_engine()
    try:
        with ThreadPoolExecutor(4) as pool:
            engines = list(pool.map(lambda _: search.get_search_engine(), range(8)))
        assert len({id(e) for e in engines}) == 1 and len(calls) == 1
        assert search.search_jobs("cuisinier", k=1)[0].rome == "G1602"
        assert search.search_offers("cuisine", k=1)[0].offer.id == "o-cuisine"
        assert search.resolve_place("Pau").best.insee == "64445"
        search.reset_search_engine()
        assert search.get_search_engine() is not engines[0] and len(calls) == 2
    finally:
        search.reset_search_engine()


@pytest.mark.slow
def test_real_default_indexes(default_indexes):
    """The shipped demo catalogue and the real job referential, end to end."""
    engine = SearchEngine(default_indexes)
    assert len(default_indexes.offers) == len(default_indexes.catalogue.offers)
    assert engine.search_jobs("aide soignante", k=3)[0].rome == "J1501"
    hits = engine.search_offers("aide soignante", commune="Pau", radius_km=60, k=5)
    assert hits and all(s.distance_km <= 60 for h in hits for s in h.sessions if not h.offer.modality.value == "DISTANCE")
    assert any("J1501" in h.offer.rome_codes for h in hits[:3])
