"""What the thirteenth pass of issue 15 found missing, from four new independent writers
(tune12.jsonl). Every sentence here was written for the test; none is copied from a gold
split."""

import pytest

from structuring import finding_filter
from structuring.pipeline import structure
from tests.note_helpers import spoken_alarms as _events, spoken_times as _times


def _findings(spoken: str) -> list[tuple[str, bool]]:
    with finding_filter.disabled():  # the rules' findings (the filter is tested on its own)
        return [(e.value, bool(e.negated)) for e in structure(spoken).entities
                if e.type == "finding"]


# --- findings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, finding", [
    # a smell said with a verb, with what smelled when it is named
    ("Urinen er mørk og luktar sterkt.", ("urinen luktar sterkt", False)),
    ("I dag var urinen i posen grumsete og lukta vondt.", ("urinen lukta vondt", False)),
    ("Det lukter litt surt under brystene.", ("lukter surt", False)),
    ("Det lukta svidd på kjøkkenet.", ("lukta svidd", False)),
    # … and no smell at all
    ("Såret er reint, og det luktar ikkje.", ("lukt", True)),
    # blood looked for and not seen in what came out
    ("Urinen er klar og uten blod.", ("blod i urinen", True)),
    ("Han kastet opp en gang, ca. 50 ml, uten blod.", ("blod i oppkastet", True)),
    ("Ho har hatt laus avføring to gonger, inga blod.", ("blod i avføringa", True)),
    ("Han hadde to tynne avføringer i dag, ikke blod.", ("blod i avføringen", True)),
    # how much a cough, a tremor or an itch was
    ("Han hosta mykje i natt.", ("hosta mykje", False)),
    ("Ho skalv mye på venstre hånd.", ("skalv mye på venstre hånd", False)),
    ("Han hoster mindre enn i går.", ("hoster mindre", False)),
    ("Hun pustar fort.", ("pustar fort", False)),
    # a pulse irregular "a little"
    ("Puls 88 og litt uregelmessig.", ("uregelmessig puls", False)),
    # pain when handled keeps the care; a movement keeps what moved
    ("Hun hadde vondt ved kveldsstellet.", ("vondt ved kveldsstellet", False)),
    ("Han har smerter ved bevegelse av høyre kne.", ("smerter ved bevegelse av høyre kne", False)),
    # the bowels' state, and a state said after a smell
    ("Avføringa var laus, men ikkje vassen.", ("laus avføring", False)),
    ("Avføringa var laus, men ikkje vassen.", ("vassen avføring", True)),
    ("Urinen luktar sterkt og er mørk.", ("mørk urin", False)),
    # a finding that comes at night as a habit keeps it; "i natt" only says when
    ("Han har hatt tungpust om natta.", ("tungpust om natta", False)),
    ("Ho har vondt i kneet om natta.", ("vondt i kneet om natta", False)),
    ("Han var forvirra i natt.", ("forvirra", False)),
    # the breath as a finding's place
    ("Ho hadde surkling i pusten i kveld.", ("surkling i pusten", False)),
    # how long it has lasted is not filed
    ("Ho ser framleis dårleg på venstre auge.", ("ser dårleg på venstre auge", False)),
    # dialect plurals of the ears
    ("Han hører dårlig på begge øran.", ("hører dårlig på begge øran", False)),
    # denied: after "nekter for", joined by "og", and through "at ho har"
    ("Han nekter for hodepine og svimmelhet.", ("svimmelhet", True)),
    ("Ho benekter at ho har tanker om å ta sitt eget liv.",
     ("tanker om å ta sitt eget liv", True)),
])
def test_findings_the_new_writers_named(spoken, finding):
    assert finding in _findings(spoken)


@pytest.mark.parametrize("spoken, finding", [
    ("Hun hostet litt.", ("hostet", False)),  # "litt" is not filed (3 of 4 writers)
    # watched for, filed without "tegn til" (twenty-first pass: signs_kept_for)
    ("Ingen tegn til smerter ved stell.", ("smerter", True)),
    ("Ingen blod i urinen.", ("blod i urinen", True)),  # its place said: one finding
])
def test_what_is_left_out_of_a_finding(spoken, finding):
    assert _findings(spoken) == [finding]


@pytest.mark.parametrize("spoken", [
    "Han hadde neseblod i natt, men det er ikke blod nå.",  # nothing it was looked for in
    "Det er ingen blod eller slim i avføringa.",  # "blod eller slim" is for the other rules
])
def test_blood_with_nothing_named_is_no_finding_of_this_kind(spoken):
    assert not [f for f in _findings(spoken) if f[0].startswith("blod i")]


