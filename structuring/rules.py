"""Loading the rule files in structuring/data: validated on load, unknown keys rejected.

The rules are data so that a clinician can review and extend them without reading code.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from structuring.errors import DiktaError


class RuleFileError(DiktaError, ValueError):
    """A rule file is missing keys, has unknown ones, or values of the wrong kind."""


RULE_FILES: dict[str, tuple[str, ...]] = {
    # Each rule file's keys, declared once: every reader loads the file by name only.
    "spoken_forms": (
        "voice_commands", "heading_command", "fillers", "stutter_words", "corrections", "numbers",
        "tens", "units_of_tens", "hundred", "thousand", "articles_as_one", "decimal_words", "units",
        "count_words", "numeric_context", "written_unit_replacements", "time",
        "corrections_needing_a_value", "corrections_between_values", "compounds", "score_words",
        "value_follows", "never_ends_a_sentence", "opens_a_sentence",
        "measurement_opens_a_sentence", "numbered_nouns",
        "numbers_also_words", "articles_before_units", "dose_units"),
    "medications": ("names", "not_heard_as", "dose_units", "dose_unit_written", "routes",
                    "written_forms"),
    "sections": ("default_template", "fallback_section", "templates", "drug_effect",
                 "classifier_forms", "weight_for_the_heart", "visit_lines",
                 "arrival_lines"),
    "welfare_technology": ("vkp_alert_system", "technologies", "responses", "response_contacts",
                           "false_alarm_cues", "alarm_words", "new_alarm_words",
                           "alarm_told_before", "again_words",
                           "alarm_verbs", "no_alarm_words", "no_alarm_negations",
                           "fall_false_alarm_cues", "device_discussed_after",
                           "device_checked_after", "device_tested_before",
                           "device_checked_said_after",
                           "device_maintenance", "device_off_after", "routine_words",
                           "counted_again", "counted_alarms", "someone_notified",
                           "device_out_of_reach", "pressed_by_mistake", "person_not_reached",
                           "by_phone", "device_fault", "applied_for",
                           "technical_alarm_said", "fault_beeped", "part_of_the_device",
                           "staff_leaving", "asleep_words", "seen_in_a_round",
                           "response_as_a_plan",
                           "device_tested_said_after", "device_wear_reminded", "battery_changed",
                           "battery_changed_after", "works_again",
                           "later_words",
                           "dose_taken", "dose_taken_after", "dose_taken_said", "story_nouns",
                           "staff_got_there", "habitual_words", "response_when_untold"),
    "findings": ("heads", "intensifier_prefixes", "phrases", "body_parts", "sides",
                 "predicates", "attributes", "places",
                 "needs_location", "definite_nouns", "grade_words", "manner",
                 "manner_words_ending_a_clause", "value_then_adjective", "not_the_patient",
                 "not_findings", "modifiers", "definite_forms", "place_qualifiers", "conditions",
                 "without_condition", "shown_in_care", "care_places", "only_when_absent",
                 "feared", "accompanied_by", "place_adverbs", "denied_alone", "smells",
                 "absent_from", "habitual_times", "phrases_as_filed", "signs_kept_for",
                 "score_names", "named_pains", "said_of_the_sore_place", "skin_around",
                 "sense_verbs", "without_aid"),
    "negation": ("pre_triggers", "post_triggers", "terminators", "for_after", "max_scope_tokens"),
    "vkp_timeline": ("document_type", "title", "category_by_alert_code", "categories", "events",
                     "reported_step", "handling_steps", "response_steps", "false_alarm_steps",
                     "closing_steps", "response_labels", "false_alarm_label", "sections"),
}


@cache
def load_rules(name: str) -> dict[str, Any]:
    """The parsed rule file `structuring/data/<name>.json`, checked against its keys
    (`RULE_FILES`): a missing or unknown key is a RuleFileError naming it."""
    if name not in RULE_FILES:
        raise RuleFileError(f"no rule file '{name}' is declared in RULE_FILES")
    text = resources.files("structuring").joinpath(f"data/{name}.json").read_text("utf-8")
    data = json.loads(text)
    keys = {k for k in data if not k.startswith("_")} - {"version"}
    required = set(RULE_FILES[name])
    missing, unknown = required - keys, keys - required
    if missing or unknown:
        raise RuleFileError(f"{name}.json: missing keys {sorted(missing)}, "
                            f"unknown keys {sorted(unknown)}")
    return data
