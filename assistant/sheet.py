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
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from catalog.model import OfferKind
from catalog.spreadsheet import csv_bytes

DEMO_LABEL = "Données de démonstration : sessions, lieux et contacts fictifs, à vérifier avant toute démarche."

# The training step kinds (those that are catalogue offers), named from the one table of scheme names.
STEP_KIND_LABELS = {kind.value: kind.label for kind in OfferKind}

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


# --------------------------------------------------------------------------- plain French for the person's sheet

# What a step is, in the words of the person who does it (the plan's kind labels are the schemes' names).
PLAIN_KIND = {
    "DIAGNOSTIC": "Faire le point sur votre projet avec un conseiller ou une conseillère",
    "HSP_SOCLE": "Remise à niveau : lire, écrire, compter, utiliser un ordinateur",
    "HSP_1NQ": "Formation pour obtenir un premier diplôme de métier",
    "QUALIFIANT": "Formation pour obtenir le diplôme du métier",
    "AMORCE": "Découvrir le métier et préparer l'entrée en formation",
    "MODULE": "Module court en complément",
    "APPRENTISSAGE": "Apprentissage : un contrat de travail et des cours en centre de formation",
    "PREPA_APPRENTISSAGE": "Préparation à l'apprentissage",
    "CONTRAT_PRO": "Contrat de professionnalisation : un contrat de travail avec une formation",
    "POEI": "Formation avant une embauche chez un employeur qui recrute",
    "EMPLOI": "Emploi",
    "IMMERSION": "Stage de découverte en entreprise",
    "PMSMP": "Stage de découverte en entreprise",
    "VAE": "Faire reconnaître votre expérience par un diplôme (VAE)",
    "CEJ": "Contrat d'engagement jeune : un accompagnement intensif avec une allocation",
    "LEVEE_DE_FREINS": "Régler d'abord une difficulté du quotidien, avec l'aide de votre conseiller",
    "PTP": "Se former en gardant son salaire (projet de transition professionnelle)",
    "AIDE": "Une aide à demander",
}
# Words of the engine replaced on the person's sheet (the adviser annex keeps them).
JARGON = [
    ("PMSMP", "stage de découverte en entreprise (PMSMP)"),
    ("Levée des freins", "Difficulté du quotidien à régler"),
    ("levée des freins", "difficulté du quotidien à régler"),
    ("HSP 1er niveau de qualification", "formation vers un premier diplôme"),
    ("HSP Socle de compétences", "remise à niveau"),
    ("IAE", "insertion par l'activité économique (IAE)"),
]
# Who pays, when the plan does not say it yet (funding contract absent): the scheme's own rule.
DEFAULT_PAYER = {
    "HSP_SOCLE": "La formation est payée par la Région Nouvelle-Aquitaine : vous n'avez rien à payer.",
    "HSP_1NQ": "La formation est payée par la Région Nouvelle-Aquitaine : vous n'avez rien à payer.",
    "QUALIFIANT": "La formation est payée par la Région Nouvelle-Aquitaine : vous n'avez rien à payer.",
    "AMORCE": "La formation est payée par la Région Nouvelle-Aquitaine : vous n'avez rien à payer.",
    "PREPA_APPRENTISSAGE": "La préparation est payée par l'État : vous n'avez rien à payer.",
    "APPRENTISSAGE": "Les cours sont payés par l'employeur et son opérateur de compétences : vous êtes salarié(e).",
    "CONTRAT_PRO": "La formation est payée par l'employeur et son opérateur de compétences : vous êtes salarié(e).",
    "POEI": "La formation est payée par France Travail et l'opérateur de compétences de l'employeur.",
    "DIAGNOSTIC": "Gratuit.",
}
_RULE_CODE = re.compile(r"\s*[\(\[]?\b(?:règles?\s+)?R-[A-Z0-9]+(?:-[A-Z0-9]+)*(?:\s*,\s*R-[A-Z0-9]+(?:-[A-Z0-9]+)*)*"
                        r"\b[\)\]]?|\s*\[(?:S:[^\]]*|I|U)\]")