def test_a_state_after_a_denial_and_a_comma_is_its_own():
    # fifteenth pass: "hosten er tørr" is filed "tørr hoste" (2 of 2 in the writers' gold)
    assert _findings("Hun har ikke feber, og hosten er tørr.") == \
        [("feber", True), ("tørr hoste", False)]


def test_a_finding_told_twice_is_listed_once():
    spoken = ("Han har surkling i halsen. Fikk Robinul 0,2 mg subkutant for surklinga. "
              "Hun var kvalm ved frokost. Fortsatt kvalm ved lunsj.")
    assert _findings(spoken) == [("surkling i halsen", False), ("kvalm", False)]


def test_the_same_finding_denied_later_is_still_its_own():
    assert _findings("Hun var kvalm i går. I dag er hun ikke kvalm.") == \
        [("kvalm", False), ("kvalm", True)]


# --- welfare technology -----------------------------------------------------------------------

@pytest.mark.parametrize("spoken, events", [
    # the device said to go off again, at its own time
    ("Sengesensoren varsla kl. 01.10 og ho ville på do. Eg følgde ho. Sengesensoren gjekk "
     "igjen kl. 03.20 og ho sto i døra.",
     [("sengesensor", "ute_av_seng", "01:10"), ("sengesensor", "ute_av_seng", "03:20")]),
    # the alarms counted, each with its time
    ("Trygghetsalarmen gikk to ganger i kveld. Første gangen kl. 19.10, hun hadde trykket "
     "ved et uhell. Andre gangen kl. 21.30, hun var tørst.",
     [("trygghetsalarm", "alarm_utlost", "19:10"), ("trygghetsalarm", "alarm_utlost", "21:30")]),
    # the user raising it again after a technical alarm
    ("Trygghetsalarmen ga teknisk alarm kl. 09.20, kontakten var dratt ut. Kl. 12.15 utløste "
     "hun alarmen igjen fordi hun var svimmel.",
     [("trygghetsalarm", "teknisk_alarm", "09:20"), ("trygghetsalarm", "alarm_utlost", "12:15")]),
])
def test_an_alarm_told_again_is_a_new_event(spoken, events):
    assert _events(spoken) == events


@pytest.mark.parametrize("spoken, events", [
    # counted, then its times listed
    ("Trygghetsalarmen til Olga har gått tre ganger i dag. Først kl. 09.10, så kl. 10.45 og "
     "så igjen kl. 13.40. Hver gang sa hun at alt var bra.",
     [("trygghetsalarm", "alarm_utlost", "09:10"), ("trygghetsalarm", "alarm_utlost", "10:45"),
      ("trygghetsalarm", "alarm_utlost", "13:40")]),
    # the verb split round "den", in a run-on sentence
    ("Komfyrvakta slo av komfyren kl. 16.40. Eg ringde ho og alt var i orden men kl. 17.30 "
     "slo den av igjen så eg køyrde dit.",
     [("komfyrvakt", "komfyr_avslatt", "16:40"), ("komfyrvakt", "komfyr_avslatt", "17:30")]),
    # nynorsk "att"
    ("Tryggleiksalarmen gav teknisk alarm kl. 06.50. Eg ringde ho, så gjekk alarmen att kl. "
     "08.15 og då hadde ho kome borti knappen.",
     [("trygghetsalarm", "teknisk_alarm", "06:50"), ("trygghetsalarm", "alarm_utlost", "08:15")]),
])
def test_alarms_counted_split_or_said_again_in_nynorsk(spoken, events):
    assert _events(spoken) == events


@pytest.mark.parametrize("spoken, events", [
    # the count right before its time, in a run-on stream
    ("Sengesensoren varsla kl. 00.40. Ho ville på do. Sengesensoren varsla igjen kl. 01.50. "
     "Eg la ho og tilbakestilte sensoren tredje gongen var ved kl. 03.10 då sto ho ved døra.",
     [("sengesensor", "ute_av_seng", "00:40"), ("sengesensor", "ute_av_seng", "01:50"),
      ("sengesensor", "ute_av_seng", "03:10")]),
    # the device's name as an ASR slips on it
    ("Sengsensoren varslet kl. 02.20, hun satt på sengekanten.",
     [("sengesensor", "ute_av_seng", "02:20")]),
])
def test_a_count_mid_sentence_and_a_slipped_device_name(spoken, events):
    assert _events(spoken) == events


