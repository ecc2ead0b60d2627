"""Spoken → written form, table-driven: each row is what a nurse says and what is filed."""

from __future__ import annotations

import pytest

from structuring.spoken import to_written


def written(spoken: str) -> str:
    return " ".join(s.text for s in to_written(spoken))


@pytest.mark.parametrize("spoken, expected", [
    # voice commands and casing
    ("pasienten sov godt punktum ingen klager punktum", "Pasienten sov godt. Ingen klager."),
    ("hun spurte om middag spørsmålstegn", "Hun spurte om middag?"),
    ("plan kolon mobilisere to ganger daglig punktum", "Plan: mobilisere to ganger daglig."),
    ("han var blid komma men sliten punktum", "Han var blid, men sliten."),
    # fillers are dropped
    ("eh pasienten ehm spiste øh godt punktum", "Pasienten spiste godt."),
    # numbers and decimals
    ("temperatur trettiåtte komma fem punktum", "Temperatur 38,5."),
    ("blodsukker sju komma to punktum", "Blodsukker 7,2."),
    ("hun veier femtiåtte komma tre kilo punktum", "Hun veier 58,3 kg."),
    ("puls nittito punktum", "Puls 92."),
    ("hun har drukket tolv hundre milliliter punktum", "Hun har drukket 1200 ml."),
    ("hun har drukket åtte hundre milliliter punktum", "Hun har drukket 800 ml."),
    # "og en halv" is half a measure only before a unit or dose word
    ("ga OxyNorm to og en halv milligram punktum", "Ga OxyNorm 2,5 mg."),
    ("ho vog sekstito og ein halv kilo punktum", "Ho vog 62,5 kg."),
    ("hun sov to og en halv time punktum", "Hun sov to og en halv time."),
    # blood pressure
    ("blodtrykk hundre og førti over nitti punktum", "Blodtrykk 140/90."),
    ("BT hundre og tjueåtte over sytti punktum", "BT 128/70."),
    # doses and units
    ("ga Paracet ett gram punktum", "Ga Paracet 1 g."),
    ("fikk to tabletter Imovane punktum", "Fikk 2 tabletter Imovane."),
    ("satt Lantus tolv enheter punktum", "Satt Lantus 12 IE."),
    ("metning nittiseks prosent punktum", "Metning 96 %."),
    ("såret er cirka fire ganger tre centimeter punktum", "Såret er ca. 4 x 3 cm."),
    ("smerte sju av ti punktum", "Smerte 7 av 10."),
    # small everyday counts stay words
    ("hun spiste to brødskiver punktum", "Hun spiste to brødskiver."),
    # times
    ("besøk klokka halv ni punktum", "Besøk kl. 08.30."),
    ("alarm klokka kvart på tre i natt punktum", "Alarm kl. 02.45 i natt."),
    ("kom klokka ti over sju i kveld punktum", "Kom kl. 19.10 i kveld."),
    ("klokka tjueto var hun urolig punktum", "Kl. 22.00 var hun urolig."),
    ("besøk klokka fem over halv ti i formiddag punktum", "Besøk kl. 09.35 i formiddag."),
    ("dispenseren varslet klokka åtte null fem punktum", "Dispenseren varslet kl. 08.05."),
    ("målt klokka 07.45 punktum", "Målt kl. 07.45."),
    ("han tok dosen klokka åtte og tjuefem punktum", "Han tok dosen kl. 08.25."),
    ("klokka ti fant jeg en hvit tablett under senga punktum",
     "Kl. 10.00 fant jeg en hvit tablett under senga."),
    ("klokka ti lå hun i senga og sov punktum", "Kl. 22.00 lå hun i senga og sov."),
    ("ga Paracet klokka ti og femti milligram Tramadol punktum",
     "Ga Paracet kl. 10.00 og 50 mg tramadol."),
    ("medisin klokka ett i natt punktum", "Medisin kl. 01.00 i natt."),
    # self-corrections keep the correction
    ("ga Furix tjue milligram nei vent det var førti milligram punktum", "Ga Furix 40 mg."),
    # ... and the whole dose, unit too, also in Whisper-written text with commas round the cue
    ("Hun fikk Paracet 1 g, nei, 500 mg.", "Hun fikk Paracet 500 mg."),
    ("Han fikk Imovane 5 mg, nei, vent, 3,75 mg kl. 21.30.", "Han fikk Imovane 3,75 mg kl. 21.30."),
    ("han tok to drag nei tre drag punktum", "Han tok 3 drag."),
    ("Ho har bare drukket rundt 300 ml i dag, nei, 400.",
     "Ho har bare drukket rundt 400 ml i dag."),
    ("Ga Paracet 1 g i dag, nei, hun ville ikke ha mer.",
     "Ga Paracet 1 g i dag, nei, hun ville ikke ha mer."),
    ("ho fekk to tablettar nei ho ville ikkje ha dei punktum",
     "Ho fekk 2 tablettar nei ho ville ikkje ha dei."),
    # Whisper's written forms: routes with periods, 24-hour times without a point
    ("Morfin 2,5 mg s.c. kl. 21.00. Sov etterpå.", "Morfin 2,5 mg s.c. kl. 21.00. Sov etterpå."),
    ("Midazolam 2,5 mg kl. 0345.", "Midazolam 2,5 mg kl. 03.45."),
    ("Laxoberal 10 dråper kl. 2000.", "Laxoberal 10 dråper kl. 20.00."),
    ("Norspan 10 mikrogram/time, skiftet i dag.", "Norspan 10 mikrogram/time, skiftet i dag."),
    ("Ringte vakttelefonen 0345 i natt.", "Ringte vakttelefonen 0345 i natt."),
    # "en komma fem" is 1,5, not an article and a spoken comma
    ("fikk midazolam en komma fem milligram subkutant punktum", "Fikk midazolam 1,5 mg subkutant."),
    ("ho fekk Marevan ein komma fem milligram punktum", "Ho fekk Marevan 1,5 mg."),
    ("han fikk en tablett komma og sovnet punktum", "Han fikk 1 tablett, og sovnet."),
    # hundreds said as one word: a dose or an amount must not lose its hundreds
    ("ga metformin femhundre milligram punktum", "Ga metformin 500 mg."),
    ("drakk tohundre og femti milliliter punktum", "Drakk 250 ml."),
    ("vekt hundreogførti kilo punktum", "Vekt 140 kg."),
    # a pain score said without "av ti" is written as one
    ("eg vurderte smerten til om lag seks punktum", "Eg vurderte smerten til om lag 6."),
    ("smerte tre av ti i ro og seks når ho går punktum",
     "Smerte 3 av 10 i ro og 6 når ho går."),
    ("smerten gikk fra åtte til tre av ti punktum", "Smerten gikk fra 8 til 3 av 10."),
    ("smerter i to dager og to brødskiver punktum", "Smerter i 2 dager og to brødskiver."),
    # nynorsk and dialect forms pass through
    ("ho har ikkje hatt avføring punktum", "Ho har ikkje hatt avføring."),
])
def test_spoken_to_written(spoken, expected):
    assert written(spoken) == expected


