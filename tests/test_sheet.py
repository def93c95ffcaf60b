"""Exports of a plan (assistant.sheet): PDF fiche parcours, CSV, iCalendar."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from assistant import sheet


def make_plan(demo: bool = True) -> dict:
    """A plan dict shaped like assistant.plan()'s JSON contract (two pathways)."""
    socle = {"kind": "HSP_SOCLE", "title": "Socle ECLA — lire, écrire, compter", "offer_id": "O1", "session_id": "S1",
             "start": "2027-01-11", "end": "2027-03-26", "commune": "Ussel", "distance_km": 0.0,
             "hours_per_week": 20, "why": [{"rule": "R-SOCLE", "text": "Lacunes en lecture et écriture [S:R2]"}],
             "add_ons": ["NUMERIQUE"], "support": ["Rémunération RPS"],
             "next_actions": ["Demander la prescription à France Travail"]}
    nq = {"kind": "HSP_1NQ", "title": "=TP Assistant de vie aux familles", "offer_id": "O2", "session_id": "S2",
          "start": "2027-04-12", "end": "2027-12-17", "commune": "Tulle", "distance_km": 58.4, "hours_per_week": 35,
          "why": [{"rule": "R-1NQ", "text": "Niveau validé infra 3"}], "add_ons": [], "support": [],
          "next_actions": [{"action": "Demander la dérogation", "deadline": "4 à 3 semaines avant l'entrée"}]}
    return {
        "referent": {"name": "France Travail", "reason": "RSA"},
        "pathways": [
            {"title": "Socle puis ADVF", "score": 0.9, "total_months": 11, "steps": [socle, nq],
             "income": {"monthly_eur": 685.0, "basis": "RPS, R-INCOME"}, "warnings": ["Trajet de 58 km"]},
            {"title": "ADVF direct", "score": 0.5, "total_months": 8, "steps": [nq], "income": {}, "warnings": []},
        ],
        "rules_fired": ["R-SOCLE", "R-1NQ"],
        "demo_data": demo,
    }


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_contains_steps_dates_actions_and_demo_label():
    data = sheet.pathway_pdf(make_plan(), 0, first_name="Nadia", today=date(2026, 11, 26))
    assert data.startswith(b"%PDF")
    text = " ".join(pdf_text(data).split())
    for expected in ("Nadia", "26/11/2026", "Socle ECLA", "TP Assistant de vie aux familles", "11/01/2027",
                     "17/12/2027", "Tulle (58 km)", "Demander la dérogation", "685",
                     "Données de démonstration", "France Travail"):
        assert expected in text, expected
    assert text.index("Socle ECLA") < text.index("TP Assistant de vie")
    assert "R-SOCLE" not in text and "[S:" not in text, "rule codes are for the adviser's annex"
    annex = " ".join(pdf_text(sheet.adviser_annex_pdf(make_plan(), 0)).split())
    assert "R-SOCLE : Lacunes en lecture et écriture" in annex and "R-1NQ" in annex


def test_pdf_without_demo_or_name_and_second_pathway():
    text = pdf_text(sheet.pathway_pdf(make_plan(demo=False), 1))
    assert "démonstration" not in text
    assert "ADVF direct" in text and "Pour " not in text


def test_pdf_rejects_missing_pathway_with_french_message():
    with pytest.raises(ValueError, match="introuvable"):
        sheet.pathway_pdf(make_plan(), 5)
    with pytest.raises(ValueError, match="Aucun parcours"):
        sheet.pathway_pdf({"pathways": []})


def test_pdf_survives_unusual_characters_and_missing_fields():
    plan = {"pathways": [{"title": "Œuvre — « test » → €", "steps": [{"title": "<img src=x onerror=alert(1)>"}]}]}
    text = pdf_text(sheet.pathway_pdf(plan))
    assert "img src=x" in text and "date à confirmer" in text


def test_csv_rows_and_formula_neutralised():
    raw = sheet.pathway_csv(make_plan())
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert [r["etape"] for r in rows] == ["1", "2", "1"]
    assert rows[0]["debut"] == "2027-01-11" and rows[1]["lieu"] == "Tulle" and rows[1]["distance_km"] == "58.4"
    assert rows[1]["intitule"] == "'=TP Assistant de vie aux familles"
    one = list(csv.DictReader(io.StringIO(sheet.pathway_csv(make_plan(), 1).decode("utf-8-sig")), delimiter=";"))
    assert len(one) == 1 and one[0]["parcours"] == "ADVF direct"


def test_ics_events_are_all_day_with_exclusive_end_and_stable_uids():
    now = datetime(2026, 11, 26, tzinfo=timezone.utc)
    data = sheet.pathway_ics(make_plan(), 0, now=now)
    events = Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == 2
    assert events[0].decoded("dtstart") == date(2027, 1, 11)
    assert events[0].decoded("dtend") == date(2027, 3, 27)
    assert "Tulle" in str(events[1]["location"]) and "dérogation" in str(events[1]["description"])
    assert data == sheet.pathway_ics(make_plan(), 0, now=now)