def plain(text: Any) -> str:
    """The person's words: no rule codes, no internal source tags, jargon spelled out."""
    out = _RULE_CODE.sub("", label(text))
    for word, words in JARGON:
        out = re.sub(rf"(?<![\w(]){re.escape(word)}(?![\w)])", words, out)
    return re.sub(r"\s+([,.)])", r"\1", re.sub(r"\(\s*\)", "", out)).strip()


def capital(text: str) -> str:
    """First letter upper case (a heading that starts with a replaced word)."""
    return text[:1].upper() + text[1:]


def fr_number(value: float, decimals: int = 1) -> str:
    """15.7 → "15,7"; 35.0 → "35"; 1823 → "1 823" (French separators, no useless ",0")."""
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text.rstrip("0").rstrip(",") if "," in text else text


def months_text(months: Any) -> str:
    """A duration as a person says it: "environ 16 mois", "environ 2 ans", "quelques semaines"."""
    if not isinstance(months, (int, float)) or months <= 0:
        return "durée à confirmer"
    if months < 1:
        return "quelques semaines"
    if months >= 23.5 and round(months / 12 * 2) % 2 == 0:
        return f"environ {round(months / 12)} ans"
    return f"environ {round(months)} mois"


def hours_text(hours: Any) -> str:
    return f"{fr_number(float(hours))} heures par semaine" if isinstance(hours, (int, float)) and hours else ""


def euros(amount: Any) -> str:
    return f"{fr_number(float(amount), 0)} €" if isinstance(amount, (int, float)) else ""


def tension_text(tension: Any) -> str:
    """Recruitment difficulty in words (the 1..5 index of the job market statistics)."""
    words = {1: "très faible", 2: "faible", 3: "moyenne", 4: "forte", 5: "très forte"}
    return words.get(int(tension), str(tension)) if isinstance(tension, (int, float)) else label(tension)


def income_text(pathway: dict) -> str:
    """The pathway's estimated income in one line, with gross or net said (empty when not estimated)."""
    timeline = pathway.get("income_timeline") or []
    if timeline:
        parts = []
        for row in timeline:
            amount = row.get("monthly_eur")
            kind = {"brut": "brut", "gross": "brut", "net": "net"}.get(str(row.get("gross_or_net") or ""), "")
            if isinstance(amount, (int, float)):
                parts.append(f"{euros(amount)} {kind} par mois ({plain(row.get('source'))})".replace("  ", " "))
        return " ; ".join(parts)
    income = pathway.get("income") or {}
    amount = income.get("monthly_eur")
    if isinstance(amount, (int, float)):
        kind = {"brut": "brut", "gross": "brut", "net": "net"}.get(str(income.get("gross_or_net") or ""), "")
        if not kind:  # older plans say it only in the basis text
            basis = label(income.get("basis")).lower()
            kind = "brut" if "brut" in basis else "net" if re.search(r"\bnet\b", basis) else ""
        return f"environ {euros(amount)} {kind} par mois".replace("  ", " ")
    return ""


# French public holidays (Code du travail L3133-1): fixed dates, and those following Easter.
def _easter(year: int) -> date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


def public_holidays(year: int) -> set[date]:
    easter = _easter(year)
    fixed = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
    return {date(year, m, d) for m, d in fixed} | {easter + timedelta(days=n) for n in (1, 39, 50)}


def working_days_between(start: date, end: date) -> int:
    """Working days (Monday to Friday, public holidays excluded) after `start` up to `end` included."""
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in public_holidays(day.year):
            n += 1
    return n


def deadline_text(deadline: Any, today: date) -> str:
    """"(au plus tard le 07/12/2026, dans 5 jours ouvrés)"; a text deadline stays as written."""
    when = parse_date(deadline) if isinstance(deadline, str) and len(deadline) >= 10 else None
    if when is None:
        return plain(deadline)
    if when <= today:
        return "dès que possible"
    while when > today and (when.weekday() >= 5 or when in public_holidays(when.year)):
        when -= timedelta(days=1)  # a deadline on a Sunday or a public holiday: the working day before
    if when <= today:
        return "dès que possible"
    days = working_days_between(today, when)
    plural = "s" if days > 1 else ""
    return f"(au plus tard le {fr_date(when)}, dans {days} jour{plural} ouvré{plural})"


