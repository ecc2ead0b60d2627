"""Dictation → structured note: sections, entities with negation, events, privacy, outputs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from evaluation.gold import read_gold
from evaluation.structuring import score_structuring
from structuring.export import to_fhir, to_text
from structuring.pipeline import structure
from structuring.privacy import MASK, is_national_id, mask_national_ids

OWN_GOLD = Path(__file__).parent / "fixtures" / "structuring" / "own.jsonl"
SHARED_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "structuring" / "dev.jsonl"
# A valid fødselsnummer made up for the tests (check digits computed, no real person).
VALID_FNR = "27053941791"


def sections_of(spoken: str, **kwargs) -> list[str]:
    return [s.section for s in structure(spoken, **kwargs).sentences]


def entity_set(spoken: str) -> set[tuple]:
    return {(e.type, e.value, e.dose, e.negated) for e in structure(spoken).entities}


# --- sections ------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, section", [
    ("blodtrykk hundre og tjue over åtti og puls seksti punktum", "respirasjon_sirkulasjon"),
    ("hun spiste halve middagen og drakk to glass saft punktum", "ernaering_vaeske"),
    ("ga Paracet ett gram klokka åtte punktum", "legemidler"),
    ("trykksåret på hælen er mindre og rent punktum", "hud_vev_saar"),
    ("han gikk med rullator til stua punktum", "aktivitet_funksjon"),
    ("han har ikke hatt avføring på tre dager punktum", "eliminasjon"),
    ("hun var forvirret og urolig i ettermiddag punktum", "kunnskap_psykisk"),
    ("datteren kom på besøk punktum", "sosialt_miljo"),
    ("presten kom og de sang en salme sammen punktum", "andelig_kulturelt"),
    ("hun hører dårlig uten høreapparatet punktum", "kommunikasjon_sanser"),
    ("fallsensoren varslet klokka to i natt punktum", "velferdsteknologi"),
    ("hun sov godt hele natten punktum", "smerte_sovn_velvaere"),
])
def test_sentences_are_filed_by_topic(spoken, section):
    assert sections_of(spoken) == [section]


def test_unclear_text_goes_to_annet_and_is_never_dropped():
    # Forty-second pass: the classifier trained on five more writers reads "vi snakket om
    # været" as a talk with the resident (kunnskap_psykisk, 0.40); the weather alone is
    # still no evidence.
    note = structure("det regnet hele dagen punktum")
    assert [(s.text, s.section) for s in note.sentences] == [("Det regnet hele dagen.", "annet")]


def test_sentence_without_keywords_continues_the_topic_of_its_paragraph():
    # Fourteenth pass: "fornøyd med det" was the third sentence; the classifier trained on
    # 25 more writers files "fornøyd" under sosialt_miljo (0.60), so it is no longer a
    # sentence without evidence.
    assert sections_of("såret på leggen var rent punktum la på ny bandasje punktum "
                       "skal sjekkes igjen på fredag punktum") == ["hud_vev_saar"] * 3


def test_heading_overrides_keywords():
    assert sections_of("overskrift eliminasjon hun fikk Movicol en pose punktum") == \
        ["eliminasjon"]


def test_isbar_template_for_handover():
    note = structure("pasienten på rom fire punktum hun falt i natt punktum hun har kjent "
                     "hjertesvikt punktum blodtrykk hundre og ti over seksti punktum "
                     "legen bør se til henne i morgen punktum", template="isbar")
    assert [s.section for s in note.sentences] == [
        "identifikasjon", "situasjon", "bakgrunn", "aktuell_status", "rad"]
    assert "Identifikasjon:" in to_text(note)


def test_unknown_template_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown section template"):
        structure("hun sov", template="soap")


# --- entities --------------------------------------------------------------------------------

def test_vitals_are_normalised():
    found = entity_set("blodtrykk hundre og førti over nitti komma puls åttifire komma "
                       "temperatur trettiåtte komma to komma metning nittifire prosent komma "
                       "respirasjonsfrekvens atten punktum blodsukker ni komma en punktum "
                       "vekt sytti komma fem kilo punktum smerte fire av ti punktum")
    assert found >= {
        ("vital.blood_pressure", "140/90", None, None), ("vital.pulse", "84", None, None),
        ("vital.temperature", "38.2", None, None), ("vital.spo2", "94", None, None),
        ("vital.respiratory_rate", "18", None, None),
        ("vital.blood_glucose", "9.1", None, None), ("vital.weight", "70.5", None, None),
        ("pain_score", "4", None, None)}


def test_brand_names_become_generic_with_dose_and_route():
    note = structure("satt NovoRapid seks enheter subkutant punktum ga Furix førti "
                     "milligram og Albyl-E sytti fem milligram punktum")
    meds = [(e.value, e.dose, e.route, e.brand) for e in note.entities if e.type == "medication"]
    assert meds == [("insulin aspart", "6 IE", "sc", "NovoRapid"),
                    ("furosemid", "40 mg", None, "Furix"),
                    ("acetylsalisylsyre", "75 mg", None, "Albyl-E")]


def test_dose_before_the_drug_name_and_decimal_doses():
    found = entity_set("fikk to tabletter Paracet punktum Imovane tre komma sju fem "
                       "milligram ved behov punktum")
    assert ("medication", "paracetamol", "2 tabletter", None) in found
    assert ("medication", "zopiklon", "3.75 mg", None) in found


@pytest.mark.parametrize("spoken, finding, negated", [
    ("hun har ingen tegn til infeksjon punktum", "tegn til infeksjon", True),
    ("ho er ikkje tungpusta punktum", "tungpusta", True),
    ("han benekter brystsmerter punktum", "brystsmerter", True),
    ("det er itj rødme rundt såret punktum", "rødme rundt såret", True),
    ("hun er uten smerter i dag punktum", "smerter", True),
    ("hun hoster og har feber punktum", "hoster", False),
    ("han har vondt i venstre hofte punktum", "vondt i venstre hofte", False),
    ("hun hoster litt men har ikke feber punktum", "feber", True),
])
def test_findings_with_negation(spoken, finding, negated):
    findings = {(e.value, e.negated) for e in structure(spoken).entities if e.type == "finding"}
    assert (finding, negated) in findings


def test_negation_does_not_cross_men():
    findings = {(e.value, e.negated) for e in
                structure("ingen feber men hun hoster punktum").entities if e.type == "finding"}
    assert findings == {("feber", True), ("hoster", False)}


def test_times_are_entities():
    assert ("time", "08:30", None, None) in entity_set("besøk klokka halv ni punktum")


# --- welfare technology ----------------------------------------------------------------------

@pytest.mark.parametrize("spoken, technology, event, code", [
    ("medisindispenseren varslet at dosen ikke var tatt ut klokka ni punktum",
     "medisindispenser", "dose_ikke_tatt", "1.1"),
    ("medisindispenseren ga feilmelding klokka ni punktum", "medisindispenser",
     "teknisk_alarm", "1.5"),
    ("trygghetsalarmen ble utløst klokka ni punktum", "trygghetsalarm", "alarm_utlost", "3"),
    ("fallsensoren varslet klokka ni punktum", "fallsensor", "fall_registrert", "4.1"),
    ("GPS-klokka varslet at hun var utenfor sonen klokka ni punktum",
     "lokaliseringsteknologi", "utenfor_sone", "2"),
    ("dørsensoren varslet klokka ni punktum", "dorsensor", "dor_apnet", "4.15"),
    ("sengesensoren varslet klokka ni punktum", "sengesensor", "ute_av_seng", "4.2"),
    ("komfyrvakten slo av komfyren klokka ni punktum", "komfyrvakt", "komfyr_avslatt", "4"),
    ("digitalt tilsyn klokka ni punktum", "digitalt_tilsyn", "tilsyn_utfort", "4.26"),
    ("e-låsen ga alarm klokka ni punktum", "e_laas", "teknisk_alarm", "6"),
])
def test_each_technology_becomes_its_own_event(spoken, technology, event, code):
    events = structure(spoken).events
    assert [(e.technology, e.event, e.vkp_code) for e in events] == [(technology, event, code)]
    assert events[0].time is not None


def test_event_time_response_and_false_alarm():
    note = structure("trygghetsalarmen gikk klokka kvart over to i natt punktum jeg ringte "
                     "henne og hun hadde kommet borti knappen punktum det var falsk alarm "
                     "punktum")
    (event,) = note.events
    assert (event.time, event.response, event.false_alarm) == \
        ("02:15", ("ringte_bruker",), True)
    assert {s.section for s in note.sentences} == {"velferdsteknologi"}


def test_two_technologies_two_events():
    note = structure("fallsensoren varslet klokka ett i natt punktum hun lå på gulvet punktum "
                     "ny linje dørsensoren varslet klokka fire punktum han ble fulgt tilbake "
                     "punktum")
    assert [(e.technology, e.time) for e in note.events] == [("fallsensor", "01:00"),
                                                             ("dorsensor", "04:00")]
    assert note.events[1].response == ("veiledet_bruker",)


# --- privacy ---------------------------------------------------------------------------------

def test_check_digits():
    assert is_national_id(VALID_FNR)
    assert not is_national_id("27053941708")  # wrong check digits
    assert is_national_id("67053941785")  # D-number (day + 40) with its own check digits
    assert not is_national_id("67053941751")  # D-number shape, but wrong check digits
    assert not is_national_id("67053941785"[:10])  # ten digits


def test_valid_id_is_masked_in_every_output_even_without_a_cue():
    spoken = f"brukeren med nummer {' '.join(VALID_FNR[:6])} {VALID_FNR[6:]} ringte punktum"
    note = structure(spoken)
    outputs = [json.dumps(note.to_dict(), ensure_ascii=False), to_text(note),
               json.dumps(to_fhir(note), ensure_ascii=False)]
    for output in outputs:
        assert VALID_FNR not in output.replace(" ", "")
    assert MASK in note.sentences[0].text


def test_spoken_id_after_a_cue_is_masked_whatever_its_check_digits():
    note = structure("fødselsnummer to sju null fem tre ni fire en sju null åtte punktum")
    assert note.sentences[0].text == f"Fødselsnummer {MASK}."


def test_ordinary_numbers_are_not_masked():
    assert mask_national_ids("telefon 12345678901 og 2000 ml") == "telefon 12345678901 og 2000 ml"


# --- outputs ---------------------------------------------------------------------------------

DICTATION = ("morgenbesøk klokka halv ni punktum blodtrykk hundre og tretti over åtti komma "
             "puls sytti punktum ga Paracet ett gram punktum ny linje medisindispenseren "
             "varslet klokka ti at dosen ikke var tatt punktum jeg ringte henne punktum")


def test_json_output_matches_the_published_schema():
    schema_text = resources.files("structuring").joinpath(
        "data/structured_note.schema.json").read_text("utf-8")
    note = structure(DICTATION)
    jsonschema.validate(note.to_dict(), json.loads(schema_text))


def test_text_output_groups_by_section_heading():
    text = to_text(structure(DICTATION))
    assert "Respirasjon/sirkulasjon:\nBlodtrykk 130/80, puls 70." in text
    assert "Legemidler:\nGa Paracet 1 g." in text
    assert "Velferdsteknologi – hendelse: medisindispenser; dose ikke tatt; kl. 10.00" in text


def test_fhir_bundle_is_valid_r4_with_loinc_and_ucum():
    bundle = to_fhir(structure(DICTATION), patient_reference="Patient/123",
                     now=datetime(2026, 11, 23, 8, 30, tzinfo=UTC))
    from fhir.resources.R4B.bundle import Bundle

    parsed = Bundle.model_validate(bundle)
    kinds = [e.resource.__resource_type__ for e in parsed.entry]
    assert kinds[0] == "Composition"
    assert {"Observation", "MedicationAdministration", "Communication"} <= set(kinds)
    observations = [e["resource"] for e in bundle["entry"]
                    if e["resource"]["resourceType"] == "Observation"]
    codes = {o["code"]["coding"][0]["code"] for o in observations}
    assert codes == {"85354-9", "8867-4"}
    pulse = next(o for o in observations if o["code"]["coding"][0]["code"] == "8867-4")
    assert pulse["valueQuantity"] == {"value": 70.0, "unit": "/min",
                                      "system": "http://unitsofmeasure.org", "code": "/min"}
    composition = bundle["entry"][0]["resource"]
    assert {s["code"]["coding"][0]["code"] for s in composition["section"]} >= {
        "respirasjon_sirkulasjon", "legemidler", "velferdsteknologi"}


def test_fhir_export_of_a_stored_note_has_stable_ids_and_approval():
    note = structure(DICTATION)
    recorded = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    stored = {"dictation_id": "d-42", "version": 2, "recorded_at": recorded}
    draft = to_fhir(note, **stored)
    assert draft == to_fhir(note, **stored)  # same version, same document, same ids
    composition = draft["entry"][0]["resource"]
    assert composition["status"] == "preliminary" and "attester" not in composition
    assert composition["date"] == draft["timestamp"] == "2026-11-23T08:30:00+00:00"
    observations = [e["resource"] for e in draft["entry"][1:]
                    if e["resource"]["resourceType"] == "Observation"]
    assert {o["effectiveDateTime"] for o in observations} == {"2026-11-23T08:30:00+00:00"}
    assert {o["status"] for o in observations} == {"preliminary"}
    approved_at = datetime(2026, 11, 23, 9, 0)  # no zone, as SQLite returns it: UTC
    final = to_fhir(note, **{**stored, "version": 3}, approved_at=approved_at,
                    approver="Kari Nordmann", approver_id="9144900")
    composition = final["entry"][0]["resource"]
    assert composition["status"] == "final"
    assert composition["attester"] == [{"mode": "legal", "time": "2026-11-23T09:00:00+00:00",
                                        "party": composition["author"][0]}]
    assert composition["author"][0]["identifier"]["value"] == "9144900"
    assert final["timestamp"] == "2026-11-23T09:00:00+00:00"
    assert {e["resource"]["status"] for e in final["entry"][1:]
            if e["resource"]["resourceType"] == "Observation"} == {"final"}
    ids = lambda b: {b["id"], *(e["resource"]["id"] for e in b["entry"])}
    assert not ids(draft) & ids(final)  # another version, other ids
    assert len(ids(draft)) == len(draft["entry"]) + 1
    unstored = to_fhir(note)
    assert unstored["id"] != to_fhir(note)["id"]  # not stored: no identity to derive from


# --- evaluation ------------------------------------------------------------------------------

def test_scoring_by_hand():
    gold = [{"id": "x", "spoken": "", "sentences": [
        {"text": "Puls 70.", "section": "respirasjon_sirkulasjon"},
        {"text": "Ga Paracet 1 g.", "section": "legemidler"}],
        "entities": [{"type": "vital.pulse", "value": "70"},
                     {"type": "medication", "value": "paracetamol", "dose": "1 g"}],
        "events": []}]
    note = structure("puls sytti punktum ga Paracet ett gram punktum")
    scores = score_structuring(gold, [note])
    assert scores.section_accuracy == 1.0
    assert scores.formatting_cer == 0.0
    assert scores.entity.f1 == 1.0 and scores.event.f1 == 1.0


@pytest.mark.parametrize("gold", [OWN_GOLD, OWN_GOLD.with_name("heldout.jsonl")],
                         ids=lambda p: p.name)
def test_own_gold_dictations_meet_the_targets(gold):
    rows = read_gold(gold)
    scores = score_structuring(rows, [structure(r["spoken"]) for r in rows])
    assert scores.section_accuracy >= 0.90
    assert scores.formatting_cer <= 0.05
    assert scores.entity.f1 >= 0.90
    assert scores.event.f1 >= 0.90


@pytest.mark.skipif(not SHARED_DEV.is_file(), reason="../shared/data/structuring/dev.jsonl absent")
def test_shared_dev_set_does_not_regress():
    # The targets; measured figures are in docs/benchmarks.md.
    rows = read_gold(SHARED_DEV)
    scores = score_structuring(rows, [structure(r["spoken"]) for r in rows])
    assert scores.formatting_cer <= 0.05
    assert scores.section_accuracy >= 0.90
    assert scores.entity.f1 >= 0.90
    assert scores.event.f1 >= 0.90


@pytest.mark.parametrize("spoken, expected", [
    ("Blodtrykk liggende 148/80, stående 120/68.",
     {("vital.blood_pressure", "148/80"), ("vital.blood_pressure", "120/68")}),
    ("blodtrykk sittende hundre og førti over åtti og stående hundre og ti over sytti punktum",
     {("vital.blood_pressure", "140/80"), ("vital.blood_pressure", "110/70")}),
    ("Han sier at ryggsmertene er 3 av 10 i kveld.", {("pain_score", "3")}),
    ("smerte sju av ti før og tre av ti en time etter punktum",
     {("pain_score", "7"), ("pain_score", "3")}),
    ("Hun har gått ned fra 58 til 56,5 kg på en måned.",
     {("vital.weight", "58"), ("vital.weight", "56.5")}),
    ("Hun fikk 2 av 10 tabletter i brettet.", set()),
    # scores said without "av 10": bare, as the start of a change, a second one joined on
    ("Kl. 04.00 sa ho smerte 3 og sovna etter det.", {("pain_score", "3")}),
    ("Smerten gikk fra 6 til 2 av 10.", {("pain_score", "6"), ("pain_score", "2")}),
    ("Ho sier smerte 3 av 10 i ro og 6 når ho går.", {("pain_score", "3"), ("pain_score", "6")}),
    ("MOBID-2 skår 5 av 10.", {("pain_score", "5")}),
    ("Smerte 3 av 10 og 2 tabletter Paracet.", {("pain_score", "3")}),
    ("Hun har hatt smerter i 2 dager.", set()),
])
def test_values_said_a_second_time_or_apart_from_their_word(spoken, expected):
    assert {(e.type, e.value) for e in structure(spoken).entities
            if e.type.startswith(("vital", "pain"))} == expected