def test_offers_summary_pdf():
    cards = [{"title": "TP ADVF", "kind": "QUALIFIANT", "provider": "GRETA", "commune": "Brive", "distance_km": 3,
              "start": "2027-02-01", "end": "2027-07-01", "places_left": 4, "accessibility": "locaux accessibles"}]
    text = pdf_text(sheet.offers_summary_pdf("aide à domicile", "Brive", cards, demo=True))
    assert "TP ADVF" in text and "Places restantes : 4" in text and "démonstration" in text


def test_pdf_without_unicode_font_folds_to_latin1(monkeypatch):
    monkeypatch.setattr(sheet, "_FONT_CANDIDATES", [])
    plan = {"pathways": [{"title": "Œuvre — « test » → 685 €", "steps": [{"title": "Étape accentuée"}]}]}
    text = pdf_text(sheet.pathway_pdf(plan))
    assert "OEuvre" in text and "685 EUR" in text and "Étape accentuée" in text


def test_label_formats_contacts_and_dicts():
    from catalog.model import Contact

    assert sheet.label(Contact(name="Anne Roy", role="Référent handicap", phone="05 00 00 00 00")) == \
        "Anne Roy (Référent handicap) — 05 00 00 00 00"
    assert sheet.label({"organisation": "Cap Emploi", "why": "RQTH"}) == "Cap Emploi (RQTH)"
    assert sheet.labels(None) == [] and sheet.labels(["a", None, ""]) == ["a"]


def test_next_action_dates_read_in_french():
    assert sheet.label({"action": "Prendre rendez-vous", "deadline": "2026-12-03"}) == \
        "Prendre rendez-vous (avant le 03/12/2026)"
    assert sheet.label({"action": "Réunion d'information", "when": "2027-01-02"}) == "Réunion d'information (le 02/01/2027)"
    assert sheet.step_place({"title": "Diagnostic"}) == ""
    assert sheet.step_place({"offer_id": "O1"}) == "lieu à confirmer"


def test_step_heading_and_dates_are_not_repeated():
    assert sheet.step_heading({"kind_label": "Emploi", "title": "Emploi : aide à domicile"}) == "Emploi : aide à domicile"
    assert sheet.step_heading({"kind": "HSP_SOCLE", "title": "Atelier"}) == "HSP Socle de compétences : Atelier"
    assert sheet.label({"action": "Réunion le 02/01/2027", "when": "2027-01-02"}) == "Réunion le 02/01/2027"


def test_distance_flags_a_commune_whose_position_is_doubtful():
    from catalog.referentials import communes

    noted = next(c for c in communes().values() if c.coord_note == "douteux")
    sure = communes()["19275"]  # Ussel
    assert not sure.coord_note
    assert sheet.step_place({"commune": noted.name, "commune_insee": noted.insee, "distance_km": 12.4}) == \
        f"{noted.name} (12 km, position à vérifier)"
    assert sheet.step_place({"commune": sure.name, "commune_insee": sure.insee, "distance_km": 0.0}) == "Ussel (0 km)"
    assert sheet.step_place({"commune": "Tulle", "distance_km": 58.4}) == "Tulle (58 km)"  # no INSEE code: as before
    cards = [{"title": "Cuisine", "commune": noted.name, "commune_insee": noted.insee, "distance_km": 7.0,
              "start": "2027-01-11", "end": "2027-06-30"}]
    assert "position à vérifier" in pdf_text(sheet.offers_summary_pdf("cuisinier", "Ussel", cards, demo=False))


def person_plan() -> dict:
    """A plan with a catalogue session (address, contact), a France Travail meeting and a half-hour rhythm."""
    step0 = {"kind": "DIAGNOSTIC", "kind_label": "Diagnostic avec le référent", "title": "Diagnostic avec France Travail",
             "start": "2026-12-01", "end": "2026-12-08", "why": [{"rule": "R-DIAG", "text": "Premier rendez-vous"}],
             "next_actions": [{"action": "Prendre rendez-vous avec France Travail", "deadline": "2026-12-01"}]}
    step1 = {"kind": "QUALIFIANT", "title": "Titre professionnel aide-soignant", "offer_id": "O9", "session_id": "S9",
             "start": "2027-01-11", "end": "2027-12-17", "commune": "Tulle", "distance_km": 12.0,
             "hours_per_week": 17.5, "why": [{"rule": "R-MQ", "text": "ouvert de 16 à 25 ans [S:R2]"}],
             "next_actions": [{"action": "S'inscrire à la réunion d'information", "deadline": "2026-12-11"}]}
    return {"referent": {"organisation": "France Travail"}, "jobs": [{"rome": "J1501", "label": "Soins d'hygiène, "
            "de confort du patient"}], "pathways": [{"title": "Formation qualifiante (R-MQ)", "rome": "J1501",
            "total_months": 15.7, "start": "2026-12-01", "end": "2027-12-17", "steps": [step0, step1],
            "income_timeline": [{"from": "2027-01-11", "to": "2027-12-17", "source": "rémunération de la Région",
                                 "monthly_eur": 1823.0, "gross_or_net": "brut"}]}]}


