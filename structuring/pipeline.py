"""Dictation → StructuredNote, as a spaCy pipeline on `spacy.blank("nb")`.

    spoken text ──to_written──▶ sentences ──▶ Doc
        (to_written: voice commands and written marks are hard boundaries; a trained spaCy
         `senter` (structuring.segmenter) cuts unpunctuated stretches; clock times resolved
         by clause cue → recorded_at → shift → daytime, self-corrections replace values;
         structuring.spoken, with its passes in structuring.tokens, spoken_numbers,
         clock_times and daypart)
        dikta_sentences   sentence boundaries, forced headings (scope: to the next line,
                          paragraph or heading), paragraphs, time-review flags
        dikta_entities    vitals, pain, fluids, times, medications (doc.spans["clinical"])
        dikta_findings    findings with ConText negation (doc.spans["clinical"])
        dikta_events      welfare-technology events (doc._.welfare_events)
        dikta_sections    one section and a confidence per sentence: keywords, entities,
                          heading, neighbour and a trained spaCy `textcat` combined
                          (span._.section, span._.confidence); low confidence → review
        dikta_privacy     national ID numbers masked in every output

Each component's rules live in `structuring/data/*.json`; the two trained models in
`structuring/data/models/`, rebuilt by `python -m evaluation.structuring_train`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from structuring import devices
from structuring import entities as ent
from structuring import events as ev
from structuring import finding_filter
from structuring.findings import find_findings, named_by_its_score, relatives_named
from structuring.note import (
    ClinicalEntity,
    NoteSentence,
    StructuredNote,
    WelfareTechEvent,
)
from structuring.privacy import mask_national_ids
from structuring.sections import (EVENT_SECTION, REVIEW_BELOW, assign_sections_scored,
                                 only_arrived, tells_drug_effect, weighed_for_the_heart)
from structuring.spoken import WrittenSentence, to_written

COMPONENTS = ("dikta_sentences", "dikta_entities", "dikta_findings", "dikta_events",
              "dikta_sections", "dikta_privacy")


# A sentence opening with one of these is about what the sentence before named.
REFERS_BACK = frozenset({"det", "dette", "den", "dei", "de"})


def _register() -> None:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    if Language.has_factory("dikta_sentences"):
        return
    for name, default in (("section", None), ("heading", None), ("paragraph", 0), ("block", 0),
                          ("confidence", 1.0), ("review", ())):
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name, attr in (("welfare_events", "welfare_events"), ("note_sentences", "sentences")):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Span.has_extension("found"):
        Span.set_extension("found", default=None)

    @Language.component("dikta_sentences", assigns=["token.is_sent_start"])
    def sentences(doc):
        written: list[WrittenSentence] = doc.user_data["written"]
        spans, offset = [], 0
        for index, sentence in enumerate(written):
            span = doc.char_span(offset, offset + len(sentence.text), alignment_mode="expand")
            for token in span:
                token.is_sent_start = token.i == span.start
            span._.heading, span._.paragraph = sentence.heading, sentence.paragraph
            span._.block, span._.review = sentence.block, sentence.review
            spans.append(span)
            offset += len(sentence.text) + 1
        doc._.note_sentences = spans
        return doc

    def _add_found(doc, index: int, sentence, found: list[ent.Found]) -> None:
        group = doc.spans.setdefault("clinical", [])
        base = sentence.start_char
        for item in found:
            span = doc.char_span(base + item.start, base + item.end, label=item.type,
                                 alignment_mode="expand")
            if span is not None:
                span._.found = (index, item)
                group.append(span)

    @Language.component("dikta_entities", requires=["token.is_sent_start"])
    def clinical_entities(doc):
        told = ""  # what the dictation said before this sentence
        last_drug = None  # the drug the sentence before ended with
        for i, sentence in enumerate(doc._.note_sentences):
            text = sentence.text
            found = ent.find_times(text) + ent.find_vitals(text) + ent.find_medications(text)
            found += ent.glucose_read_again(text, told, found)
            found += ent.fluid_after_a_drink(text, told, found)
            drugs = [f for f in found if f.type == "medication"]
            if not drugs:
                _dose_of_the_drug_before(doc, i, ent.dose_said_of_it(text))
                found += ent.dose_said_again(text, last_drug)
            last_drug = max(drugs, key=lambda f: f.start) if drugs else None
            _add_found(doc, i, sentence, sorted(found, key=lambda f: f.start))
            told = f"{told} {text}"
        return doc

    def _dose_of_the_drug_before(doc, index: int, dose: str | None) -> None:
        """The one drug named without a dose in the sentence before takes this one's."""
        if dose is None:
            return  # most sentences: nothing to look back for
        drugs = [span for span in doc.spans.get("clinical", [])
                 if span._.found[0] == index - 1 and span._.found[1].type == "medication"]
        if len(drugs) == 1 and drugs[0]._.found[1].dose is None:
            drugs[0]._.found = (index - 1, replace(drugs[0]._.found[1], dose=dose))

    @Language.component("dikta_findings", requires=["token.is_sent_start"])
    def findings(doc):
        relatives = relatives_named(doc.text)
        told = ""  # what the dictation said before this sentence
        for i, sentence in enumerate(doc._.note_sentences):
            _add_found(doc, i, sentence, find_findings(sentence.text, relatives, told))
            told = f"{told} {sentence.text}"
        return doc

    @Language.component("dikta_events", requires=["token.is_sent_start"])
    def welfare_events(doc):
        texts = [s.text for s in doc._.note_sentences]
        # An event's story ends at "ny linje" (unless a response follows), "nytt avsnitt"
        # or a new heading.
        blocks = [s._.block for s in doc._.note_sentences]
        headings = [s._.heading for s in doc._.note_sentences]
        paragraphs = [s._.paragraph for s in doc._.note_sentences]
        doc._.welfare_events = ev.describe_all(
            ev.group_events(texts, blocks, headings, paragraphs), texts)
        return doc

    @Language.component("dikta_sections", requires=["token.is_sent_start"])
    def sections(doc):
        spans = doc._.note_sentences
        hints: list[list[str]] = [[] for _ in spans]
        for span in doc.spans.get("clinical", []):
            index, found = span._.found
            if found.type != "medication" or found.dose:
                hints[index].append(found.type)
        texts = [s.text for s in spans]
        in_story = {i for event in doc._.welfare_events for i in event["sentences"]}
        for i, text in enumerate(texts):
            if i not in in_story and only_arrived(text):
                hints[i].append("arrival")
        for event in doc._.welfare_events:
            first, *rest = event["sentences"]
            hints[first].append("event")
            # What the alarm was about (the sentence right after it: "hun sto ute på
            # trappa") and what is about the alarm itself (what staff did, the device, a
            # false alarm) follow it into velferdsteknologi; the fall, the confusion, the
            # wound told later in the same story are filed by what they are about.
            for i in rest:
                if ev.about_the_alarm(texts[i]) or i == first + 1:
                    hints[i].append("event_followup")
        # A device named, no dose given from it: welfare technology (wished for, discussed),
        # and so is "Det sender vi søknad om." right after it (26 of 29 in the gold), or "Je
        # har sendt søknad til tildelingskontoret." (24 of 26).
        for i, text in enumerate(texts):
            if "medication" not in hints[i] and devices.names_a_device(text):
                hints[i].append("device")
            elif i and {"device", "event"} & set(hints[i - 1]) and \
                    (text.split(" ", 1)[0].lower() in REFERS_BACK or
                     devices.tells_applied_for(text)):
                hints[i].append("device_followup")
        # "Etter et kvarter var metningen 93" right after a dose: the drug's effect.
        for i in range(1, len(spans)):
            if {"medication", "drug_effect"} & set(hints[i - 1]) and \
                    tells_drug_effect(texts[i]):
                hints[i].append("drug_effect")
        for i, watched in enumerate(weighed_for_the_heart(texts)):
            if watched:
                hints[i] = [h for h in hints[i] if h != "vital.weight"] + ["weight_for_the_heart"]
        template = doc.user_data.get("template")
        probabilities = None
        if template in (None, "funksjonsomrader"):
            from structuring.classifier import section_probabilities

            probabilities = section_probabilities(texts)
        # A dictation that names no device and tells no alarm has nothing to file under
        # welfare technology (no writer's gold does; the classifier put 45 sentences of
        # such dictations there, "Eg var hjå Brita kl. 13.30" among them).
        no_device = not doc._.welfare_events and not any(devices.technologies_in(t) for t in texts)
        keys = assign_sections_scored(texts, [s._.heading for s in spans],
                                      [s._.paragraph for s in spans], hints, template,
                                      blocks=[s._.block for s in spans],
                                      probabilities=probabilities,
                                      ruled_out=frozenset({EVENT_SECTION} if no_device else ()))
        for span, (key, confidence) in zip(spans, keys):
            span._.section, span._.confidence = key, confidence
        return doc

    @Language.component("dikta_privacy")
    def privacy(doc):
        doc.user_data["masked_sentences"] = [mask_national_ids(s.text)
                                             for s in doc._.note_sentences]
        return doc


