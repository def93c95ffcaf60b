"""Exports of a plan: the PDF "fiche parcours", the dates as CSV and as iCalendar.

Plain Python (no streamlit) so that the exports can be produced and tested
without the UI. Everything works from the JSON dict returned by
`assistant.plan()`; the contract is read defensively (missing keys, strings
or dicts where a list of labels is expected) because an export must never
fail in front of the person it is for. Nothing is written to disk: every
function returns bytes (or text) that the caller hands to a download button.
The optional first name only ever goes into the PDF the person takes home.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from catalog.spreadsheet import csv_bytes

DEMO_LABEL = "Données de démonstration : sessions, lieux et contacts fictifs, à vérifier avant toute démarche."

STEP_KIND_LABELS = {
    "QUALIFIANT": "Formation qualifiante (Région)",
    "HSP_SOCLE": "HSP Socle de compétences",
    "HSP_1NQ": "HSP 1er niveau de qualification",
    "AMORCE": "Amorce de parcours",
    "APPRENTISSAGE": "Apprentissage",
    "MODULE": "Module complémentaire",
    "PREPA_APPRENTISSAGE": "Prépa apprentissage",
    "CONTRAT_PRO": "Contrat de professionnalisation",
    "POEI": "POEI",
}

# Unicode fonts are preferred; the core PDF fonts only cover Latin-1, so text
# is folded to Latin-1 when no TTF is installed (CI images without fonts).
_FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
]
_LATIN1_FOLD = str.maketrans({
    "’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "—": "-", "–": "-",
    "…": "...", "€": "EUR", "œ": "oe", "Œ": "OE", "→": "->", "≥": ">=", "≤": "<=",
    "\u202f": " ", "\u00a0": " ", "•": "-", "✓": "v", "✗": "x",
})


# --------------------------------------------------------------------------- reading the contract


def label(value: Any) -> str:
    """Readable text for a contract value that may be a string, a number, a dict or a list."""
    if value is None:
        return ""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict) and {"phone", "email"} & value.keys():  # a contact
        who = " ".join(str(value[k]) if k == "name" else f"({value[k]})" for k in ("name", "role") if value.get(k))
        return " — ".join(str(p) for p in (who, value.get("phone"), value.get("email")) if p)
    if isinstance(value, dict):
        for key in ("label", "title", "name", "organisation", "text", "action", "description"):
            if value.get(key):
                main = str(value[key])
                extra = [_extra(k, value[k]) for k in ("when", "deadline", "due", "date", "contact", "reason", "why")
                         if value.get(k) and k != key and isinstance(value[k], (str, int, float))]
                extra = [e for e in extra if e.split(" ")[-1] not in main]  # a date already in the text
                return main + (f" ({', '.join(extra)})" if extra else "")
        return ", ".join(f"{k} : {label(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, (list, tuple)):
        return ", ".join(label(v) for v in value if v not in (None, ""))
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def _extra(key: str, value: Any) -> str:
    """Detail of a labelled dict: dates in French ("avant le 03/12/2026"), other values as they are."""
    when = parse_date(value) if isinstance(value, str) and len(value) >= 10 else None
    if when and key in ("deadline", "due"):
        return f"avant le {fr_date(when)}"
    if when:
        return f"le {fr_date(when)}"
    return str(value)


def labels(value: Any) -> list[str]:
    """A list of readable lines from a list, a single value or nothing."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [t for t in (label(v) for v in value) if t]
    return [label(value)]


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def fr_date(value: Any) -> str:
    d = parse_date(value)
    return d.strftime("%d/%m/%Y") if d else "date à confirmer"


def step_kind_label(kind: Any) -> str:
    return STEP_KIND_LABELS.get(str(kind or ""), str(kind or "Étape"))


def step_heading(step: dict) -> str:
    """"Kind: title" using the plan's own kind label when it gives one."""
    kind = step.get("kind_label") or step_kind_label(step.get("kind"))
    title = label(step.get("title"))
    return title if title.startswith(kind) else f"{kind} : {title}"


def why_lines(step: dict) -> list[str]:
    """The step's reasons as "rule: text" lines (rules are the rule-book ids, e.g. R-SOCLE)."""
    out = []
    for why in step.get("why") or []:
        if isinstance(why, dict):
            rule, text = why.get("rule"), why.get("text") or why.get("source") or ""
            out.append(f"{rule} : {text}" if rule else str(text))
        elif why:
            out.append(str(why))
    return out


