"""Shared test fixtures: kept small and generic.

- `e5_embedder` (session): the default embedder, loaded once.
- `data_dir`: a fresh ITINERAIRE_DATA_DIR for the test (indexes, caches, working catalogue).
- `tiny_catalogue` / `tiny_job_docs`: ten offers and a dozen job passages with known
  places, levels and dates, for fast index and search tests.
- `tiny_indexes`: those built and loaded through `indexes.store` in a temp data dir.
- `default_indexes` (session, slow): the real default indexes (real catalogue, real
  job referential) built once per test session in a session temp folder.

Under `CI=true` a skipped test is reported as a failure (hooks in tests/ci_skips.py):
CI installs everything the suite needs, so a skip there can only hide a problem.
"""

from __future__ import annotations

import os
from datetime import date

import pytest

from catalog.model import (
    Accessibility,
    Certification,
    CertificationType,
    Contact,
    EntryMode,
    Modality,
    Offer,
    OfferKind,
    Rhythm,
    Session,
)
from tests.ci_skips import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401 - hooks


@pytest.fixture(scope="session")
def e5_embedder():
    from indexes.embedders import get_embedder

    return get_embedder("e5")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "var"
    path.mkdir()
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(path))
    return path


# ------------------------------------------------------------------ tiny corpora

# (id, kind, title, level, romes, sessions[(commune insee, start, explicit coords?)], extras)
TINY_OFFERS = [
    ("o-as", OfferKind.QUALIFIANT, "Diplôme d'État d'aide-soignant", 4, ["J1501"],
     [("64445", date(2027, 3, 1), True), ("33063", date(2027, 1, 10), False)], {}),
    ("o-cuisine", OfferKind.QUALIFIANT, "CAP Cuisine", 3, ["G1602"],
     [("33063", date(2027, 2, 1), True)], {"accessible": True}),
    ("o-macon", OfferKind.QUALIFIANT, "Titre professionnel Maçon", 3, ["F1703"],
     [("87085", date(2027, 1, 15), False)], {}),
    ("o-socle", OfferKind.HSP_SOCLE, "Socle de compétences : remise à niveau en français et mathématiques", None, [],
     [("64335", date(2026, 12, 1), False)], {"part_time": True}),
    ("o-caces", OfferKind.MODULE, "CACES R489 conduite de chariots élévateurs", None, ["N1101"],
     [("33281", date(2027, 1, 5), False)], {}),
    ("o-compta", OfferKind.QUALIFIANT, "Titre professionnel Secrétaire comptable", 4, ["M1203"],
     [("87085", date(2027, 2, 20), False)], {"remote": True}),
    ("o-adv", OfferKind.QUALIFIANT, "Titre professionnel Assistant de vie aux familles", 3, ["K1302"],
     [("79191", None, False)], {"permanent": True}),
    ("o-elec", OfferKind.APPRENTISSAGE, "CAP Électricien", 3, ["F1602"],
     [("40088", date(2027, 9, 1), False)], {}),
    ("o-amorce", OfferKind.AMORCE, "Amorce de parcours : découverte des métiers du numérique", None, [], [], {}),
    ("o-prepa", OfferKind.QUALIFIANT, "Titre professionnel Préparateur de commandes en entrepôt", 3, ["N1103"],
     [("47001", date(2027, 1, 20), False), ("64445", date(2027, 4, 2), False)], {}),
]


def make_offer(offer_id, kind, title, level, romes, sessions, extras) -> Offer:
    from catalog.referentials import communes

    place = communes()
    offer_sessions = []
    for n, (insee, start, with_coords) in enumerate(sessions):
        c = place[insee]
        offer_sessions.append(
            Session(
                id=f"{offer_id}-s{n}",
                offer_id=offer_id,
                start=start,
                commune_insee=insee,
                commune_name=c.name,
                lat=c.lat if with_coords else None,
                lon=c.lon if with_coords else None,
                entry_mode=EntryMode.PERMANENT if extras.get("permanent") else EntryMode.FIXED_DATES,
            )
        )
    return Offer(
        id=offer_id,
        kind=kind,
        title=title,
        certification=Certification(
            type=CertificationType.TP if level else CertificationType.NONE, title=title if level else "", level=level
        ),
        rome_codes=list(romes),
        modality=Modality.DISTANCE if extras.get("remote") else Modality.PRESENTIEL,
        rhythm=Rhythm.PART_TIME if extras.get("part_time") else Rhythm.FULL_TIME,
        accessibility=Accessibility(referent_handicap=Contact(role="Référent handicap") if extras.get("accessible") else None),
        sessions=offer_sessions,
    )


@pytest.fixture
def tiny_catalogue():
    from catalog.store import Catalogue

    return Catalogue([make_offer(*row) for row in TINY_OFFERS])


_TINY_JOBS = [
    ("J1501", "Aide-soignant / Aide-soignante"),
    ("J1501", "Aide-soignant en EHPAD"),
    ("G1602", "Cuisinier / Cuisinière"),
    ("G1602", "Commis de cuisine"),
    ("F1703", "Maçon / Maçonne"),
    ("N1101", "Cariste, conducteur de chariot élévateur"),
    ("M1203", "Secrétaire comptable"),
    ("K1302", "Assistant / Assistante de vie aux familles"),
    ("F1602", "Électricien / Électricienne du bâtiment"),
    ("N1103", "Préparateur / Préparatrice de commandes"),
    ("M1805", "Développeur / Développeuse web"),
    ("D1106", "Vendeur / Vendeuse en alimentation"),
]


def tiny_job_list() -> list:
    from indexes.jobs import JobDoc

    return [JobDoc(doc_id=f"t{i}", rome=rome, text=text, source="test") for i, (rome, text) in enumerate(_TINY_JOBS)]


@pytest.fixture
def tiny_job_docs():
    return tiny_job_list()


@pytest.fixture
def tiny_indexes(data_dir, e5_embedder, tiny_catalogue, tiny_job_docs):
    from indexes.store import ensure_default

    return ensure_default(embedder=e5_embedder, catalogue=tiny_catalogue, job_docs=tiny_job_docs)


@pytest.fixture(scope="session")
def default_indexes(tmp_path_factory, e5_embedder):
    """The real default indexes (real catalogue and job referential), built once per session.

    A cold build embeds ~16k passages (minutes), so only tests marked `slow` should use
    it. The embedding cache of the working folder, when there is one, is copied in
    first (same keys, read-only use of the original). The data dir points at the
    session folder only while building: the result lives in memory.
    """
    import shutil

    from catalog.paths import data_dir
    from indexes.store import ensure_default

    folder = tmp_path_factory.mktemp("default-var")
    cache = data_dir() / "embedding_cache"
    if cache.is_dir():
        shutil.copytree(cache, folder / "embedding_cache")
    previous = os.environ.get("ITINERAIRE_DATA_DIR")
    os.environ["ITINERAIRE_DATA_DIR"] = str(folder)
    try:
        return ensure_default(embedder=e5_embedder)
    finally:
        if previous is None:
            os.environ.pop("ITINERAIRE_DATA_DIR", None)
        else:
            os.environ["ITINERAIRE_DATA_DIR"] = previous