@lru_cache(maxsize=1)
def nlp():
    """The structuring pipeline (built once per process)."""
    import spacy

    _register()
    pipeline = spacy.blank("nb")
    for name in COMPONENTS:
        pipeline.add_pipe(name)
    return pipeline


def structure(spoken: str, *, template: str | None = None, language: str = "nb",
              recorded_at: datetime | None = None) -> StructuredNote:
    """Turn one dictation (as ASR wrote it) into a structured journal note.

    `recorded_at` (the recording's local time) decides morning or evening for a clock time
    whose clause does not say; without it such a time is flagged for review.
    """
    from structuring import segmenter

    splitter = segmenter.sentence_starts if segmenter.available() else None
    written = to_written(spoken, recorded_at=recorded_at, splitter=splitter)
    pipeline = nlp()
    doc = pipeline.make_doc(" ".join(s.text for s in written))
    doc.user_data["written"] = written
    doc.user_data["template"] = template
    for _, component in pipeline.pipeline:
        doc = component(doc)
    return _note(doc, template or "funksjonsomrader", language)


def _told_once(found: list[tuple[int, ent.Found]]) -> list[tuple[int, ent.Found]]:
    """Findings and clock times, each once. A finding told again is one finding: 'kvalm'
    twice, or 'Robinul for surklinga' after 'surkling i halsen' (no writer's gold lists a
    finding twice in a dictation). So is a clock time: 'Madopar kl. 16.00 … før dosen
    kl. 16.00' lists 16:00 once (the writers' gold repeats a time within a dictation 6
    times, where the rules did 61; tune files, twenty-third pass); each sentence still says
    its time."""
    told: list[ent.Found] = []
    times: set[str] = set()
    out = []
    for index, f in found:
        if f.type == "time":
            if f.value in times:
                continue
            times.add(f.value)
        if f.type == "finding":
            if any(t.negated == f.negated and (t.value == f.value or
                                               t.value.startswith(f.value + " "))
                   for t in told):
                continue
            told.append(f)
        out.append((index, f))
    return out