def distance_text(km: float, insee: str | None = None) -> str:
    """"12 km", flagged when the commune's point was repaired or looks doubtful in the source
    (catalog.referentials.COORD_NOTES): the distance itself may then be off."""
    text = f"{km:.0f} km"
    if insee:
        from catalog.referentials import communes

        commune = communes().get(insee)
        if commune is not None and commune.coord_approx:
            text += ", position à vérifier"
    return text


def step_place(step: dict) -> str:
    """Place and distance; steps that are not a catalogue session (diagnostic, aid...) may have none.

    `commune_insee`, when the dict has it, lets a doubtful commune position be flagged.
    """
    place = label(step.get("commune")) or ("lieu à confirmer" if step.get("offer_id") else "")
    if not place:
        return ""
    dist = step.get("distance_km")
    if isinstance(dist, (int, float)):
        place += f" ({distance_text(dist, step.get('commune_insee'))})"
    return place


def funding_lines(step: dict) -> list[str]:
    """Who pays a step, in plain words (issue 9 `funding` entries; absent on older plans)."""
    from assistant.funding import funding_line

    return [funding_line(e) for e in step.get("funding") or [] if isinstance(e, dict)]


def income_lines(timeline: list[dict]) -> list[tuple[str, str]]:
    """(headline, basis) per income period: "Du 01/12/2026 au 31/03/2027 : salaire d'apprenti, 784 € brut par mois"."""
    from assistant.income import income_rows

    out = []
    for row in income_rows([p for p in timeline if isinstance(p, dict)]):
        amount = row["Montant mensuel"]
        money_text = ("aucun revenu" if amount == "rien" else f"{amount} par mois" if "€" in amount else amount)
        out.append((f"{row['Période'][0].upper()}{row['Période'][1:]} : {row['Revenu']}, {money_text}",
                    f"{row['Base']} ({row['Règle']})"))
    return out


def income_months(timeline: list[dict], limit: int | None = None) -> list[dict[str, str]]:
    from assistant.income import income_by_month

    return income_by_month([p for p in timeline if isinstance(p, dict)], limit)


def is_demo(plan: dict) -> bool:
    return bool(plan.get("demo_data"))


# --------------------------------------------------------------------------- PDF


@functools.lru_cache(maxsize=1)
def _sheet_class() -> type:
    """The PDF sheet class, built on first use: fpdf2 takes most of a second to import,
    so the app's first page (which only imports this module) does not pay for it."""
    from fpdf import FPDF

    class Sheet(FPDF):
        """A4 sheet with a Unicode font when one is installed, Latin-1 folding otherwise."""

        def __init__(self, footer_text: str = ""):
            super().__init__(format="A4")
            self.footer_text = footer_text
            self.set_auto_page_break(auto=True, margin=18)
            self.set_margins(16, 16, 16)
            font = next((p for p in _FONT_CANDIDATES if p.exists()), None)
            bold = font.with_name("DejaVuSans-Bold.ttf") if font else None
            if font:
                self.add_font("sheet", "", str(font))
                self.add_font("sheet", "B", str(bold if bold and bold.exists() else font))
                self.family, self.unicode = "sheet", True
            else:
                self.family, self.unicode = "helvetica", False
            self.set_title("Fiche parcours Itinéraire")
            self.set_creator("Itinéraire")
            self.add_page()

        def clean(self, text: Any) -> str:
            text = label(text)
            if not self.unicode:
                text = text.translate(_LATIN1_FOLD).encode("latin-1", "replace").decode("latin-1")
            return text

        def footer(self):
            self.set_y(-14)
            self.set_font(self.family, "", 8)
            self.cell(0, 6, self.clean(f"{self.footer_text}  —  page {self.page_no()}"), align="C")

        def heading(self, text: str, size: int = 13):
            self.ln(2)
            self.set_font(self.family, "B", size)
            self.multi_cell(0, size * 0.55, self.clean(text), new_x="LMARGIN", new_y="NEXT")
            self.ln(1)

        def para(self, text: Any, size: int = 10, bold: bool = False, indent: float = 0):
            text = self.clean(text)
            if not text:
                return
            self.set_font(self.family, "B" if bold else "", size)
            self.set_x(self.l_margin + indent)
            self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

        def bullets(self, lines: Iterable[str], indent: float = 4):
            for line in lines:
                self.para(f"- {line}", 9, indent=indent)

    return Sheet


def _new_sheet(footer_text: str = ""):
    return _sheet_class()(footer_text)


