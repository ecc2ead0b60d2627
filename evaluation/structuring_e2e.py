"""End to end: gold dictations as audio → ASR → structuring, scored against the gold notes.

A manifest pairs each gold dictation (by `id`) with a recording:

    {"id": "test-001", "audio": "test-001.wav"}      # audio relative to the manifest

`synthesize_gold` makes such a manifest with espeak-ng from the gold `spoken` text (the voice
commands are spoken too, as a nurse says them), so the cost of ASR errors on the note is
visible without recordings. Synthetic speech says little about real nurses' voices; it shows
which ASR slips the structuring stage survives.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from evaluation.gold import json_lines
from evaluation.synthetic import VOICES, _sox
from models.manifest import ManifestError


def read_audio_manifest(path: Path, gold_rows: Sequence[dict]) -> list[tuple[dict, Path]]:
    """(gold row, audio path) for every manifest row whose id is in the gold file."""
    by_id = {row["id"]: row for row in gold_rows}
    pairs = []
    for number, record in json_lines(path, ManifestError):
        if not record.get("audio") or record.get("id") not in by_id:
            raise ManifestError(f"{path}:{number}: needs audio and an id from the gold file")
        pairs.append((by_id[record["id"]], (Path(path).parent / record["audio"]).resolve()))
    if not pairs:
        raise ManifestError(f"{path} holds no rows")
    return pairs


def synthesize_gold(gold_rows: Sequence[dict], out: Path) -> Path:
    """espeak-ng recordings of each dictation's `spoken` text, and their manifest."""
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, row in enumerate(gold_rows):
            voice, rate, _ = VOICES[index % len(VOICES)]
            raw = Path(tmp) / "raw.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-g", "4", "-w",
                            str(raw), row["spoken"]], check=True, capture_output=True)
            name = f"{row['id']}.wav"
            _sox([str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out / name), "gain",
                  "-n", "-3", "pad", "0.3", "0.3"])
            rows.append({"id": row["id"], "audio": name, "text": row["spoken"],
                         "tags": ["synthetic"]})
    manifest = out / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                        encoding="utf-8")
    return manifest


def structure_audio(pairs: Sequence[tuple[dict, Path]], transcribe: Callable[[Path], str]
                    ) -> tuple[list[dict], list, list[str]]:
    """(gold rows, notes from the ASR transcripts, transcripts), in manifest order."""
    from structuring.pipeline import structure

    rows, notes, transcripts = [], [], []
    for row, audio in pairs:
        text = transcribe(audio)
        rows.append(row)
        transcripts.append(text)
        notes.append(structure(text or " ", language=row.get("language", "nb")))
    return rows, notes, transcripts