@pytest.mark.parametrize("spoken", [
    "Dørsensoren er sjekka og fungerer, men den har ikkje gått i kveld.",
    "Han skal heim med medisindispenser, og me har gått gjennom korleis den verkar.",
    "Kona spør om dere kan sette opp kamera så hun kan sove trygt.",
])
def test_a_device_gone_through_or_to_be_set_up_is_no_alarm(spoken):
    assert _events(spoken) == []


@pytest.mark.parametrize("spoken", [
    # wished for or asked about
    "Datteren spurte om hun kan få GPS.",
    "Han lurer på om de kan få komfyrvakt og GPS til henne.",
    "Hun ønsker seg e-lås på ytterdøra.",
    "Han spurte om han kunne få et sånt kamera som de har på naborommet.",
    # upkeep said with an alarm word
    "Dørsensoren fikk nytt batteri i dag, og den varsler som den skal.",
    "Dørsensoren på rommet. Fikk nytt batteri i dag, og vi testa den.",
    "Medisindispenseren er fylt opp og har ikke gitt noen varsler siden sist.",
    "Trygghetsalarmen ble testet og gikk fint gjennom til alarmsentralen.",
])
def test_devices_wished_for_or_kept_open_no_event(spoken):
    assert _events(spoken) == []


def test_upkeep_after_an_alarm_leaves_the_alarm():
    assert _events("Dørsensoren varslet kl. 02.10, og nytt batteri ble satt i etterpå.") == \
        [("dorsensor", "dor_apnet", "02:10")]


@pytest.mark.parametrize("spoken, times", [
    ("Digitalt tilsyn kl. 04.00 hun sov godt bleia ble skiftet ved stell kl. 06.30.",
     ["04:00"]),
    ("Digitalt tilsyn kl. 00.30 og kl. 03.00, sov godt.", ["00:30", "03:00"]),
    ("Digitalt tilsyn kl. 00.30, kl. 02.30 og kl. 04.30, ingen tiltak.",
     ["00:30", "02:30", "04:30"]),
])
def test_rounds_are_the_times_listed_together(spoken, times):
    assert [time for _, _, time in _events(spoken)] == times


# --- times ------------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, text, times", [
    ("ho har vore uroleg sidan om lag ni i kveld punktum",
     "Ho har vore uroleg sidan om lag kl. 21.00 i kveld.", ["21:00"]),
    ("Hun ville ikke stå opp før elleve.", "Hun ville ikke stå opp før kl. 11.00.", ["11:00"]),
    ("Hun skal ha tilsyn hver time fram til åtte.",
     "Hun skal ha tilsyn hver time fram til kl. 08.00.", ["08:00"]),
    # … not a value measured until it reached a number
    ("Blodsukkeret steg fram til ni.", "Blodsukkeret steg fram til ni.", []),
    # … not a count, not a pronoun
    ("Han har hatt vondt siden to dager.", "Han har hatt vondt siden to dager.", []),
    ("Det er lurt å sette det i før en snakker med han.",
     "Det er lurt å sette det i før en snakker med han.", []),
])
def test_a_bare_hour_after_since_before_and_until(spoken, text, times):
    note = structure(spoken)
    assert note.sentences[0].text == text
    assert [e.value for e in note.entities if e.type == "time"] == times


