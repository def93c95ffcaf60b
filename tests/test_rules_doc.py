"""docs/rules.md is the generated rule reference (issue 8): every rule, its parameters and sources; every
source tag used in the data resolves to a title, a URL and a date from the repository (data/sources.toml)."""

from __future__ import annotations

from assistant.planner.rulesdoc import DOC, render, sources, unresolved_tags
from assistant.rules import rules


def test_every_source_tag_of_the_data_is_resolvable_from_the_repository():
    assert unresolved_tags() == []
    for tag, s in sources().items():
        assert s["title"] and s["url"].startswith("http"), tag
        assert "date" in s, tag


def test_docs_rules_md_is_up_to_date_and_lists_every_rule():
    text = DOC.read_text(encoding="utf-8")
    assert text == render(), "docs/rules.md is stale: run python -m assistant.planner.rulesdoc"
    for rid in rules():
        assert f"### {rid} —" in text