def pathway_pdf(plan: dict, pathway_index: int = 0, first_name: str | None = None,
                today: date | None = None) -> bytes:
    """The "fiche parcours" a person takes home: one chosen pathway, dated steps, what to do next.

    `first_name` is optional and only printed on the sheet (never stored).
    """
    pathways = plan.get("pathways") or []
    if not pathways:
        raise ValueError("Aucun parcours à exporter.")
    if not 0 <= pathway_index < len(pathways):
        raise ValueError(f"Parcours n° {pathway_index + 1} introuvable ({len(pathways)} proposés).")
    pathway = pathways[pathway_index]
    today = today or date.today()
    pdf = _new_sheet(footer_text=f"Itinéraire — fiche parcours du {fr_date(today)}")

    pdf.heading("Fiche parcours Itinéraire", 17)
    who = f"Pour {first_name.strip()} — " if first_name and first_name.strip() else ""
    pdf.para(f"{who}établie le {fr_date(today)}", 10)
    if is_demo(plan):
        pdf.ln(1)
        pdf.para(DEMO_LABEL, 10, bold=True)
    referent = plan.get("referent")
    if referent:
        pdf.para(f"Votre organisme référent : {label(referent)}", 10)

    pdf.heading(f"Parcours choisi : {label(pathway.get('title')) or 'parcours'}")
    months = pathway.get("total_months")
    if months:
        pdf.para(f"Durée totale estimée : {months} mois", 10)

    for n, step in enumerate(pathway.get("steps") or [], 1):
        pdf.ln(1)
        pdf.para(f"Étape {n} — {step_heading(step)}", 11, bold=True)
        place = step_place(step)
        pdf.para(f"Du {fr_date(step.get('start'))} au {fr_date(step.get('end'))}" + (f" — {place}" if place else ""),
                 10, indent=4)
        if step.get("provider"):
            pdf.para(f"Organisme : {label(step['provider'])}", 10, indent=4)
        if step.get("hours_per_week"):
            pdf.para(f"Rythme : {step['hours_per_week']} h par semaine", 10, indent=4)
        if step.get("contact"):
            pdf.para(f"Contact : {label(step['contact'])}", 10, indent=4)
        pdf.bullets([f"Pourquoi : {w}" for w in why_lines(step)])
        pdf.bullets([f"En complément : {a}" for a in labels(step.get("add_ons"))])
        pdf.bullets([f"Aide : {s}" for s in labels(step.get("support"))])
        pdf.bullets([f"Qui paie : {line}" for line in funding_lines(step)])

    actions = [a for step in pathway.get("steps") or [] for a in labels(step.get("next_actions"))]
    actions += labels(pathway.get("next_actions"))
    if actions:
        pdf.heading("Prochaines démarches")
        pdf.bullets(dict.fromkeys(actions), indent=0)  # ordered, without repeats

    timeline = pathway.get("income_timeline") or []
    if timeline:
        pdf.heading("Vos revenus, période par période, jusqu'à l'emploi (estimation)")
        for row in income_lines(timeline):
            pdf.para(row[0], 10, bold=True)
            pdf.para(row[1], 8, indent=4)
        months = income_months(timeline, 12)
        if months:
            pdf.heading("Mois par mois (les 12 premiers mois)", 11)
            pdf.bullets([f"{m['Mois']} : {m['Revenu']} — {m['Montant mensuel']}" for m in months], indent=0)
    income = pathway.get("income") or {}
    if income and not timeline:
        pdf.heading("Revenus pendant la formation (estimation)")
        amount = income.get("monthly_eur")
        pdf.para(f"Environ {amount:.0f} € par mois" if isinstance(amount, (int, float)) else "Montant à vérifier", 10)
        pdf.para(label(income.get("basis")), 9)

    warnings = labels(pathway.get("warnings"))
    if warnings:
        pdf.heading("Points d'attention")
        pdf.bullets(warnings, indent=0)

    pdf.ln(3)
    pdf.para("Estimation indicative : les places, les dates et les droits sont confirmés par votre conseiller "
             "et l'organisme de formation.", 8)
    return bytes(pdf.output())


