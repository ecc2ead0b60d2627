"""Training data from approved dictations: each approved note is a checked transcript.

Only dictations whose speaker consented, whose recording retention still keeps
(`retention.training_audio_days`), and whose note was corrected rather than rewritten
(the nurse's edits change at most `max_edit_rate` of the words) become examples. Speakers are
pseudonymised and kept on one side of the train/test split, so the test set measures how the
model does on voices it has never heard. Nothing leaves the machine: the export is a folder
next to the database, readable by its owner only.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import select

# Whisper trains on windows of at most 30 s; a longer dictation would need forced alignment.
MAX_EXAMPLE_S = 30.0


@dataclass(frozen=True)
class TrainingExample:
    id: str  # pseudonymous: not the dictation id
    audio: str  # relative to the export folder
    text: str
    speaker: str  # pseudonym
    dialect: str
    language: str
    duration_s: float


@dataclass(frozen=True)
class ExportSummary:
    tenant: str
    train: int
    test: int
    train_speakers: int
    test_speakers: int
    audio_hours: float
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def pseudonym(secret: str, value: str, prefix: str) -> str:
    return prefix + hashlib.sha256(f"{secret}:{value}".encode()).hexdigest()[:12]


def speaker_split(speakers: dict[str, int], test_fraction: float, seed: int = 0
                  ) -> tuple[set[str], set[str]]:
    """(train, test) speaker sets: whole speakers go to test, in a fixed pseudo-random order,
    until it holds `test_fraction` of the examples; train always keeps at least one."""
    order = sorted(speakers, key=lambda s: hashlib.sha256(f"{seed}:{s}".encode()).hexdigest())
    total, test = sum(speakers.values()), set()
    for speaker in order[:-1]:
        if sum(speakers[s] for s in test) >= test_fraction * total:
            break
        test.add(speaker)
    return set(order) - test, test


def export_training_data(store, tenant_name: str, out: Path, *, test_fraction: float = 0.2,
                         max_edit_rate: float = 0.5, seed: int = 0, audit=None
                         ) -> ExportSummary:
    from service.core.store import Dictation

    tenant = store.tenant_by_name(tenant_name)
    if tenant is None:
        raise LookupError(f"no tenant named '{tenant_name}'")
    (out / "audio").mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    skipped: Counter[str] = Counter()
    examples: list[TrainingExample] = []
    seen: set[object] = set()  # audio hashes and (speaker, text) pairs already taken
    with store.session() as s:
        rows = list(s.scalars(select(Dictation).where(
            Dictation.tenant_id == tenant.id, Dictation.approved_at.is_not(None))
            .order_by(Dictation.approved_at)))
    for row in rows:
        reason, example = _example(store, tenant.id, row, out, max_edit_rate, seen)
        if example is None:
            skipped[reason] += 1
            continue
        examples.append(example)
        if audit is not None:
            audit.record(tenant_id=tenant.id, actor="dikta-adapt-export", action="export",
                         resource_type="dictation", resource_id=row.id,
                         patient_ref=row.patient_ref, request_id=None)
    return _write(out, tenant_name, examples, skipped, test_fraction, seed)


def _example(store, tenant_id: str, row, out: Path, max_edit_rate: float, seen: set
             ) -> tuple[str, TrainingExample | None]:
    """The example of one approved dictation, or why it is left out (checks before the
    audio is decoded, cheapest first)."""
    from structuring.privacy import contains_national_id

    if not row.training_consent:
        return "no_consent", None
    if not row.audio_path or not Path(row.audio_path).is_file():
        return "audio_deleted", None
    draft, approved = _versions(store, row.id)
    if approved is None:
        return "no_approved_text", None
    if contains_national_id(approved):
        return "national_id_in_text", None  # masking it would no longer match the audio
    if draft is not None and _edit_rate(draft, approved) > max_edit_rate:
        return "rewritten_not_corrected", None
    speaker = pseudonym(tenant_id, row.speaker, "spk-") if row.speaker else "spk-ukjent"
    said = (speaker, " ".join(approved.lower().split()))
    if row.audio_sha256 in seen or said in seen:
        return "duplicate", None
    example_id = pseudonym(tenant_id, row.id, "utt-")
    target = out / "audio" / f"{example_id}.wav"
    duration = _write_audio(row, target)
    if duration is None:
        return "audio_unreadable", None
    if duration > MAX_EXAMPLE_S:
        target.unlink()
        return "longer_than_30s", None
    seen.update((row.audio_sha256, said))
    return "", TrainingExample(
        id=example_id, audio=f"audio/{example_id}.wav", text=approved, speaker=speaker,
        dialect=row.dialect or "ukjent", language=row.language or "nb",
        duration_s=round(duration, 2))


def _versions(store, dictation_id: str) -> tuple[str | None, str | None]:
    from service.core.store import NoteVersion

    with store.session() as s:
        # Newest first, so the first approval wins: an amendment made later may add what
        # was never said in the recording.
        versions = {v.kind: v.text for v in s.scalars(
            select(NoteVersion).where(NoteVersion.dictation_id == dictation_id)
            .order_by(NoteVersion.version.desc()))}
    return versions.get("asr_draft"), versions.get("approved")


def _edit_rate(draft: str, approved: str) -> float:
    """Share of the approved note's words the nurse had to change: a filter for notes that
    were rewritten rather than corrected, not an accuracy figure (that is `dikta eval
    corrections`, with evaluation's normaliser)."""
    import re

    import jiwer

    def words(text: str) -> str:
        return " ".join(re.findall(r"\w+", text.lower()))

    reference, hypothesis = words(approved), words(draft)
    if not reference:
        return 0.0 if not hypothesis else 1.0
    return jiwer.wer(reference, hypothesis or "∅")


def _write_audio(row, target: Path) -> float | None:
    import wave

    import numpy as np

    from pipelines.audio import SAMPLE_RATE_HZ, AudioOptions, decode_audio
    from service.core.audio_files import read_audio
    from structuring.errors import DiktaError

    try:
        audio = decode_audio(read_audio(row.audio_path), AudioOptions())
    except (DiktaError, OSError):
        return None
    with wave.open(str(target), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE_HZ)
        handle.writeframes((np.clip(audio.samples, -1, 1) * 32767).astype("<i2").tobytes())
    os.chmod(target, 0o600)
    return audio.duration_s


def _write(out: Path, tenant_name: str, examples: list[TrainingExample], skipped: Counter,
           test_fraction: float, seed: int) -> ExportSummary:
    per_speaker: dict[str, int] = defaultdict(int)
    for example in examples:
        per_speaker[example.speaker] += 1
    train_speakers, test_speakers = speaker_split(per_speaker, test_fraction, seed)
    warnings = []
    if len(per_speaker) < 2:
        warnings.append("fewer than two speakers: no speaker-disjoint test split")
    if "spk-ukjent" in per_speaker:
        warnings.append("dictations without a speaker are treated as one speaker")
    splits = {"train": [e for e in examples if e.speaker in train_speakers],
              "test": [e for e in examples if e.speaker in test_speakers]}
    for name, rows in splits.items():
        (out / f"{name}.jsonl").write_text("".join(
            json.dumps({**asdict(e), "tags": ["approved"]}, ensure_ascii=False) + "\n"
            for e in rows), encoding="utf-8")
        os.chmod(out / f"{name}.jsonl", 0o600)
    summary = ExportSummary(
        tenant=tenant_name, train=len(splits["train"]), test=len(splits["test"]),
        train_speakers=len(train_speakers), test_speakers=len(test_speakers),
        audio_hours=round(sum(e.duration_s for e in examples) / 3600, 4),
        skipped=dict(sorted(skipped.items())), warnings=tuple(warnings))
    (out / "summary.json").write_text(json.dumps(asdict(summary), indent=2) + "\n")
    return summary
