"""What the fourteenth pass of issue 15 found missing, from four new independent writers
(tune15.jsonl). Every sentence here was written for the test; none is copied from a gold
split."""

import pytest

from structuring.pipeline import structure
from tests.note_helpers import findings
from tests.note_helpers import spoken_alarms as _events, spoken_times as _times


# --- times ------------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, times", [
    # a first sentence that tells last night: the small hours after it are the night's
    ("Solveig var svært urolig i natt. Klokka ti over ett ropte hun på hjelp, og klokka "
     "halv tre fikk hun Paracet ett gram.", ["01:10", "02:30"]),
    ("ho har hosta mykje i natta ho sat oppe i stolen frå klokka tre", ["03:00"]),
    ("Han har hatt vondt i magen i natt. Han var vaken i tolvtida.", ["00:00"]),
    ("Han har sovet dårlig i natt. Morgenmedisinene ble gitt klokka seks.", ["06:00"]),
])
def test_small_hours_after_a_first_sentence_about_last_night(spoken, times):
    assert _times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    # … but not "since last night" (a day note), nor a first sentence with its own time
    ("Hun har hatt feber siden i natt. Temperatur 38,4 klokka to.", ["14:00"]),
    ("Besøk klokka tolv, han har hatt vondt i ryggen i natt. Datteren kom klokka to.",
     ["12:00", "14:00"]),
    # hours later than the small ones are not moved: a morning nurse tells last night too
    ("Hun har sovet godt i natt. Legen kom klokka ti.", ["10:00"]),
])
def test_last_night_said_by_day_keeps_the_day(spoken, times):
    assert _times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    ("Arne har vore uroleg heile kvelden. Han fekk Sobril fem milligram klokka ni og la "
     "seg rundt halv elleve.", ["21:00", "22:30"]),
    ("Hun har fått feber utover kvelden. Paracet ett gram klokka ni.", ["21:00"]),
    # with a time of its own in the same first sentence
    ("Ho har vore roleg det meste av kvelden, men klokka halv elleve vart ho uroleg.",
     ["22:30"]),
])
def test_a_first_sentence_about_the_whole_evening_sets_the_evening(spoken, times):
    assert _times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    ("morgenrapport fra natta for Signe på rom elleve fallsensoren gikk tjue over fire og "
     "hun sovnet igjen rundt fem", ["04:20", "05:00"]),
    ("Morgonrapport frå natta. Dørsensoren varsla klokka halv tre.", ["02:30"]),
])
def test_the_nights_report_given_in_the_morning_is_a_night(spoken, times):
    assert _times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    ("kveldsvakt og natt punktum han fikk Paracet klokka ni punktum klokka halv tolv var "
     "han våken punktum klokka tre sov han punktum", ["21:00", "23:30", "03:00"]),
    # an evening story already past midnight goes on to the morning stell
    ("Kveldsvakt. Tilsyn klokka halv tolv og klokka to. Ved stell klokka seks var han "
     "blid.", ["23:30", "02:00", "06:00"]),
])
def test_an_evening_going_into_the_night(spoken, times):
    assert _times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    ("Ho la seg klokka ti.", ["22:00"]),
    ("Han gikk og la seg klokka halv elleve.", ["22:30"]),
    ("Han har lagt seg klokka ni i går.", ["21:00"]),
])
def test_going_to_bed_is_evening_or_night(spoken, times):
    assert _times(spoken) == times


def test_a_time_and_its_day_part_three_words_on():
    # "i dag tidleg" after the time is the time's own cue, also in a model-cut sentence
    spoken = ("tryggleiksalarmen til Johanna gjekk klokka halv seks i dag tidleg ho sa ho "
              "ikkje fekk puste eg køyrde dit og var der ti på seks ho roa seg")
    note = structure(spoken)
    assert [e.value for e in note.entities if e.type == "time"] == ["05:30", "05:50"]
    assert _times("Han ringte klokka ti i går kveld.") == ["22:00"]


def test_the_last_of_several_times_said_without_klokka_is_corrected():
    assert _times("Kveldsvakt. Sengesensoren varsla ti over elleve, kvart på tolv eller nei "
                  "tjue på tolv og kvart over eitt.") == ["23:10", "23:40", "01:15"]


# --- welfare technology -----------------------------------------------------------------------

@pytest.mark.parametrize("spoken, events", [
    ("Kveldsvakt. Sengesensoren varsla klokka ti over elleve, klokka tjue på tolv og "
     "klokka kvart over eitt.",
     [("sengesensor", "ute_av_seng", "23:10"), ("sengesensor", "ute_av_seng", "23:40"),
      ("sengesensor", "ute_av_seng", "01:15")]),
    ("Nattevakt. Dørsensoren varslet klokka to og klokka fire.",
     [("dorsensor", "dor_apnet", "02:00"), ("dorsensor", "dor_apnet", "04:00")]),
])
def test_an_alarms_times_listed_together_are_one_event_each(spoken, events):
    assert _events(spoken) == events