_ORGS = ("France Travail", "Mission Locale", "Cap Emploi", "Département", "CEP")


def action_lines(actions: Any, today: date, skip_with: str = "") -> list[str]:
    """Next actions in plain words with working-day deadlines; a meeting with `skip_with` is dropped
    (the person is with that structure already: the sheet is handed out during its appointment)."""
    out = []
    for action in actions if isinstance(actions, (list, tuple)) else [actions] if actions else []:
        if isinstance(action, dict):
            text = plain(action.get("action") or action.get("label") or action.get("text"))
            due = action.get("deadline") or action.get("due")
            when = deadline_text(due, today) if due else ""
        else:
            text, when = plain(action), ""
        if not text:
            continue
        if text.lower().startswith("prendre rendez-vous") and any(
                org.lower() in skip_with.lower() and org.lower() in text.lower() for org in _ORGS):
            continue
        out.append(f"{text} {when}".strip())
    return list(dict.fromkeys(out))


def _offer(catalogue: Any, offer_id: Any) -> Any:
    if catalogue is None or not offer_id:
        return None
    offers = getattr(catalogue, "offers", None)
    if isinstance(offers, dict):
        return offers.get(offer_id)
    return next((o for o in offers or () if getattr(o, "id", None) == offer_id), None)


def _session(offer: Any, session_id: Any) -> Any:
    return next((s for s in getattr(offer, "sessions", None) or () if s.id == session_id), None)


def _contact_text(contact: Any) -> str:
    if contact is None:
        return ""
    if dataclasses.is_dataclass(contact) and not isinstance(contact, type):
        contact = dataclasses.asdict(contact)
    if isinstance(contact, dict):
        who = " ".join(str(contact[k]) if k == "name" else f"({contact[k]})" for k in ("name", "role")
                       if contact.get(k))
        parts = [who] + [f"tél. {contact['phone']}" if contact.get("phone") else "",
                         f"courriel {contact['email']}" if contact.get("email") else ""]
        return ", ".join(p for p in parts if p)
    return label(contact)


def _job_title(plan: dict, pathway: dict) -> str:
    rome = pathway.get("rome")
    for job in plan.get("jobs") or []:
        if isinstance(job, dict) and (job.get("rome") == rome or rome is None):
            return label(job.get("label"))
    return ""


def step_facts(step: dict, plan: dict, pathway: dict, today: date, catalogue: Any = None) -> list[tuple[str, str]]:
    """(question, answer) lines of one step for the person: quoi, où, quand, heures, contact, payé, touché."""
    kind = str(step.get("kind") or "")
    offer = _offer(catalogue, step.get("offer_id"))
    session = _session(offer, step.get("session_id")) if offer else None
    facts = [("Quoi", plain(PLAIN_KIND.get(kind) or step.get("kind_label") or step_kind_label(kind)))]
    where = [plain(step.get("provider") or (offer.provider.name if offer else ""))]
    if session is not None and session.address:
        where.append(session.address)
    place = step_place(step)
    if place and place != "lieu à confirmer":
        where.append(place)
    if any(where):
        facts.append(("Où", ", ".join(w for w in where if w)))
    elif step.get("offer_id"):
        facts.append(("Où", "lieu à confirmer avec l'organisme"))
    elif kind == "DIAGNOSTIC":
        referent = plan.get("referent")
        org = referent.get("organisation") if isinstance(referent, dict) else referent
        if org:
            facts.append(("Où", f"{plain(org)} (le lieu et l'heure vous sont donnés au rendez-vous)"))
    start, end = parse_date(step.get("start")), parse_date(step.get("end"))
    if kind == "EMPLOI" or (start and end and start == end):
        when = f"à partir du {fr_date(start)}"
    else:
        when = f"du {fr_date(start)} au {fr_date(end)}"
    if step.get("info_session"):
        when += f" ; réunion d'information le {fr_date(step['info_session'])}"
    facts.append(("Quand", when))
    hours = hours_text(step.get("hours_per_week") or (offer.duration.hours_per_week if offer else None))
    if hours:
        facts.append(("Combien d'heures", hours))
    contact = (offer.contact if offer is not None and offer.contact else None) or step.get("contact")
    if _contact_text(contact):
        facts.append(("Qui contacter", _contact_text(contact)))
    funding = step.get("funding") or []
    if funding:
        try:  # the funding module's own plain wording (who pays, what remains, what to do by when)
            paid = [plain(line) for line in funding_lines(step)]
        except ImportError:
            paid = [plain(f"{label(f.get('funder'))} : {label(f.get('covers'))}"
                          + (f" (jusqu'à {euros(f['ceiling_eur'])})" if isinstance(f.get("ceiling_eur"), (int, float))
                             else "")) for f in funding if isinstance(f, dict)]
        facts.append(("Ce qui est payé", " ; ".join(p for p in paid if p)))
    elif DEFAULT_PAYER.get(kind):
        facts.append(("Ce qui est payé", DEFAULT_PAYER[kind]))
    money = _step_income(step, pathway)
    if money:
        facts.append(("Ce que vous touchez", money))
    return facts