def offers_summary_pdf(wish: str, place: str, cards: list[dict], demo: bool,
                       today: date | None = None) -> bytes:
    """A short printable list of the sessions a person found, to bring to their adviser.

    `cards` are plain dicts: title, kind, provider, commune, distance_km, start, end,
    places_left, accessibility, leads_to (optional: commune_insee).
    """
    today = today or date.today()
    pdf = _new_sheet(footer_text=f"Itinéraire — ma recherche du {fr_date(today)}")
    pdf.heading("Ma recherche de formation — à montrer à mon conseiller", 15)
    pdf.para(f"Le {fr_date(today)} — métier recherché : {wish or 'non précisé'} — autour de : {place or 'non précisé'}")
    if demo:
        pdf.para(DEMO_LABEL, 10, bold=True)
    if not cards:
        pdf.para("Aucune formation trouvée avec ces critères.", 10)
    for card in cards:
        pdf.ln(1)
        pdf.para(label(card.get("title")), 11, bold=True)
        pdf.para(f"{step_kind_label(card.get('kind'))} — {label(card.get('provider'))}", 9, indent=4)
        place = step_place(card)
        pdf.para(f"Du {fr_date(card.get('start'))} au {fr_date(card.get('end'))}" + (f" — {place}" if place else ""),
                 9, indent=4)
        if card.get("places_left") is not None:
            pdf.para(f"Places restantes : {card['places_left']}", 9, indent=4)
        for key, prefix in (("accessibility", "Accessibilité"), ("leads_to", "Débouché")):
            if card.get(key):
                pdf.para(f"{prefix} : {label(card[key])}", 9, indent=4)
    return bytes(pdf.output())


# --------------------------------------------------------------------------- CSV and iCalendar

CSV_COLUMNS = ["parcours", "etape", "type", "intitule", "debut", "fin", "lieu", "distance_km",
               "heures_semaine", "offre", "session", "pourquoi"]


def pathway_csv(plan: dict, pathway_index: int | None = None) -> bytes:
    """The steps' dates as a spreadsheet CSV (see catalog.spreadsheet: French layout, no formula can run).

    All pathways by default, or only one.
    """
    rows = []
    for p_idx, pathway in _selected(plan, pathway_index):
        for n, step in enumerate(pathway.get("steps") or [], 1):
            start, end = parse_date(step.get("start")), parse_date(step.get("end"))
            dist = step.get("distance_km")
            rows.append([label(pathway.get("title")) or f"Parcours {p_idx + 1}", n,
                         step.get("kind_label") or step_kind_label(step.get("kind")),
                         label(step.get("title")), start.isoformat() if start else "", end.isoformat() if end else "",
                         label(step.get("commune")), f"{dist:.1f}" if isinstance(dist, (int, float)) else "",
                         label(step.get("hours_per_week")), label(step.get("offer_id")),
                         label(step.get("session_id")), " | ".join(why_lines(step))])
    return csv_bytes(CSV_COLUMNS, rows)


def _selected(plan: dict, pathway_index: int | None):
    pathways = list(enumerate(plan.get("pathways") or []))
    return pathways if pathway_index is None else [pathways[pathway_index]]


def pathway_ics(plan: dict, pathway_index: int = 0, now: datetime | None = None) -> bytes:
    """The dated steps of one pathway as all-day iCalendar events (for a phone or a diary).

    UIDs are derived from the offer/session ids, so re-importing the file updates
    the events instead of duplicating them. No personal data goes in.
    """
    from icalendar import Calendar, Event

    pathway = (plan.get("pathways") or [])[pathway_index]
    cal = Calendar()
    cal.add("prodid", "-//Itineraire//Fiche parcours//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Itinéraire — {label(pathway.get('title'))}")
    stamp = now or datetime.now(timezone.utc)
    for n, step in enumerate(pathway.get("steps") or [], 1):
        start = parse_date(step.get("start"))
        if not start:
            continue
        end = parse_date(step.get("end")) or start
        event = Event()
        key = f"{pathway.get('title')}|{n}|{step.get('offer_id')}|{step.get('session_id')}|{start}"
        event.add("uid", hashlib.sha1(key.encode()).hexdigest()[:20] + "@itineraire")
        event.add("dtstamp", stamp)
        event.add("summary", step_heading(step))
        event.add("dtstart", start)
        event.add("dtend", max(end, start) + timedelta(days=1))  # all-day DTEND is exclusive
        if step.get("commune"):
            event.add("location", label(step.get("commune")))
        details = why_lines(step) + [f"À faire : {a}" for a in labels(step.get("next_actions"))]
        if is_demo(plan):
            details.insert(0, DEMO_LABEL)
        if details:
            event.add("description", "\n".join(details))
        cal.add_component(event)
    return cal.to_ical()
