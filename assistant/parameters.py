"""Dated parameters: every number a rule uses, with the date it starts and its source.

Thresholds change by decree (RPS scale, SMIC, end of the national Prépa
apprentissage...). Keeping them in `data/parameters.toml` as dated entries means
a change is a one-line data edit with a date, the engine can answer for any day
(a plan made today for a session starting next year), and every figure shown to
a person can name its source.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

PARAMETERS_FILE = Path(__file__).resolve().parent / "data" / "parameters.toml"


class ParameterError(LookupError):
    """Unknown parameter, badly formed entry, or no value in force on the asked day."""


@dataclass(frozen=True)
class ParameterValue:
    start: date
    value: Any
    source: str
    note: str = ""


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    reference: str
    values: tuple[ParameterValue, ...]

    def entry(self, on: date) -> ParameterValue:
        """The entry in force on `on` (the latest whose start is on or before it)."""
        current = None
        for entry in self.values:
            if entry.start <= on:
                current = entry
        if current is None:
            raise ParameterError(f"{self.name}: no value in force on {on.isoformat()}")
        return current


def _walk(table: dict[str, Any], prefix: str) -> dict[str, Parameter]:
    found: dict[str, Parameter] = {}
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if not isinstance(value, dict):
            raise ParameterError(f"{name}: expected a parameter table")
        if "values" in value:
            found[name] = _parameter(name, value)
        else:
            found.update(_walk(value, name))
    return found


def _parameter(name: str, table: dict[str, Any]) -> Parameter:
    entries = []
    for raw in table["values"]:
        if not isinstance(raw.get("start"), date) or "value" not in raw or not raw.get("source"):
            raise ParameterError(f"{name}: each value needs a start date, a value and a source")
        entries.append(ParameterValue(raw["start"], raw["value"], raw["source"], raw.get("note", "")))
    starts = [e.start for e in entries]
    if not entries or starts != sorted(set(starts)):
        raise ParameterError(f"{name}: values must be non-empty with strictly increasing start dates")
    return Parameter(
        name=name,
        description=table.get("description", ""),
        unit=table.get("unit", ""),
        reference=table.get("reference", ""),
        values=tuple(entries),
    )


def load_parameters(path: Path = PARAMETERS_FILE) -> dict[str, Parameter]:
    """Parse and check a parameters file (raises ParameterError on a malformed one)."""
    with path.open("rb") as fh:
        return _walk(tomllib.load(fh), "")


@lru_cache(maxsize=1)
def parameters() -> dict[str, Parameter]:
    """All shipped parameters by dotted name (loaded once)."""
    return load_parameters()


def parameter(name: str) -> Parameter:
    try:
        return parameters()[name]
    except KeyError:
        raise ParameterError(f"unknown parameter: {name}") from None


def param(name: str, on: date) -> Any:
    """Value of parameter `name` in force on day `on`."""
    return parameter(name).entry(on).value


def param_source(name: str, on: date) -> str:
    """Human source line for the value in force on `on` (shown next to figures)."""
    entry = parameter(name).entry(on)
    note = f" ; {entry.note}" if entry.note else ""
    return f"{entry.source}, en vigueur depuis le {entry.start.strftime('%d/%m/%Y')}{note}"


class RulesDateError(ParameterError):
    """A day before the first day on which every rule has a dated value: refused with a French message."""

    def __init__(self, day: date, floor: date):
        self.day, self.floor = day, floor
        super().__init__(f"Les règles d'Itinéraire sont datées à partir du {floor.strftime('%d/%m/%Y')} : "
                         f"impossible de calculer un plan ou une éligibilité au {day.strftime('%d/%m/%Y')} "
                         "(les règles en vigueur à cette date ne sont pas toutes connues).")


@lru_cache(maxsize=1)
def rules_floor() -> date:
    """First day on which every shipped parameter (rules and pathway builder) has a value in force.

    Before it, some rule would be asked for a value it does not have: rather than a crash deep in a
    rule (ParameterError) or a silent use of a later value, the day is refused cleanly."""
    from assistant.parameters import parameters as all_parameters

    firsts = [p.values[0].start for p in all_parameters().values()]
    return max(firsts)


def check_rules_date(day: date) -> None:
    if day < rules_floor():
        raise RulesDateError(day, rules_floor())
