"""Public search facade used by the assistant and the app.

`get_search_engine()` loads the persisted default indexes once per process
(building them first only if missing, stale or corrupt) and returns an engine
that is never mutated afterwards, so threads (Streamlit sessions) share it
without locking. After a catalogue import, `reset_search_engine()` makes the
next call load a fresh engine; holders of the old one keep a consistent view.
"""

from __future__ import annotations

import threading
from typing import Any

from .embedders import QueryMemo
from .offers import OfferHit, OfferSearcher
from .places import PlaceResult, resolve_place as _resolve_place
from .store import DefaultIndexes, Progress, ensure_default


class SearchEngine:
    def __init__(self, indexes: DefaultIndexes) -> None:
        self.indexes = indexes
        self.embedder = QueryMemo(indexes.embedder)  # one encoding per wish for jobs and offers
        self.notices = indexes.notices  # French messages about a rebuild at load time
        from .jobs import JobSearcher

        self.jobs = JobSearcher(self.embedder, indexes.jobs, indexes.job_docs)
        self.offers = OfferSearcher(indexes.catalogue, indexes.offers, self.embedder, self.jobs)

    @property
    def catalogue(self) -> Any:
        """The catalogue the offer index was built from: use it rather than loading another copy."""
        return self.indexes.catalogue

    def search_jobs(self, text: str, k: int = 5) -> list:
        return self.jobs.search(text, k=k)

    def search_jobs_many(self, texts: list[str], k: int = 5) -> list[list]:
        return self.jobs.search_many(texts, k)

    def understand_jobs(self, text: str, k: int = 5):
        """Ranked jobs plus `understood` / `reason` / `ambiguous` (indexes.jobs.JobSearchResult)."""
        return self.jobs.understand(text, k)

    def understand_jobs_many(self, texts: list[str], k: int = 5) -> list:
        return self.jobs.understand_many(texts, k)

    def search_offers(self, query: str | None = None, **filters: Any) -> list[OfferHit]:
        return self.offers.search(query, **filters)

    def resolve_place(self, text: str) -> PlaceResult:
        return _resolve_place(text)


_engine: SearchEngine | None = None
_engine_lock = threading.Lock()


def get_search_engine(progress: Progress | None = None) -> SearchEngine:
    """The process-wide engine (thread-safe, loaded once)."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = SearchEngine(ensure_default(progress))
    return _engine


def reset_search_engine() -> None:
    """Forget the loaded engine (e.g. after importing a catalogue); the next call reloads."""
    global _engine
    with _engine_lock:
        _engine = None


def search_jobs(text: str, k: int = 5) -> list:
    return get_search_engine().search_jobs(text, k)


def understand_jobs(text: str, k: int = 5):
    """The search's reading of a wish: use it rather than `search_jobs` to decide whether
    to preselect a job (understood and not ambiguous) or to ask (see docs/search.md)."""
    return get_search_engine().understand_jobs(text, k)


def search_offers(query: str | None = None, **filters: Any) -> list[OfferHit]:
    return get_search_engine().search_offers(query, **filters)


def resolve_place(text: str) -> PlaceResult:
    """Place resolution needs no index: it does not load the engine."""
    return _resolve_place(text)
