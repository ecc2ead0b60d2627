"""Gold dictations for the structuring stage, composed from hand-written units (issue 15).

`evaluation/data/structuring/units_{tune,test}.txt` hold sentences a nurse might dictate, each
with its spoken form, the sentence as filed, its section and its entities (see the header of
`units_tune.txt`). This module composes them into whole dictations in the shared FORMAT.md:
an opening line that sets the shift, three to six sentences, sometimes a welfare-technology
story, spoken headings with their scope, `ny linje`/`nytt avsnitt`, and four ways of
punctuating — spoken commands (`punktum`, `komma`), none at all, Whisper-style written
punctuation and capitals, and partly spoken. The tune and test pools share no sentence, so
the frozen test split measures sentences the rules and models never saw.

    python -m evaluation.structuring_gold   # rewrites tune.jsonl; test splits only with --test

Second pass: `units_tune2.txt` adds tune-081… to `tune.jsonl`; `units_test2.txt` gives the
second frozen split `test2.jsonl` (with `ny linje` inside stories and `@story` blocks).
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).parent / "data" / "structuring"
STYLES = ("spoken", "none", "whisper", "partial")
STYLE_WEIGHTS = (0.35, 0.3, 0.2, 0.15)
# What a nurse says after "overskrift" (all are aliases in structuring/data/sections.json).
HEADINGS = {
    "respirasjon_sirkulasjon": ("respirasjon og sirkulasjon", "sirkulasjon"),
    "ernaering_vaeske": ("ernæring", "mat og drikke"), "eliminasjon": ("eliminasjon",),
    "hud_vev_saar": ("hud og sår", "sårstell"), "aktivitet_funksjon": ("aktivitet", "mobilisering"),
    "smerte_sovn_velvaere": ("smerte og søvn", "søvn"), "kunnskap_psykisk": ("psykisk",),
    "legemidler": ("legemidler", "medisiner"), "velferdsteknologi": ("velferdsteknologi",),
    "kommunikasjon_sanser": ("kommunikasjon",), "sosialt_miljo": ("sosialt",),
    "andelig_kulturelt": ("åndelig og kulturelt",),
}
_ENTITY_TYPES = {"bp": "vital.blood_pressure", "pulse": "vital.pulse", "temp": "vital.temperature",
                 "spo2": "vital.spo2", "rr": "vital.respiratory_rate", "bg": "vital.blood_glucose",
                 "weight": "vital.weight", "pain": "pain_score", "fluid": "fluid_intake",
                 "time": "time"}


@dataclass
class Unit:
    section: str
    language: str
    shift: str  # "-", dag, kveld, natt
    spoken: str
    written: str
    entities: list[dict]


@dataclass
class Story:
    units: list[Unit]
    event: dict | None = None
    language: str = "nb"
    shift: str = "-"
    sections: set[str] = field(default_factory=set)


def _entities(spec: str) -> list[dict]:
    out = []
    for item in filter(None, (s.strip() for s in spec.split(";"))):
        kind, _, rest = item.partition(":")
        if kind == "med":
            parts = rest.split(":")
            entity = {"type": "medication", "value": parts[0]}
            if len(parts) > 1 and parts[1]:
                entity["dose"] = parts[1]
            if len(parts) > 2:
                entity["route"] = parts[2]
            out.append(entity)
        elif kind in ("find", "find!"):
            out.append({"type": "finding", "value": rest, "negated": kind == "find!"})
        else:
            out.append({"type": _ENTITY_TYPES[kind], "value": rest})
    return out


def read_units(path: Path) -> list[Story]:
    """Single sentences as one-unit stories; `@event … @end` blocks as one story."""
    stories: list[Story] = []
    current: Story | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line == "@story":
            current = Story([])
            continue
        if line.startswith("@event"):
            tech, event, rest = line.split(None, 1)[1].split(":", 2)
            if rest.startswith("-:"):
                time, rest = None, rest[2:]
            else:
                time, rest = rest[:5], rest[6:]
            response, false_alarm = rest.rsplit(":", 1)
            current = Story([], {"technology": tech, "event": event, "time": time,
                                 "response": [r for r in response.split(",") if r],
                                 "false_alarm": false_alarm == "true"})
            continue
        if line == "@end":
            stories.append(_finish(current))
            current = None
            continue
        section, language, shift, spoken, written, *ents = (p.strip() for p in line.split("|"))
        unit = Unit(section, language, shift, spoken, written, _entities(ents[0] if ents else ""))
        if current is not None:
            current.units.append(unit)
        else:
            stories.append(_finish(Story([unit])))
    return stories


def _finish(story: Story) -> Story:
    story.language = story.units[0].language
    shifts = {u.shift for u in story.units} - {"-"}
    story.shift = shifts.pop() if shifts else "-"
    story.sections = {u.section for u in story.units}
    return story


def _render_unit(unit: Unit, style: str, rng: random.Random) -> str:
    spoken = unit.spoken
    if style == "spoken":
        return spoken.replace(",", " komma") + " punktum"
    if style == "none":
        return spoken.replace(",", "")
    if style == "partial":
        text = spoken.replace(",", " komma") if rng.random() < 0.5 else spoken.replace(",", "")
        return text + (" punktum" if rng.random() < 0.5 else "")
    # Whisper: its own punctuation and capitals; half the time its written digits as well.
    if rng.random() < 0.5:
        return unit.written.replace("kl. ", "klokken " if rng.random() < 0.5 else "kl. ")
    text = spoken[0].upper() + spoken[1:]
    return text + "."


def compose(stories: list[Story], n: int, prefix: str, seed: int, *, start: int = 1,
            breaks: bool = False) -> list[dict]:
    """`breaks`: a `ny linje` is sometimes said inside a story (before the response to an
    alarm, say), as nurses do; off for the first-pass splits so they compose as before."""
    rng = random.Random(seed)
    openers = [s for s in stories if s.units[0].section == "annet" and s.event is None]
    rows = []
    for k in range(n):
        language = "nn" if rng.random() < 0.25 else "nb"
        starts = [s for s in openers if s.language == language]
        opener = rng.choice(starts)
        shift = opener.shift if opener.shift != "-" else "dag"
        pool = [s for s in stories if s not in openers and s.language == language
                and s.shift in ("-", shift)]
        singles = [s for s in pool if s.event is None]
        events = [s for s in pool if s.event is not None]
        count = rng.randint(2, 4) if language == "nn" else rng.randint(3, 6)
        body = rng.sample(singles, min(count, len(singles)))
        if events and rng.random() < 0.4:
            body.insert(rng.randint(0, len(body)), rng.choice(events))
        style = rng.choices(STYLES, STYLE_WEIGHTS)[0]
        rows.append(_dictation(f"{prefix}-{k + start:03d}", language, [opener, *body], style,
                               singles, rng, breaks))
    return rows


def _dictation(ident: str, language: str, stories: list[Story], style: str,
               singles: list[Story], rng: random.Random, breaks: bool = False) -> dict:
    commands = style in ("spoken", "partial")
    parts: list[str] = []
    sentences, entities, events = [], [], []
    used = {id(s) for s in stories}
    for index, story in enumerate(stories):
        section = next(iter(story.sections)) if len(story.sections) == 1 else None
        block = [story]
        heading = commands and index > 0 and section in HEADINGS and rng.random() < 0.35
        if heading:
            parts.append("overskrift " + rng.choice(HEADINGS[section]))
            same = [s for s in singles if s.sections == {section} and id(s) not in used]
            if same and rng.random() < 0.5:
                extra = rng.choice(same)
                used.add(id(extra))
                block.append(extra)
        elif commands and index > 1 and rng.random() < 0.3 and \
                parts[-1] not in ("ny linje", "nytt avsnitt"):
            parts.append(rng.choice(("ny linje", "ny linje", "nytt avsnitt")))
        for item in block:
            for position, unit in enumerate(item.units):
                if breaks and commands and position > 0 and rng.random() < 0.4:
                    parts.append("ny linje")
                parts.append(_render_unit(unit, style, rng))
                sentences.append({"text": unit.written, "section": unit.section})
                entities.extend(unit.entities)
            if item.event:
                events.append(item.event)
        if heading:
            # The heading's scope ends at a line or paragraph command, as a nurse says it.
            parts.append(rng.choice(("ny linje", "nytt avsnitt")))
    spoken = " ".join(parts)
    return {"id": ident, "setting": rng.choice(("hjemmetjeneste", "sykehjem")),
            "language": language, "spoken": spoken, "sentences": sentences,
            "entities": entities, "events": events}


def write(rows: list[dict], path: Path) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test", action="store_true",
                        help="also rewrite the frozen test split (only when unfreezing it)")
    args = parser.parse_args()
    tune = compose(read_units(DATA / "units_tune.txt"), 80, "tune", seed=15)
    tune += compose(read_units(DATA / "units_tune2.txt"), 40, "tune", seed=16, start=81,
                    breaks=True)
    write(tune, DATA / "tune.jsonl")
    if args.test:
        write(compose(read_units(DATA / "units_test.txt"), 40, "test", seed=1515),
              DATA / "test.jsonl")
        write(compose(read_units(DATA / "units_test2.txt"), 48, "test2", seed=2626,
                      breaks=True), DATA / "test2.jsonl")


if __name__ == "__main__":
    main()
