"""Itinéraire assistant core: profile, rules, eligibility and pathways (plain Python, no UI).

`assistant.plan(profile, today=None, catalogue=None, job_resolver=None)` and
`assistant.eligibility(profile, today=None)` are imported lazily so that
`import assistant.schemes` stays light (no numpy, no catalogue).
"""

from __future__ import annotations

from typing import Any

__all__ = ["plan", "eligibility"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from assistant import api

        return getattr(api, name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
