"""Catalogue and user text is data: md_escape() must make Markdown render it literally."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_pages._shared import md_escape, status_badge

MALICIOUS = [
    "<img src=x onerror=alert(1)>",
    "**[clic](javascript:alert(1))**",
    ":red[alerte] :material/warning: $x^2$",
    "# Titre\n- liste\n1. numéro",
    "`code` ~~barré~~ _it_ | table |",
]


@pytest.mark.parametrize("text", MALICIOUS)
def test_md_escape_leaves_no_unescaped_markup(text):
    escaped = md_escape(text)
    for i, ch in enumerate(escaped):
        if ch in "<>*[]()`:$#|_~":
            assert escaped[i - 1] == "\\", (ch, escaped)


def test_md_escape_handles_none_and_numbers():
    assert md_escape(None) == ""
    assert md_escape(12) == "12"


def test_markdown_renders_escaped_title_as_plain_text():
    """Through Streamlit's own Markdown element the title survives as literal text, not as a link or tag."""
    at = AppTest.from_string(
        "import streamlit as st\n"
        "from app_pages._shared import md_escape\n"
        "st.markdown(md_escape(st.session_state['title']))\n")
    at.session_state["title"] = "**[clic](javascript:alert(1))** <img src=x onerror=alert(1)>"
    at.run()
    assert not at.exception
    body = at.markdown[0].value
    assert "\\*\\*\\[clic\\]\\(javascript\\:alert\\(1\\)\\)\\*\\*" in body
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in body


@pytest.mark.parametrize("status, expected", [
    ("eligible", "✓ Éligible"), ("derogation", "⚠ Sur dérogation"), ("not_eligible", "✗ Non éligible"),
])
def test_status_badge_never_relies_on_colour_alone(status, expected):
    assert status_badge(status) == expected
