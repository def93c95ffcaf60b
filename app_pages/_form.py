"""Form fields that refuse instead of guessing.

Streamlit's number_input clamps or keeps its previous value when the typed one
is out of range, so an adviser typing 130 got a plan for the default age. The
fields here are plain text inputs read by strict parsers: an empty required
field, a word, or a value out of range is reported in French under the field
itself, and the page does not compute anything until it is fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from app_pages._shared import md_escape

KEEP = {"persist_state": "session"}  # every form value survives a page switch (kept in the session only)


@dataclass
class Checks:
    """Problems found in the form: field key → French message (shown at the field, listed at the button)."""

    shown_missing: bool = False  # required-but-empty fields are flagged only once the user tried to submit
    problems: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (field label, message)

    def add(self, where: Any, key: str, label: str, message: str) -> None:
        self.problems[key] = (label, message)
        where.error(md_escape(message), icon=":material/error:")

    def missing(self, where: Any, key: str, label: str) -> None:
        self.problems[key] = (label, "à renseigner")
        if self.shown_missing:
            where.error(f"{md_escape(label)} : à renseigner.", icon=":material/error:")

    @property
    def ok(self) -> bool:
        return not self.problems


_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_number(text: str, decimals: bool = False) -> float | int | None:
    """A number typed the French way ("1 500", "1500,50", "34"); None when it is not a number at all."""
    raw = _SPACES.sub("", text or "").rstrip("€").replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?" if decimals else r"\d+", raw):
        return None
    return float(raw) if decimals else int(raw)


def parse_fr_date(text: str) -> date | None:
    """JJ/MM/AAAA (also JJ-MM-AAAA, JJ.MM.AAAA); None when it is not a real date."""
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", _SPACES.sub("", text or ""))
    if not m:
        return None
    try:
        return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None


def parse_month(text: str) -> date | None:
    """MM/AAAA → the first day of that month; None when it is not a real month."""
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{4})", _SPACES.sub("", text or ""))
    if not m or not 1 <= int(m[1]) <= 12:
        return None
    return date(int(m[2]), int(m[1]), 1)


def int_field(where: Any, checks: Checks, label: str, key: str, lo: int, hi: int, *, required: bool = False,
              unit: str = "", help: str | None = None, placeholder: str | None = None,
              disabled: bool = False) -> int | None:
    """An integer typed as text, refused (with a French message at the field) unless within [lo, hi]."""
    text = where.text_input(label, max_chars=40, key=key, help=help, placeholder=placeholder, disabled=disabled, **KEEP)
    if disabled:
        return None
    if not (text or "").strip():
        if required:
            checks.missing(where, key, label)
        return None
    value = parse_number(text)
    unit_text = f" {unit}" if unit else ""
    if value is None:
        checks.add(where, key, label, f"{label} : « {text.strip()} » n'est pas un nombre entier "
                                      f"(exemple : {lo if lo > 0 else hi // 2}).")
        return None
    if not lo <= value <= hi:
        checks.add(where, key, label, f"{label} : {value}{unit_text} est hors des valeurs possibles "
                                      f"(de {lo} à {hi}{unit_text}).")
        return None
    return int(value)


def amount_field(where: Any, checks: Checks, label: str, key: str, hi: float,
                 help: str | None = None) -> float | None:
    text = where.text_input(label, max_chars=20, key=key, help=help, placeholder="ex. 1 250", **KEEP)
    if not (text or "").strip():
        return None
    value = parse_number(text, decimals=True)
    if value is None or not 0 <= value <= hi:
        checks.add(where, key, label, f"{label} : « {text.strip()} » n'est pas un montant en euros "
                                      f"(de 0 à {hi:,.0f} €)".replace(",", " ") + ".")
        return None
    return value


def date_field(where: Any, checks: Checks, label: str, key: str, *, parse: Callable[[str], date | None] = parse_fr_date,
               fmt: str = "JJ/MM/AAAA", lo: date | None = None, hi: date | None = None,
               help: str | None = None) -> date | None:
    """A date typed as text in `fmt`, refused at the field when it is not a real date or is out of range."""
    text = where.text_input(label, max_chars=20, key=key, help=help, placeholder=fmt, **KEEP)
    if not (text or "").strip():
        return None
    value = parse(text)
    if value is None:
        checks.add(where, key, label, f"{label} : « {text.strip()} » n'est pas une date au format {fmt}.")
        return None
    if (lo and value < lo) or (hi and value > hi):
        span = " et ".join(d.strftime("%m/%Y" if fmt == "MM/AAAA" else "%d/%m/%Y") for d in (lo, hi) if d)
        checks.add(where, key, label, f"{label} : date hors des valeurs possibles (entre {span}).")
        return None
    return value


def age_on(birth_month: date, today: date) -> int:
    """Age in whole years on `today` of someone born in `birth_month` (the 1st of the month is assumed)."""
    return today.year - birth_month.year - ((today.month, today.day) < (birth_month.month, birth_month.day))
