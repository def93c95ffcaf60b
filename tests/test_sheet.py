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
                     "17/12/2027", "Tulle (58 km)", "R-SOCLE", "Demander la dérogation", "685",
                     "Données de démonstration", "France Travail"):
        assert expected in text, expected
    assert text.index("Socle ECLA") < text.index("TP Assistant de vie")


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
