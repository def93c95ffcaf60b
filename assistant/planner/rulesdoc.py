"""docs/rules.md, generated: every rule, its parameters (values in force, with their sources) and every
source tag resolved to a title, a URL and a date.

Why generated: the rule registry (data/rules.toml), the dated parameters
(data/parameters.toml) and the source list (data/sources.toml) are the truth; a
hand-written reference would drift. `python -m assistant.planner.rulesdoc`
rewrites the file; tests/test_rules_doc.py fails when it is stale or when a tag
in the data cannot be resolved from the repository.
"""

from __future__ import annotations

import re
import sys
import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path

from assistant.parameters import ParameterError, parameters
from assistant.rules import rules

ROOT = Path(__file__).resolve().parents[2]
SOURCES_FILE = ROOT / "assistant" / "data" / "sources.toml"
DOC = ROOT / "docs" / "rules.md"
TAG_RE = re.compile(r"\bS(?:-old)?:[A-Za-z]+\d*[a-z]?\b")
# The rule book's own legend: [I] inferred from practice, [U] unsourced (to confirm).
MARKERS = {"[I]": "déduit de la pratique (à confirmer par un praticien)", "[U]": "non sourcé"}
DOC_DAY = date(2026, 11, 26)  # values shown as in force on this day (the demo catalogue's period)


@lru_cache(maxsize=1)
def sources() -> dict[str, dict]:
    with SOURCES_FILE.open("rb") as fh:
        return tomllib.load(fh)


def tags_in(text: str) -> list[str]:
    return list(dict.fromkeys(TAG_RE.findall(text or "")))


def unresolved_tags() -> list[str]:
    """Tags used by the data that data/sources.toml does not resolve."""
    used = [t for r in rules().values() for t in tags_in(r.source)]
    used += [t for p in parameters().values() for t in tags_in(p.reference)]
    return sorted(set(used) - set(sources()))


def _cell(value: object) -> str:
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 160 else text[:157] + "…"


def _source_line(tag: str) -> str:
    s = sources()[tag]
    when = f", {s['date']}" if s.get("date") else ", non datée"
    return f"[{tag}](#{_anchor(tag)}) {s['title']}{when}"


def _anchor(tag: str) -> str:
    return "source-" + re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")


def render(day: date = DOC_DAY) -> str:
    lines = [
        "# Règles d'Itinéraire : règles, paramètres et sources",
        "",
        "Fichier généré par `python -m assistant.planner.rulesdoc` à partir de `assistant/data/rules.toml`, "
        "`assistant/data/parameters.toml` et `assistant/data/sources.toml` : ne pas le modifier à la main. "
        f"Valeurs en vigueur le {day.strftime('%d/%m/%Y')}. Légende : [I] = {MARKERS['[I]']} ; [U] = {MARKERS['[U]']}.",
        "",
        "## Règles",
        "",
    ]
    params = parameters()
    for r in rules().values():
        lines += [f"### {r.id} — {r.title}", "", r.text, "",
                  f"- Statut : {r.status.label}",
                  f"- Source : {r.source}" + (f" — <{r.url}>" if r.url else "")]
        for tag in tags_in(r.source):
            lines.append(f"  - {_source_line(tag)}")
        if r.parameters:
            lines += ["", "| paramètre | valeur | unité | depuis | source |", "|---|---|---|---|---|"]
            for name in r.parameters:
                p = params[name]
                try:
                    entry = p.entry(day)
                except ParameterError:
                    lines.append(f"| `{name}` | (pas de valeur à cette date) | {p.unit} | | |")
                    continue
                refs = ", ".join(f"[{t}](#{_anchor(t)})" for t in tags_in(p.reference))
                lines.append(f"| `{name}` — {_cell(p.description)} | {_cell(entry.value)} | {_cell(p.unit)} | "
                             f"{entry.start.isoformat()} | {_cell(entry.source)}{' ; ' + refs if refs else ''} |")
        lines.append("")
    lines += ["## Sources", ""]
    for tag, s in sorted(sources().items()):
        when = f" ({s['date']})" if s.get("date") else " (non datée)"
        url = f" — <{s['url']}>" if s.get("url") else ""
        lines += [f"<a id=\"{_anchor(tag)}\"></a>", f"- **{tag}** — {s['title']}{when}{url}"]
        for extra in s.get("urls", [])[1:]:
            lines.append(f"  - <{extra}>")
    return "\n".join(lines) + "\n"


def main() -> int:
    missing = unresolved_tags()
    if missing:
        print("tags sans source : " + ", ".join(missing), file=sys.stderr)
        return 1
    DOC.write_text(render(), encoding="utf-8")
    print(f"{DOC} écrit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