def _step_income(step: dict, pathway: dict) -> str:
    """Income during this step: the income timeline rows overlapping it, else the pathway's estimate for
    its main training step."""
    start, end = parse_date(step.get("start")), parse_date(step.get("end"))
    rows = []
    for row in pathway.get("income_timeline") or []:
        a, b = parse_date(row.get("from")), parse_date(row.get("to"))
        if start and a and (b is None or b >= start) and (end is None or a <= end):
            if isinstance(row.get("monthly_eur"), (int, float)):
                kind = {"brut": " brut", "gross": " brut", "net": " net"}.get(str(row.get("gross_or_net") or ""), "")
                rows.append(f"{euros(row['monthly_eur'])}{kind} par mois ({plain(row.get('source'))})"
                            if row["monthly_eur"] else f"rien ({plain(row.get('source'))})")
            elif row.get("source"):
                rows.append(f"{plain(row.get('source'))} (montant selon vos droits)")
    if rows:
        return " ; ".join(dict.fromkeys(rows))
    income = pathway.get("income") or {}
    if not pathway.get("income_timeline") and isinstance(income.get("monthly_eur"), (int, float)) \
            and str(step.get("kind")) in STEP_KIND_LABELS and step.get("offer_id"):
        return income_text(pathway) + " (estimation à confirmer)"
    return ""


def error_pdf(message: str) -> bytes:
    """A one-line PDF saying what went wrong (a download button never hands over a broken file)."""
    pdf = _new_sheet(footer_text="Itinéraire")
    pdf.heading("Itinéraire", 15)
    pdf.para(message, 11)
    return bytes(pdf.output())


