"""Rule registry: every rule of the rule book, as data, with its source and trust status.

The engine's decisions must be explainable to an adviser and checkable against
the rule book: each `Reason` shown to the person names a rule id whose French
text, source and status (sourced / dated / inferred / unsourced) come from
`data/rules.toml`. Loading checks that every rule only names parameters that
exist, so a renamed threshold cannot silently orphan a rule.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from datetime import date

from assistant.parameters import parameter, parameters
from assistant.schemes import RuleStatus

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.toml"


class RuleError(LookupError):
    """Unknown rule id or malformed registry."""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    text: str
    source: str
    status: RuleStatus
    parameters: tuple[str, ...] = ()
    url: str = ""

    def reason(self, text: str | None = None) -> "Reason":
        """A reason citing this rule; `text` specialises the rule's text for the person."""
        return Reason(rule=self.id, text=text or self.text, source=self.citation)

    @cached_property
    def citation(self) -> str:
        marker = {RuleStatus.INFERRED: " [déduit]", RuleStatus.UNSOURCED: " [à confirmer]"}.get(self.status, "")
        if "[I]" in self.source or "[U]" in self.source:  # the source line already says it
            marker = ""
        return f"{self.source}{marker}" + (f" — {self.url}" if self.url else "")

    def to_dict(self) -> dict:
        return {
            "id": self.id, "title": self.title, "text": self.text, "source": self.source,
            "status": self.status.value, "parameters": list(self.parameters), "url": self.url,
        }


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str
    source: str

    def to_dict(self) -> dict:
        return {"rule": self.rule, "text": self.text, "source": self.source}


def load_rules(path: Path = RULES_FILE) -> dict[str, Rule]:
    with path.open("rb") as fh:
        raw = tomllib.load(fh).get("rule", [])
    known = parameters()
    found: dict[str, Rule] = {}
    for entry in raw:
        try:
            rule = Rule(
                id=entry["id"], title=entry["title"], text=entry["text"], source=entry["source"],
                status=RuleStatus(entry["status"]), parameters=tuple(entry.get("parameters", ())),
                url=entry.get("url", ""),
            )
        except (KeyError, ValueError) as exc:
            raise RuleError(f"malformed rule {entry.get('id', '?')}: {exc}") from None
        if rule.id in found:
            raise RuleError(f"duplicate rule id {rule.id}")
        missing = [p for p in rule.parameters if p not in known]
        if missing:
            raise RuleError(f"{rule.id} uses unknown parameters: {', '.join(missing)}")
        found[rule.id] = rule
    return found


@lru_cache(maxsize=1)
def rules() -> dict[str, Rule]:
    return load_rules()


def rule(rule_id: str) -> Rule:
    try:
        return rules()[rule_id]
    except KeyError:
        raise RuleError(f"unknown rule: {rule_id}") from None


def describe_rules(today: date) -> list[dict]:
    """The rule book as the engine applies it on `today`: each rule with the values of its
    parameters in force that day and their sources (for an adviser-facing "règles" page)."""
    out = []
    for r in rules().values():
        params = []
        for name in r.parameters:
            p = parameter(name)
            try:
                entry = p.entry(today)
            except LookupError:
                continue
            params.append({"name": name, "description": p.description, "value": entry.value, "unit": p.unit,
                           "since": entry.start.isoformat(), "source": entry.source, "note": entry.note})
        out.append({**r.to_dict(), "status_label": r.status.label, "parameter_values": params})
    return out