@pytest.mark.parametrize("spoken, events", [
    # the second time starts the next clause
    ("Trygghetsalarmen gikk klokka to og klokka halv tre var vi der.",
     [("trygghetsalarm", "alarm_utlost", "14:00")]),
])
def test_a_time_that_starts_the_next_clause_is_no_alarm_of_its_own(spoken, events):
    assert _events(spoken) == events


@pytest.mark.parametrize("spoken, events", [
    ("Dørsensoren på rommet varslet kl. 19.20 og igjen kl. 20.05, begge ganger sto hun i "
     "døra.", [("dorsensor", "dor_apnet", "19:20"), ("dorsensor", "dor_apnet", "20:05")]),
    # after a technical alarm, the user's own alarm at its own time is a new one
    ("Nattpatruljen. Tryggleiksalarmen gav teknisk alarm om lågt batteri fem på tolv. Ho "
     "sov, så vi ringde ikkje. Klokka tjue over tre trykte ho på alarmen og sa at ho hadde "
     "dotte.", [("trygghetsalarm", "teknisk_alarm", "23:55"),
                ("trygghetsalarm", "alarm_utlost", "03:20")]),
    # "Ny alarm" with what staff did after it in the same sentence
    ("Nattrapport. Sengesensoren varslet kl. 23.40. Hun la seg igjen. Ny alarm fra "
     "sengesensoren 02.15, og eg fulgte henne tilbake til senga.",
     [("sengesensor", "ute_av_seng", "23:40"), ("sengesensor", "ute_av_seng", "02:15")]),
    # device names the new writers used
    ("Lokaliseringsklokka til Magne varsla kvart over seks i kveld at han var utafor sona.",
     [("lokaliseringsteknologi", "utenfor_sone", "18:15")]),
    ("Kveldsvakt. Ved halv tolv fikk vi ikke opp den elektroniske låsen på døra, den ga "
     "feilmelding.", [("e_laas", "teknisk_alarm", "23:30")]),
])
def test_alarms_the_new_writers_told(spoken, events):
    assert _events(spoken) == events


@pytest.mark.parametrize("spoken", [
    # a person notified with a time is no alarm
    "Trygghetsalarmen gikk kl. 02.50 i natt. Han lå på gulvet. Datteren ble varslet i "
    "morges ved sju-tida.",
    "Trygghetsalarmen gikk kl. 02.50 i natt. Han lå på gulvet. Legen er varsla kl. 08.00.",
])
def test_someone_notified_is_no_new_alarm(spoken):
    assert _events(spoken) == [("trygghetsalarm", "alarm_utlost", "02:50")]


def test_a_dispenser_filled_and_its_alarm_checked_is_no_event():
    assert _events("Ukesbesøk kl. 13.00. Fylte medisindispenseren for de neste 14 dagene og "
                   "sjekket at alarmen på den virker.") == []


# --- findings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, finding", [
    # a finding that names its place is filed without its "når …"
    ("Ho har vondt i hofta når ho ligg på sida.", ("vondt i hofta", False)),
    ("Han har surkling i halsen når han ligg på ryggen.", ("surkling i halsen", False)),
    # so is a feeling
    ("Hun blir redd når pusten blir tung.", ("redd", False)),
    # one without a place keeps it
    ("Hun har vondt når hun går.", ("vondt når hun går", False)),
    ("Ho har svie når ho tissar.", ("svie når ho tissar", False)),
    # passing water, denied, as said
    ("Ho har ikkje late vatn sidan i går kveld.", ("late vatn", True)),
    ("Han har ikke latt vannet i natt.", ("latt vannet", True)),
])
def test_findings_as_the_new_writers_file_them(spoken, finding):
    assert finding in findings(spoken)


def test_passing_water_said_plainly_is_no_finding():
    assert findings("Ho har late vatnet i bleia.") == set()


@pytest.mark.parametrize("spoken, times", [
    # twelve o'clock after a late-evening time is midnight
    ("Han fekk Imovane ved ti men låg vaken enno i tolvtida.", ["22:00", "00:00"]),
    # a wish told this evening sets the evening; a plan for it does not
    ("overskrift åndeleg Marta ønskte i kveld at vi skulle be fadervår saman med ho "
     "punktum ho fekk morfin klokka halv ni punktum", ["20:30"]),
    ("Marta skal på besøk til dottera i kveld. Ho fekk morfin klokka halv ni.", ["08:30"]),
])
def test_midnight_after_the_evening_and_a_wish_told_this_evening(spoken, times):
    assert _times(spoken) == times


