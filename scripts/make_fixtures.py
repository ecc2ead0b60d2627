#!/usr/bin/env python3
"""Regenerate the committed audio fixtures from text with espeak-ng, sox and ffmpeg.

Run from the repository root: `python scripts/make_fixtures.py`. Deterministic for a given
espeak-ng version; the outputs are committed (well under 2 MB) so tests need none of these
tools. The NPSC clips (real speech, CC0) are copied from ../shared/data/asr/ where present.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "audio"
EXAMPLES = ROOT / "examples"
SHARED_ASR = ROOT.parent / "shared" / "data" / "asr"
RATE_HZ = 16_000
# Measured on whisper-base: 120 words/min with 4 (10 ms) gaps between words gave the lowest
# error of the settings tried (see docs/benchmarks.md); faster speech is much worse.
ESPEAK = ["espeak-ng", "-v", "nb", "-s", "120", "-g", "4"]

CLIPS = {
    "nb_rolig_natt": "Pasienten har hatt en rolig natt og sov godt.",
    "nb_alarm": "Trygghetsalarmen ble utløst i natt, men det var falsk alarm.",
    "nb_lege": "Jeg ringte legen og fastlegen kommer i morgen.",
    "nb_feber": "Hun har vondt i magen og har feber.",
    "nb_frokost": "Pasienten spiste frokost og drakk to glass vann.",
}
FORMAT_SOURCE = "nb_alarm"
FORMATS = {  # extension: ffmpeg output arguments
    "mp3": ["-c:a", "libmp3lame", "-b:a", "32k"],
    "m4a": ["-c:a", "aac", "-b:a", "32k"],
    "ogg": ["-c:a", "libopus", "-b:a", "24k"],
    "webm": ["-c:a", "libopus", "-b:a", "24k"],
    "flac": ["-c:a", "flac"],
}
DEMO_TEXT = (
    "Pasienten har hatt en rolig natt. Blodtrykket var hundre og førti over nitti, "
    "og pulsen var sytti to. Hun fikk en tablett paracetamol klokken åtte. "
    "Trygghetsalarmen ble utløst klokken tre, men det var falsk alarm."
)


def speak(text: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run([*ESPEAK, "-w", str(raw), text], check=True)
        # 16 kHz mono with half a second of silence each side, as a phone recording has.
        subprocess.run(["sox", str(raw), "-r", str(RATE_HZ), "-c", "1", "-b", "16", str(target),
                        "gain", "-n", "-1", "pad", "0.5", "0.5"], check=True)


def write_wav(path: Path, samples: np.ndarray) -> None:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE_HZ)
        out.writeframes(pcm.tobytes())


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    EXAMPLES.mkdir(exist_ok=True)
    rows = []
    for name, text in CLIPS.items():
        speak(text, FIXTURES / f"{name}.wav")
        rows.append({"audio": f"{name}.wav", "text": text, "speaker": "espeak-nb",
                     "dialect": "østlandsk", "language": "nb", "tags": ["synthetic"]})
    for ext, args in FORMATS.items():
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i",
                        str(FIXTURES / f"{FORMAT_SOURCE}.wav"), *args,
                        str(FIXTURES / f"{FORMAT_SOURCE}.{ext}")], check=True)
    rng = np.random.default_rng(20261123)
    write_wav(FIXTURES / "silence.wav", np.zeros(3 * RATE_HZ))
    write_wav(FIXTURES / "noise.wav", rng.normal(0, 0.1, 3 * RATE_HZ))
    rows += [{"audio": "silence.wav", "text": "", "tags": ["silence"]},
             {"audio": "noise.wav", "text": "", "tags": ["noise"]}]
    for clip in ("npsc_short.mp3", "npsc_medium.mp3"):
        if (SHARED_ASR / clip).is_file():
            shutil.copyfile(SHARED_ASR / clip, FIXTURES / clip)
    for line in (SHARED_ASR / "dev_manifest.jsonl").read_text().splitlines():
        rows.append({**json.loads(line), "tags": ["real", "npsc"]})
    (FIXTURES / "manifest.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    speak(DEMO_TEXT, EXAMPLES / "dictation.wav")
    (EXAMPLES / "dictation.txt").write_text(DEMO_TEXT + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