def pathway_pdf(plan: dict, pathway_index: int = 0, first_name: str | None = None,
                today: date | None = None, *, adviser: str = "", structure: str = "", catalogue: Any = None,
                wish: str = "", profile: dict | None = None) -> bytes:
    """The sheet a jobseeker takes home and understands without the adviser: plain French, each step as
    what / where / when / how many hours / whom to call / what is paid / what you receive, deadlines in
    working days, and who prepared it. Rule codes and sources are in `adviser_annex_pdf`.

    `first_name`, `adviser`, `structure` are only printed (never stored). `catalogue` (optional) gives the
    training's address and contact; `wish` is the person's own words for the job.
    """
    pathways = plan.get("pathways") or []
    if not pathways:
        raise ValueError("Aucun parcours à exporter.")
    if not 0 <= pathway_index < len(pathways):
        raise ValueError(f"Parcours n° {pathway_index + 1} introuvable ({len(pathways)} proposés).")
    pathway = pathways[pathway_index]
    today = today or date.today()
    pdf = _new_sheet(footer_text=f"Itinéraire — fiche parcours du {fr_date(today)}")

    pdf.heading("Mon parcours de formation", 17)
    who = f"Pour {first_name.strip()}, fiche" if first_name and first_name.strip() else "Fiche"
    by = ", ".join(p.strip() for p in (adviser, structure) if p and p.strip())
    pdf.para(f"{who} préparée le {fr_date(today)}" + (f" avec {by}" if by else "") + ".", 10)
    if is_demo(plan):
        pdf.ln(1)
        pdf.para(DEMO_LABEL, 10, bold=True)
    official = _job_title(plan, pathway)
    wish = (wish or (profile or {}).get("wish") or "").strip()
    if wish or official:
        job = f"« {wish} »" if wish else official
        pdf.para(f"Votre projet : {job}" + (f" (nom officiel du métier : {official})" if wish and official
                                            and official.lower() != wish.lower() else ""), 11, bold=True)
    pdf.para(f"Le chemin proposé : {capital(plain(pathway.get('title'))) or 'parcours'}", 10)
    referent = plan.get("referent")
    org = referent.get("organisation") or referent.get("name") if isinstance(referent, dict) else referent
    if org:
        pdf.para(f"Qui vous accompagne : {plain(org)}", 10)
    span = months_text(pathway.get("total_months"))
    start, end = parse_date(pathway.get("start")), parse_date(pathway.get("end"))
    pdf.para(f"Durée : {span}" + (f", du {fr_date(start)} au {fr_date(end)}" if start and end else "") + ".", 10)

    followed = str((profile or {}).get("followed_by") or structure or "")
    for n, step in enumerate(pathway.get("steps") or [], 1):
        with pdf.unbreakable() as block:  # a step is never cut, and its title never left alone at a page foot
            block.ln(2)
            block.para(f"Étape {n} — {capital(plain(step.get('title')) or plain(step_heading(step)))}", 11, bold=True)
            for question, answer in step_facts(step, plan, pathway, today, catalogue):
                block.para(f"{question} : {answer}", 10, indent=4)
            todo = action_lines(step.get("next_actions"), today, skip_with=followed)
            if todo:
                block.para("À faire :", 10, indent=4)
                block.bullets(todo, indent=8)

    timeline = [row for row in pathway.get("income_timeline") or [] if isinstance(row, dict)]
    if timeline:
        try:
            periods = [headline for headline, _ in income_lines(timeline)]
        except ImportError:
            periods = [f"Du {fr_date(r.get('from'))} au {fr_date(r.get('to'))} : {label(r.get('source'))}, "
                       + (f"{euros(r['monthly_eur'])} {label(r.get('gross_or_net'))} par mois".replace("  ", " ")
                          if isinstance(r.get("monthly_eur"), (int, float)) else "montant à confirmer")
                       for r in timeline]
        with pdf.unbreakable() as block:
            block.heading("Vos revenus, période par période, jusqu'à l'emploi (estimation)")
            block.bullets([plain(p) for p in periods], indent=0)

    outcomes = outcome_lines(pathway)
    if outcomes:
        with pdf.unbreakable() as block:
            block.heading(OUTCOMES_HEADING)
            block.bullets([plain(o) for o in outcomes], indent=0)

    todo = action_lines(pathway.get("next_actions"), today, skip_with=followed)
    warnings = [plain(w) for w in labels(pathway.get("warnings"))]
    if todo or warnings:
        with pdf.unbreakable() as block:
            if todo:
                block.heading("Vos prochaines démarches")
                block.bullets(todo, indent=0)
            if warnings:
                block.heading("Points d'attention")
                block.bullets(warnings, indent=0)
    with pdf.unbreakable() as block:
        block.heading("Une question ?")
        block.para(("Contactez " + by + "." if by else "Contactez votre conseiller ou votre conseillère.")
                   + " Les places, les dates et les montants sont confirmés par votre conseiller et l'organisme "
                     "de formation.", 10)
    return bytes(pdf.output())


OUTCOMES_HEADING = "Après la formation : ce que sont devenues les personnes formées"