def test_a_dose_given_after_a_dispensers_fault_is_no_new_alarm():
    assert _events("Medisindispenseren ga teknisk alarm klokka kvart over fem og viste "
                   "feilmelding om at rullen var tom. Han fikk ettermiddagsdosen klokka ti "
                   "over halv seks.") == [("medisindispenser", "teknisk_alarm", "17:15")]


@pytest.mark.parametrize("spoken, times", [
    # early to bed is the evening's early
    ("Han sovna tidleg ved ni-tida.", ["21:00"]),
    # waking up is the morning (or the night)
    ("Knut var stiv og skjelven da de vekte han halv sju.", ["06:30"]),
    # a 24-hour time said digit by digit
    ("Medisindispenseren ga teknisk alarm klokka null fem tretti i natt.", ["05:30"]),
])
def test_early_to_bed_waking_and_digit_by_digit(spoken, times):
    assert _times(spoken) == times


@pytest.mark.parametrize("spoken, events", [
    # "en gang te": trøndersk "once more"
    ("Nattrapport. Sengesensoren varsla ti over elleve. Ho la seg igjen. Sengesensoren gikk "
     "en gang te halv fem, men da lå ho i senga.",
     [("sengesensor", "ute_av_seng", "23:10"), ("sengesensor", "ute_av_seng", "04:30")]),
    # a device only ordered for assessment opens no event
    ("Tryggleiksalarmen vart utløyst kl. 23.25. Eg har bestilt vurdering av sengesensor, "
     "ho ønskjer det sjølv. Vi ringde ho kl. 01.00 for å høyre korleis det gjekk.",
     [("trygghetsalarm", "alarm_utlost", "23:25")]),
    # what the dispenser reports, in a new paragraph, is its next alarm
    ("medisindispenseren ga teknisk alarm klokka null fem tretti i natt punktum vi ringte "
     "henne punktum nytt avsnitt klokka åtte varsla han at morgendosen itj va tatt punktum",
     [("medisindispenser", "teknisk_alarm", "05:30"),
      ("medisindispenser", "dose_ikke_tatt", "08:00")]),
])
def test_alarms_of_the_last_writers(spoken, events):
    assert _events(spoken) == events


@pytest.mark.parametrize("spoken, events", [
    # the device named between its verb and "att"
    ("Nattrapport. Fallsensoren gjekk ti på tolv, men det var falsk alarm. Klokka halv to "
     "gjekk fallsensoren att, då var det rullatoren.",
     [("fallsensor", "fall_registrert", "23:50"), ("fallsensor", "fall_registrert", "01:30")]),
    # an alarm counted, then the story's sentences that open with their own time
    ("Nattrapport. Sengesensoren varslet tre ganger i løpet av natta. Kl. 22.50 satt hun på "
     "sengekanten og ville på do. Hun fikk hjelp. Kl. 00.40 var hun på vei ut av senga. "
     "Kl. 04.15 sto hun ved døra.",
     [("sengesensor", "ute_av_seng", "22:50"), ("sengesensor", "ute_av_seng", "00:40"),
      ("sengesensor", "ute_av_seng", "04:15")]),
    # rounds go on after another device's alarm; the sentence introducing them is no round
    ("Nattrapport. Han har digitalt tilsyn med kamera om natta etter eige ønske. Tilsyn "
     "kl. 01.00: sov. Kl. 02.35 varsla sengesensoren, han sat på sengekanten. Tilsyn "
     "kl. 04.00: sov igjen, ingen tiltak.",
     [("digitalt_tilsyn", "tilsyn_utfort", "01:00"), ("sengesensor", "ute_av_seng", "02:35"),
      ("digitalt_tilsyn", "tilsyn_utfort", "04:00")]),
])
def test_nights_with_several_alarms(spoken, events):
    assert _events(spoken) == events


def test_a_span_that_starts_with_about():
    assert _times("Kveldsvakt. Ho fekk Remeron klokka ni. Ho sov frå rundt elleve til halv "
                  "sju.") == ["21:00", "23:00", "06:30"]


def test_the_evening_in_troendersk():
    assert _times("Dei lagar mellommåltid til han klokka to og klokka åtte i kvell.") == \
        ["14:00", "20:00"]


def test_a_describing_word_before_a_side_and_a_body_part():
    assert findings("Han hadde litt hoven venstre ankel, men ikke smerter.") == \
        {("hoven venstre ankel", False), ("smerter", True)}
