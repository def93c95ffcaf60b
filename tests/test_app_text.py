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


def test_md_escape_escapes_every_ascii_punctuation_mark_markdown_reads():
    specials = "\\`*_{}[]()#+-.!|<>~$:=&\"'^%/"
    assert md_escape(specials) == "".join("\\" + c for c in specials)
    assert md_escape("a@b") == "a\u2060\\@b", "an e-mail address is escaped and never autolinked"
    assert md_escape("a\n   b\nc") == "a  \nb  \nc", "indented lines cannot open a code block"
    assert md_escape("voir www.exemple.fr") == "voir www\u2060\\.exemple\\.fr", "no autolink"


def test_tables_are_sent_with_every_column_of_every_row():
    from app_pages._shared import _arrow_table

    table = _arrow_table([{"Du": "01/02/2027", "Source": "RSA"}, {"Du": "02/03/2027", "Règle": "R-RSA"}])
    assert table.column_names == ["Du", "Source", "Règle"]
    assert table.to_pylist() == [{"Du": "01/02/2027", "Source": "RSA", "Règle": None},
                                 {"Du": "02/03/2027", "Source": None, "Règle": "R-RSA"}]


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


def test_offer_card_flags_a_session_place_whose_position_is_doubtful():
    """A session in a commune whose source coordinates were repaired shows its distance as to be checked."""
    at = AppTest.from_string(
        "import streamlit as st\n"
        "from app_pages._shared import offer_card\n"
        "from catalog.model import Offer\n"
        "offer = Offer.from_dict(st.session_state['offer'])\n"
        "st.session_state['card'] = offer_card(offer, [(s, 8.2) for s in offer.sessions], 'c')\n")
    from catalog.model import Offer, OfferKind, Session
    from catalog.referentials import communes

    noted = next(c for c in communes().values() if c.coord_note)
    offer = Offer(id="T1", kind=OfferKind.QUALIFIANT, title="Cuisine",
                  sessions=[Session(id="S1", offer_id="T1", commune_insee=noted.insee,
                                    commune_name=noted.name)])
    at.session_state["offer"] = offer.to_dict()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"{noted.name} (8 km, position à vérifier)" in m.value.replace("\\", "") for m in at.markdown)
    assert at.session_state["card"]["commune_insee"] == noted.insee


def test_contact_links_are_rebuilt_from_safe_characters_only():
    from app_pages._shared import contact_markdown, mail_href, tel_href

    assert tel_href("05 55 00 00 01") == "tel:0555000001" and tel_href("+33 5 55 00 00 01") == "tel:+33555000001"
    assert tel_href("appeler l'accueil") is None and tel_href("12") is None
    assert mail_href("accueil@ifas.example") == "mailto:accueil@ifas.example"
    assert mail_href("x@y.fr)(javascript:alert(1)") is None
    text = contact_markdown({"name": "[clic](javascript:alert(1))", "phone": "05 55 00 00 01",
                             "email": "a@b.fr](javascript:alert(1)"})
    assert "(tel:0555000001)" in text and "mailto:" not in text, text
    assert "](javascript" not in text.replace("\\]\\(javascript", ""), text


def test_every_text_input_of_the_pages_is_bounded():
    """Issue 13: a 100,000-character wish cost 17 s of server CPU per click; every typed field has max_chars."""
    import ast
    from pathlib import Path

    unbounded = []
    for path in sorted((Path(__file__).parent.parent / "app_pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "text_input"
                    and not any(k.arg == "max_chars" for k in node.keywords)):
                unbounded.append(f"{path.name}:{node.lineno}")
    assert not unbounded, unbounded