def outcome_lines(pathway: dict) -> list[str]:
    """The pathway's outcome figures as built by `catalog.outcomes.outcome_dicts` (plan output): real
    InserJeunes rates with their source, cohort and number of leavers, or the offer's own figures with their
    source ("Données de démonstration" in the demo); one line per figure, the training named."""
    out = []
    for o in pathway.get("outcomes") or []:
        if isinstance(o, dict) and o.get("text"):
            out.append(f"{label(o.get('title'))} : {label(o['text'])}" if o.get("title") else label(o["text"]))
    return list(dict.fromkeys(out))


MARKET_HEADING = "Le métier dans votre bassin d'emploi"
CLOSE_JOBS_HEADING = "Métiers proches à étudier"


def market_lines(plan: dict) -> list[str]:
    """The target job's tension and recruitment needs where the person lives (issue 12), each sentence
    carrying its source and year; [] when the plan has no such figures."""
    market = (plan.get("territory") or {}).get("target_market") or {}
    return [label(market[k].get("text")) for k in ("tension", "needs") if isinstance(market.get(k), dict)
            and market[k].get("text")]


def close_job_lines(plan: dict, other_family: bool = False) -> list[str]:
    """One line per close job ("métier proche") of a career changer: why, tension and needs, with sources
    (`other_family`: the list without the jobs of the same family, the adviser's choice for a health reason)."""
    out = []
    for job in close_jobs_of(plan, other_family):
        if not isinstance(job, dict):
            continue
        parts = [f"{label(job.get('label'))} ({label(job.get('rome'))}) — {label(job.get('why'))}"]
        parts += [label(job[k]["text"]) for k in ("tension", "needs") if isinstance(job.get(k), dict)
                  and job[k].get("text")]
        parts.append(f"Lien entre métiers : {MOBILITY_SOURCE_TEXT}")
        out.append(" ; ".join(p for p in parts if p))
    return out


MOBILITY_SOURCE_TEXT = "France Travail, ROME v3.47, fiches mobilité"


def close_jobs_of(plan: dict, other_family: bool = False) -> list[dict]:
    territory = plan.get("territory") or {}
    key = "close_jobs_other_family" if other_family and "close_jobs_other_family" in territory else "close_jobs"
    return [j for j in territory.get(key) or [] if isinstance(j, dict)]