def catalogue_with_o9():
    from types import SimpleNamespace

    from catalog.model import Contact, Offer, OfferKind, Provider, Session

    offer = Offer(id="O9", kind=OfferKind.QUALIFIANT, title="TP aide-soignant", provider=Provider(name="IFAS Tulle"),
                  contact=Contact(name="Mme Roy", phone="05 55 00 00 01", email="accueil@ifas.example"),
                  sessions=[Session(id="S9", offer_id="O9", address="3 rue des Lilas", commune_name="Tulle")])
    return SimpleNamespace(offers={"O9": offer})


def test_person_sheet_answers_what_where_when_who_and_money_in_plain_french():
    data = sheet.pathway_pdf(person_plan(), 0, today=date(2026, 11, 27), adviser="Julie Martin",
                             structure="France Travail Tulle", catalogue=catalogue_with_o9(), wish="aide-soignante",
                             profile={"followed_by": "France Travail"})
    text = " ".join(pdf_text(data).split())
    for expected in ("« aide-soignante » (nom officiel du métier : Soins d'hygiène, de confort du patient)",
                     "Julie Martin, France Travail Tulle", "Où : IFAS Tulle, 3 rue des Lilas, Tulle (12 km)",
                     "Quand : du 11/01/2027 au 17/12/2027", "17,5 heures par semaine",
                     "Qui contacter : Mme Roy, tél. 05 55 00 00 01, courriel accueil@ifas.example",
                     "payée par la Région", "1 823 € brut par mois", "environ 16 mois",
                     "(au plus tard le 11/12/2026, dans 10 jours ouvrés)"):
        assert expected.replace("\u202f", " ") in text.replace("\u202f", " "), (expected, text)
    for absent in ("R-", "[S:", "15.7", "17.5", "35.0", "16 à 25 ans", "Prendre rendez-vous avec France Travail"):
        assert absent not in text, (absent, text)


def test_working_days_skip_weekends_and_public_holidays():
    assert sheet.working_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 1  # 25 Dec, weekend
    assert sheet.working_days_between(date(2027, 3, 26), date(2027, 3, 30)) == 1  # Easter Monday 29/03/2027
    assert sheet.deadline_text("2026-11-20", date(2026, 11, 27)) == "dès que possible"
    # a Sunday deadline (06/12/2026) is given as the Friday before, never as a day the offices are closed
    assert sheet.deadline_text("2026-12-06", date(2026, 11, 27)) == "(au plus tard le 04/12/2026, dans 5 jours ouvrés)"


def test_french_numbers_and_durations():
    assert sheet.fr_number(15.7) == "15,7" and sheet.fr_number(35.0) == "35"
    assert sheet.fr_number(1823, 0).replace("\u202f", " ") == "1 823"
    assert sheet.months_text(15.7) == "environ 16 mois" and sheet.months_text(0.5) == "quelques semaines"
    assert sheet.months_text(24.3) == "environ 2 ans" and sheet.months_text(None) == "durée à confirmer"
    assert sheet.plain("Ouvert (règle R-ALT, R-RQTH) [I] avec PMSMP") == \
        "Ouvert avec stage de découverte en entreprise (PMSMP)"


def test_a_step_title_is_never_left_alone_at_the_foot_of_a_page():
    steps = [{"kind": "QUALIFIANT", "title": f"Formation numéro {n}", "start": "2027-01-11", "end": "2027-03-01",
              "next_actions": [f"Démarche {n}.{k} à faire avec l'organisme de formation" for k in range(6)]}
             for n in range(1, 9)]
    reader = PdfReader(io.BytesIO(sheet.pathway_pdf({"pathways": [{"title": "Long", "steps": steps}]})))
    assert len(reader.pages) > 1
    for page in reader.pages[:-1]:
        lines = [line for line in page.extract_text().splitlines() if line.strip()]
        body = [line for line in lines if "fiche parcours du" not in line]
        assert not body[-1].startswith("Étape"), body[-3:]
    for page in reader.pages[1:]:  # each page starts with a whole step, never the end of one
        assert page.extract_text().lstrip().startswith(("Étape", "Vos prochaines", "Points", "Une question")), \
            page.extract_text()[:80]


def test_search_summary_pdf_carries_contacts_addresses_and_full_sessions():
    cards = [{"title": "TP Cariste", "kind": "QUALIFIANT", "provider": "AFPA", "commune": "Brive", "distance_km": 44.2,
              "address": "1 rue du Port", "start": "2027-02-01", "end": "2027-05-01", "places_left": 0, "full": True,
              "contact": "Mme Roy — 05 55 00 00 01 — accueil@afpa.example", "relation": "Métier proche de votre "
              "souhait : Magasinier"}]
    text = " ".join(pdf_text(sheet.offers_summary_pdf("cariste", "Ussel", cards, demo=False)).split())
    for expected in ("1 rue du Port, Brive (44 km)", "Session complète", "Contact : Mme Roy — 05 55 00 00 01",
                     "Métier proche de votre souhait : Magasinier"):
        assert expected in text, (expected, text)


def test_error_pdf_says_what_failed_in_french():
    assert "La fiche n'a pas pu être produite" in pdf_text(sheet.error_pdf("La fiche n'a pas pu être produite."))