def test_a_later_time_follows_the_earlier_one():
    text = written("alarmen gikk klokka tjueto punktum vi fant henne klokka kvart over ti "
                   "punktum")
    assert text == "Alarmen gikk kl. 22.00. Vi fant henne kl. 22.15."


def test_line_and_paragraph_commands_split_sentences_and_paragraphs():
    sentences = to_written("hun sov ny linje hun spiste nytt avsnitt hun gikk tur")
    assert [s.text for s in sentences] == ["Hun sov.", "Hun spiste.", "Hun gikk tur."]
    assert [s.paragraph for s in sentences] == [0, 0, 1]


def test_heading_command_forces_a_section_until_the_next_paragraph():
    sentences = to_written("overskrift legemidler ga Paracet punktum hun sov punktum "
                           "nytt avsnitt hun spiste punktum")
    assert [s.heading for s in sentences] == ["legemidler", "legemidler", None]
    assert sentences[0].text == "Ga Paracet."


def test_nynorsk_heading_alias():
    sentences = to_written("overskrift respirasjon og sirkulasjon ho hosta mykje punktum")
    assert sentences[0].heading == "respirasjon_sirkulasjon"


def test_id_number_read_digit_by_digit_becomes_one_number():
    text = written("fødselsnummer en to null tre fire fem en to tre fire fem punktum")
    assert "12034512345" in text


def test_already_punctuated_asr_text_is_kept():
    assert written("hun hadde feber, temperatur 38,2. ingen hoste.") == \
        "Hun hadde feber, temperatur 38,2. Ingen hoste."


def test_empty_and_filler_only_dictations_give_nothing():
    assert to_written("") == []
    assert to_written("eh ehm punktum") == []