def adviser_annex_pdf(plan: dict, pathway_index: int = 0, today: date | None = None) -> bytes:
    """The adviser's annex of a pathway: the rule behind each step, its source, the eligibility and what
    was not proposed (the person's sheet carries none of this)."""
    pathways = plan.get("pathways") or []
    if not 0 <= pathway_index < len(pathways):
        raise ValueError("Aucun parcours à exporter." if not pathways else
                         f"Parcours n° {pathway_index + 1} introuvable ({len(pathways)} proposés).")
    pathway = pathways[pathway_index]
    today = today or date.today()
    pdf = _new_sheet(footer_text=f"Itinéraire — annexe conseiller du {fr_date(today)}")
    pdf.heading("Annexe conseiller : règles et sources", 16)
    pdf.para(f"Parcours : {label(pathway.get('title'))} — établie le {fr_date(today)}", 10)
    if is_demo(plan):
        pdf.para(DEMO_LABEL, 10, bold=True)
    referent = plan.get("referent")
    if referent:
        pdf.para(f"Organisme référent : {label(referent)}", 10)
    for n, step in enumerate(pathway.get("steps") or [], 1):
        with pdf.unbreakable() as block:
            block.ln(1)
            block.para(f"Étape {n} — {step_heading(step)}", 11, bold=True)
            for why in step.get("why") or []:
                if isinstance(why, dict):
                    block.para(f"{why.get('rule') or ''} : {why.get('text') or ''}", 9, indent=4)
                    if why.get("source"):
                        block.para(f"Source : {source_text(why['source'])}", 8, indent=8)
                elif why:
                    block.para(str(why), 9, indent=4)
            for f in step.get("funding") or []:
                if isinstance(f, dict):
                    block.para("Financement : " + ", ".join(f"{k} : {label(v)}" for k, v in f.items()
                                                           if v not in (None, "", [])), 8, indent=4)
    timeline = [row for row in pathway.get("income_timeline") or [] if isinstance(row, dict)]
    if timeline:
        pdf.heading("Revenus : bases de calcul")
        for row in timeline:
            pdf.para(f"Du {fr_date(row.get('from'))} au {fr_date(row.get('to'))} — {label(row.get('source'))} : "
                     f"{euros(row.get('monthly_eur')) or 'montant inconnu'} {label(row.get('gross_or_net'))}", 9)
            pdf.para(" — ".join(p for p in (label(row.get("basis")), label(row.get("rule")),
                                            source_text(row.get("source_ref")) if row.get("source_ref") else "")
                                if p), 8, indent=4)
    eligibility = plan.get("eligibility") or []
    if eligibility:
        pdf.heading("Éligibilité aux dispositifs")
        for item in eligibility:
            status = {"eligible": "éligible", "derogation": "sur dérogation", "not_eligible": "non éligible"}.get(
                str(item.get("status")), label(item.get("status")))
            reasons = " ; ".join(f"{r.get('rule')} : {r.get('text')}" if isinstance(r, dict) else str(r)
                                 for r in item.get("reasons") or [])
            pdf.para(f"{label(item.get('label') or item.get('scheme'))} — {status}" + (f" ({reasons})" if reasons
                                                                                      else ""), 8)
    outcomes = outcome_lines(pathway)
    if outcomes:
        pdf.heading(OUTCOMES_HEADING)
        pdf.bullets(outcomes, indent=0)
    market, close = market_lines(plan), close_job_lines(plan)
    if market:
        pdf.heading(MARKET_HEADING)
        pdf.bullets(market, indent=0)
    if close:
        pdf.heading(CLOSE_JOBS_HEADING)
        pdf.bullets(close, indent=0)
    not_proposed = plan.get("not_proposed") or []
    if not_proposed:
        pdf.heading("Parcours écartés")
        pdf.bullets([label(x) for x in not_proposed], indent=0)
    rules = plan.get("rules_fired") or []
    if rules:
        pdf.heading("Règles appliquées (livret de règles)")
        pdf.para(", ".join(label(r) for r in rules), 9)
    pdf.ln(2)
    pdf.para("[I] : pratique courante déduite des sources, à confirmer ; les identifiants R-… renvoient au livret "
             "de règles d'Itinéraire.", 8)
    return bytes(pdf.output())


def source_text(source: Any) -> str:
    """A rule source for a reader: the reference and its address, without the rule book's internal tags."""
    text = label(source)
    text = re.sub(r"\bS:[A-Z]+\d*\b\s*;?\s*", "", text).strip(" ;")
    return text.replace("[I]", "(pratique courante, à confirmer)").lstrip("—- ").strip() or "non précisée"


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
        with pdf.unbreakable() as block:
            block.ln(1)
            block.para(label(card.get("title")), 11, bold=True)
            if card.get("relation"):
                block.para(label(card["relation"]), 9, indent=4)
            block.para(f"{step_kind_label(card.get('kind'))} — {label(card.get('provider'))}", 9, indent=4)
            place = step_place(card)
            if card.get("address"):
                place = f"{card['address']}, {place}" if place else label(card["address"])
            block.para(f"Du {fr_date(card.get('start'))} au {fr_date(card.get('end'))}"
                       + (f" — {place}" if place else ""), 9, indent=4)
            if card.get("full"):
                block.para("Session complète", 9, indent=4)
            elif card.get("places_left") is not None:
                block.para(f"Places restantes : {card['places_left']}", 9, indent=4)
            for key, prefix in (("funding", "Financement"), ("contact", "Contact"), ("referent", "Référent handicap"),
                                ("accessibility", "Accessibilité"), ("leads_to", "Débouché")):
                if card.get(key):
                    block.para(f"{prefix} : {label(card[key])}", 9, indent=4)
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