@pytest.mark.parametrize("spoken, times", [
    # a named day's hour in a night report is read by day
    ("Nattrapport. Sengesensoren varsla klokka to i natt. Han vil høre gudstjenesten på "
     "radioen klokka elleve på søndag.", ["02:00", "11:00"]),
    # … but a night named with the day is a night
    ("Nattrapport. Han sov dårlig natt til søndag og var oppe fra klokka to til fire.",
     ["02:00", "04:00"]),
])
def test_another_day_in_a_night_report(spoken, times):
    assert _times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    # "i morgen" is tomorrow, read by day, not the morning
    ("Sønnen ringte, og han kjem i morgon klokka eitt.", ["13:00"]),
    ("Nattrapport. Legen kommer i morgen klokka to.", ["14:00"]),
    ("Kontrollmåling klokka tjueen var 11,2. Legen kommer i morgen rundt ni.", ["21:00", "09:00"]),
    ("Hun skal til legen i morgen tidlig klokka sju.", ["07:00"]),
    # "i morges" is this morning; "nattverd" is no night
    ("Han fikk Paracet i morges klokka sju.", ["07:00"]),
    ("Presten kjem i morgon klokka ti med nattverd.", ["10:00"]),
])
def test_tomorrow_is_read_by_day(spoken, times):
    assert _times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    # a small hour in a sentence about the night is the night's
    ("Han var tungpusta i natt og sat oppe i stolen frå klokka tre.", ["03:00"]),
    # … "nattverd" is no night
    ("Presten kom klokka fire og hadde nattverd med ho og sonen.", ["16:00"]),
    # … and a day hour stays by day
    ("Hun sov dårlig i natt og fikk Paracet klokka ti.", ["10:00"]),
    # a sleeping pill is given at night
    ("Han fekk Imovane 7,5 milligram ved ti men låg vaken enno.", ["22:00"]),
])
def test_the_small_hours_of_a_night_told_in_the_sentence(spoken, times):
    assert _times(spoken) == times


# --- sections ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken", [
    "Ingen smerter i brystet, sier hun.",
    "Han har brystsmerter i dag.",
])
def test_chest_pain_is_circulation(spoken):
    assert structure(spoken).sentences[0].section == "respirasjon_sirkulasjon"


@pytest.mark.parametrize("spoken, first", [
    # a dictation that names no device and tells no alarm files nothing under welfare
    # technology, however the classifier leans
    ("Eg var hjå Brita Fjelde kl. 13.30. Ho har hatt svie når ho tissar sidan i går.", "annet"),
    # (the keyword "legevakt" the writers file under velferdsteknologi 49 times, respirasjon
    # 28, legemidler 21: the classifier trained in the forty-fifth pass leans to
    # respirasjon_sirkulasjon, the forty-fourth's to annet — either, not velferdsteknologi)
    ("Je ringte legevakta kl. 00.15, dom ville ha han inn til vurdering, og ambulansen kom "
     "kl. 00.50.", None),
    ("Vi brukte telefontolk fordi datteren ikke var hjemme.", "kommunikasjon_sanser"),
])
def test_no_device_no_welfare_technology(spoken, first):
    section = structure(spoken).sentences[0].section
    assert section != "velferdsteknologi"
    if first is not None:
        assert section == first


def test_a_heading_still_files_welfare_technology_without_a_device():
    note = structure("overskrift velferdsteknologi vi har snakka om hjelpemidler punktum")
    assert note.sentences[0].section == "velferdsteknologi"


def test_a_device_named_keeps_welfare_technology_possible():
    note = structure("Eg var hjå Brita kl. 13.30. Trygghetsalarmen er testa og fungerer.")
    assert note.sentences[1].section == "velferdsteknologi"


def test_a_location_alert_named_so_is_an_event():
    assert _events("Lokaliseringsvarsel på Hallgeir kl. 15.20. Han hadde gått ut av sona.") == \
        [("lokaliseringsteknologi", "utenfor_sone", "15:20")]


# --- medication ---------------------------------------------------------------------------------

def _medications(spoken: str) -> list[tuple[str, str | None]]:
    return [(e.value, e.dose) for e in structure(spoken).entities if e.type == "medication"]


@pytest.mark.parametrize("spoken, medication", [
    # a combination joined by "/", as every writer files it
    ("Ho fekk Madopar 125 mg kl. 08.00.", ("levodopa/benserazid", "125 mg")),
    ("Han fikk to tabletter Paralgin forte.", ("paracetamol/kodein", "2 tabletter")),
    ("Smurte med Daktacort krem.", ("hydrokortison/mikonazol", None)),
    # a rate per hour written "/t"
    ("Nytt Norspan-plaster ti mikrogram per time.", ("buprenorfin", "10 mikrogram/t")),
    # nynorsk drops stay as said
    ("Eg gav ho Monoprost ein drope i kvart auge.", ("latanoprost", "1 drope")),
    ("Ho fekk Laxoberal ti dropar.", ("natriumpikosulfat", "10 dropar")),
    # an ampoule for the nebuliser; Selo-Zok as an ASR hears it
    ("Fekk Atrovent ein ampulle på forstøvar.", ("ipratropium", "1 ampulle")),
    ("Dosen inneholdt Selo sokk hundre milligram.", ("metoprolol", "100 mg")),
])
def test_medication_as_the_writers_file_it(spoken, medication):
    assert medication in _medications(spoken)
