"""What the nineteenth pass of issue 15 found missing, from writers only scored until this
pass (tune27.jsonl) and new ones (tune30.jsonl). Every sentence here was written for the
test; none is copied from a gold split."""

import json
from pathlib import Path

import pytest

from tests.note_helpers import spoken_alarms

GOLD = Path(__file__).resolve().parents[1] / "evaluation" / "data" / "structuring"


# --- welfare technology -------------------------------------------------------------------------

@pytest.mark.parametrize("spoken", [
    "tryggheitsalarmen gjekk tjue på elleve i kveld eg fekk ikkje kontakt over alarmen så eg "
    "ringde ho og ho sa ho hadde kome borti knappen då ho snudde seg",
    "Tryggleiksalarmen gjekk ti på tre i natt. Eg fekk ikkje kontakt over alarmen, så eg "
    "ringde han, og han hadde kome borti knappen med armen.",
])
def test_a_user_not_reached_over_the_alarm_is_no_technical_fault(spoken):
    # not reaching the user over the speaker starts a call or a drive out: the alarm itself
    [event] = spoken_alarms(spoken)
    assert event[:2] == ("trygghetsalarm", "alarm_utlost")


def test_a_fault_the_alarm_beeped_for_after_its_alarm_is_its_technical_alarm():
    spoken = ("Trygghetsalarmen gikk klokka ti på elleve i går kveld, hun hadde trykket feil. "
              "Hun sa også at alarmen har pipet om lavt batteri i natt.")
    assert spoken_alarms(spoken) == [("trygghetsalarm", "alarm_utlost", "22:50"),
                                     ("trygghetsalarm", "teknisk_alarm", None)]


def test_a_beep_with_no_fault_named_is_no_technical_alarm():
    spoken = ("Trygghetsalarmen gikk klokka ti på elleve i går kveld, hun hadde trykket feil. "
              "Hun sa at den pep da hun trykket.")
    assert spoken_alarms(spoken) == [("trygghetsalarm", "alarm_utlost", "22:50")]


@pytest.mark.parametrize("spoken", [
    # what the device is for stands between it and its state
    "Kameraet for digitalt tilsyn er slått av etter ønske fra sønnen, så vi går inn hver time.",
    "kameraet til nattilsyn er slått av på rommet no",
    "natt på avdelinga kameraet for digitalt tilsyn på rom tolv er slått av frå i kveld så me "
    "går manuelle runder klokka eitt og klokka tre",
    # tested together with another device
    "I dag testa eg fallsensoren og døralarmen på rom to, begge varslar som dei skal.",
    # not pressed
    "Hun hadde falt rundt klokka fem og hadde ikke trykket på trygghetsalarmen fordi hun ikke "
    "ville vekke noen.",
    # the sentence after the refill says there was no alarm
    "Eg fylte medisindispenseren for to veker. Ho har teke alle dosane, ingen varsel i loggen.",
])
def test_a_device_switched_off_tested_not_pressed_or_refilled_raised_no_alarm(spoken):
    assert spoken_alarms(spoken) == []


# --- data ---------------------------------------------------------------------------------------

def test_the_writers_only_scored_this_pass_are_never_learnt_from():
    # tune29 (t29a, t29b) is only scored: no rule is derived from it, no model learns from it.
    # tune27, only scored in the eighteenth pass, is tuned on by the rules from this pass.
    from evaluation.finding_phrases import tuned_on_rows
    from evaluation.structuring_train import training_rows

    trained = {row["spoken"] for row in training_rows()}
    rows = [json.loads(line) for line in (GOLD / "tune29.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 60 and not trained & {row["spoken"] for row in rows}
    derived = {row["id"].split("-")[0] for row in tuned_on_rows()}
    assert not derived & {"t29a", "t29b"}