def _note(doc, template: str, language: str) -> StructuredNote:
    masked = doc.user_data["masked_sentences"]
    # A sentence is flagged when its section is unsure or a clock time in it was read
    # without a cue of its own; the confidence then says how sure the section is.
    sentences = tuple(NoteSentence(masked[i], s._.section, s._.paragraph,
                                   confidence=s._.confidence,
                                   review=s._.confidence < REVIEW_BELOW or bool(s._.review))
                      for i, s in enumerate(doc._.note_sentences))
    found = named_by_its_score([span._.found for span in doc.spans.get("clinical", [])])
    # "Hun står på Marevan … fikk Marevan 2,5 mg": the mention without a dose is no extra one.
    dosed = {f.value for _, f in found if f.type == "medication" and f.dose}
    entities = tuple(
        ClinicalEntity(f.type, mask_national_ids(f.value), index, dose=f.dose, route=f.route,
                       negated=f.negated, brand=f.brand)
        for index, f in _told_once(found)
        if not (f.type == "medication" and not f.dose and f.value in dosed))
    events = tuple(WelfareTechEvent(**event) for event in doc._.welfare_events)
    return StructuredNote(sentences, _as_filed(entities, masked), events, template=template,
                          language=language)


def _as_filed(entities: tuple[ClinicalEntity, ...], texts: list[str]
              ) -> tuple[ClinicalEntity, ...]:
    """The entities less the findings a nurse would not file (`structuring.finding_filter`);
    the sentences keep their words."""
    contexts = [finding_filter.finding_context(texts[e.sentence], e.value, e.negated)
                for e in entities if e.type == "finding"]
    kept = iter(finding_filter.filed(contexts))
    return tuple(e for e in entities if e.type != "finding" or next(kept))
