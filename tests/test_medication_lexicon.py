"""The drug lexicon (structuring/data/medications.json) and dose reading: brand or generic said,
the substance filed; a number is a dose only with a unit after it."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from structuring.entities import find_medications
from structuring.pipeline import structure
from tests.note_helpers import medications


def _raw_lexicon() -> str:
    return resources.files("structuring").joinpath("data/medications.json").read_text("utf-8")


def meds(spoken: str) -> list[tuple]:
    return [(e.value, e.dose) for e in structure(spoken).entities if e.type == "medication"]


# --- the lexicon file ----------------------------------------------------------------------

def _duplicate_keys(text: str) -> set[str]:
    duplicates: set[str] = set()

    def keep(pairs):
        keys = [k for k, _ in pairs]
        duplicates.update(k for k in keys if keys.count(k) > 1)
        return dict(pairs)

    json.loads(text, object_pairs_hook=keep)
    return duplicates


def test_no_name_is_listed_twice_and_so_none_maps_to_two_substances():
    # json.loads alone keeps the last of two equal keys: read the pairs as written.
    assert _duplicate_keys('{"names": {"furix": "furosemid", "furix": "bumetanid"}}') == {"furix"}
    assert _duplicate_keys(_raw_lexicon()) == set()


def test_names_and_substances_are_lower_case_and_tidy():
    names = json.loads(_raw_lexicon())["names"]
    assert len(names) > 400
    for name, substance in names.items():
        assert name == name.lower() == name.strip() and "  " not in name, name
        assert substance == substance.lower() == substance.strip() and substance, name


def test_every_single_substance_can_itself_be_said():
    """A generic the note files ("apiksaban") is also a name the nurse may say."""
    names = json.loads(_raw_lexicon())["names"]
    singles = {s for s in names.values() if "/" not in s}
    assert {s for s in singles if names.get(s) != s} == set()


# --- brand → generic -----------------------------------------------------------------------

@pytest.mark.parametrize("spoken, substance, dose", [
    ("ga Forxiga ti milligram til frokost punktum", "dapagliflozin", "10 mg"),
    ("hun tok Plavix sytti fem milligram i dag punktum", "klopidogrel", "75 mg"),
    ("satt Levemir fjorten enheter subkutant klokka ni punktum", "insulin detemir", "14 IE"),
    ("Xarelto femten milligram ble gitt med kveldsmaten punktum", "rivaroksaban", "15 mg"),
    ("han fekk Weifapenin ett gram klokka åtte punktum", "fenoksymetylpenicillin", "1 g"),
    ("ga Zoloft femti milligram punktum", "sertralin", "50 mg"),
    ("fikk Ebixa ti milligram og sov godt etterpå punktum", "memantin", "10 mg"),
    ("ho fekk Diclocil fem hundre milligram punktum", "dikloksacillin", "500 mg"),
    ("ga Nitromex under tunga punktum", "glyseroltrinitrat", None),
    ("Fikk Trajenta 5 mg i morges.", "linagliptin", "5 mg"),
])
def test_brand_or_generic_said_is_filed_as_the_substance(spoken, substance, dose):
    assert meds(spoken) == [(substance, dose)]


def test_a_combination_is_filed_with_all_its_substances():
    # joined by "/", as every independent writer's gold files a combination (7 of 7)
    assert meds("han tok to drag Symbicort og Janumet en tablett punktum") == [
        ("budesonid/formoterol", "2 drag"), ("sitagliptin/metformin", "1 tablett")]


# --- dose forms ----------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, substance, dose", [
    ("dryppa Monoprost én dråpe i hvert øye punktum", "latanoprost", "1 dråpe"),
    ("ga Timosan to dråper i venstre øye punktum", "timolol", "2 dråper"),
    ("fekk Duphalac femten milliliter til frukost punktum", "laktulose", "15 ml"),
    ("tok Atrovent to pust punktum", "ipratropium", "2 pust"),
    ("byttet til nytt Durogesic ett plaster på overarmen punktum", "fentanyl", "1 plaster"),
    ("ga Spiriva en kapsel punktum", "tiotropium", "1 kapsel"),
    ("ga OxyNorm to og en halv milligram subkutant punktum", "oksykodon", "2.5 mg"),
    ("fikk Imovane sju og en halv milligram klokka ti punktum", "zopiklon", "7.5 mg"),
])
def test_doses_in_drops_millilitres_puffs_patches_and_halves(spoken, substance, dose):
    assert meds(spoken) == [(substance, dose)]


def test_a_number_without_a_unit_is_no_dose():
    assert meds("ga Sobril to ganger i løpet av natta punktum") == [("oksazepam", None)]
    assert meds("han tok Ventoline fire ganger i går punktum") == [("salbutamol", None)]


def test_a_strength_per_millilitre_is_no_dose():
    found = find_medications("Ga OxyNorm mikstur 1 mg/ml, 5 ml kl. 14.00.")
    assert [(f.value, f.dose) for f in found] == [("oksykodon", "5 ml")]
    found = find_medications("Ga OxyNorm 1 mg/ml.")
    assert [(f.value, f.dose) for f in found] == [("oksykodon", None)]


def test_a_dose_said_right_before_the_next_drug_is_that_drugs():
    found = find_medications("Han har Albyl-E i dosetten, og i kveld fikk han 40 mg Furix.")
    assert [(f.value, f.dose) for f in found] == [("acetylsalisylsyre", None),
                                                  ("furosemid", "40 mg")]
    found = find_medications("Fikk Paracet 1 g Ibux 400 mg.")  # no words between: its own
    assert [(f.value, f.dose) for f in found] == [("paracetamol", "1 g"),
                                                  ("ibuprofen", "400 mg")]


@pytest.mark.parametrize("spoken, expected", [
    ("hun tok Selo Zok femti milligram punktum", [("metoprolol", "50 mg")]),
    ("ga Ketipinor tjuefem milligram og Primperan ti milligram punktum",
     [("kvetiapin", "25 mg"), ("metoklopramid", "10 mg")]),
    ("nytt Norspan plaster på ti mikrogram per time punktum",
     [("buprenorfin", "10 mikrogram/t")]),
    ("byttet fentanylplaster tjuefem mikrogram i timen punktum",
     [("fentanyl", "25 mikrogram/t")]),
])
def test_brands_said_as_two_words_and_doses_per_hour(spoken, expected):
    assert medications(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    ("Ga Furix 40 mg i.v. kl. 08.00.", [("furosemid", "40 mg", "iv")]),
    ("Morfin 2,5 mg s.c. ved behov.", [("morfin", "2.5 mg", "sc")]),
    ("Ho fekk Zopiclone 3,75 mg klokka 22.", [("zopiklon", "3.75 mg", None)]),
    ("Marevan ein halv tablett klokka atten punktum", [("warfarin", "0.5 tablett", None)]),
    ("Norspan 10 mikrogram/time.", [("buprenorfin", "10 mikrogram/t", None)]),
])
def test_written_routes_half_tablets_and_rates(spoken, expected):
    assert [(e.value, e.dose, e.route) for e in structure(spoken).entities
            if e.type == "medication"] == expected


@pytest.mark.parametrize("spoken, expected", [
    ("Han tok Metformin 500 mg og Selo-Zok.", [("metformin", "500 mg"), ("metoprolol", None)]),
    ("Levemir skulle vært gitt kl. 10.00, men jeg ga bare 14 enheter i stedet for 16.",
     [("insulin detemir", "14 IE")]),
    # the dose said before the drug is its own; the three more puffs are another dose of
    # it (thirty-seventh pass: a dose said again with no name of its own)
    ("han hadde tatt fire drag Ventoline klokka sju og tok tre drag til punktum",
     [("salbutamol", "4 drag"), ("salbutamol", "3 drag")]),
])
def test_a_dose_belongs_to_one_drug(spoken, expected):
    assert medications(spoken) == expected
