"""A synthetic Norwegian dev manifest from text: espeak-ng voices and rates, added noise and
telephone-band filtering — to exercise every path of the harness (not to rank models)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

SENTENCES = [
    ("Pasienten har hatt en rolig natt.", "østlandsk"),
    ("Hun fikk Paracet klokken åtte.", "østlandsk"),
    ("Blodtrykket var hundre og førti over nitti.", "vestlandsk"),
    ("Han tok Marevan i går kveld.", "trøndersk"),
    ("Trygghetsalarmen ble utløst i natt.", "nordnorsk"),
    ("Såret på leggen er rent og tørt.", "sørlandsk"),
]
VOICES = [("nb", 120, "espeak-nb-m"), ("nb+f3", 130, "espeak-nb-f3")]


def _sox(args: list[str]) -> None:
    subprocess.run(["sox", *args], check=True, capture_output=True)


def read_sentences(path: Path) -> list[tuple[str, str]]:
    """(text, dialect) pairs from a JSONL file of {"text": …, "dialect": …} lines."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [(r["text"], r.get("dialect", "ukjent")) for r in rows]


def build_manifest(out: Path, *, seed: int = 7,
                   sentences: list[tuple[str, str]] | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, (text, dialect) in enumerate(sentences or SENTENCES):
            voice, rate, speaker = VOICES[index % len(VOICES)]
            raw = Path(tmp) / "raw.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-g", "4", "-w",
                            str(raw), text], check=True)
            clean = out / f"syn-{index:02d}.wav"
            _sox([str(raw), "-r", "16000", "-c", "1", "-b", "16", str(clean), "gain", "-n",
                  "-3", "pad", "0.3", "0.3"])
            rows.append({"audio": clean.name, "text": text, "speaker": speaker,
                         "dialect": dialect, "language": "nb", "tags": ["synthetic"]})
            if index % 2 == 0:  # a phone line: 300–3400 Hz, 8 kHz, then back to 16 kHz
                phone = out / f"syn-{index:02d}-telefon.wav"
                _sox([str(clean), "-r", "8000", str(Path(tmp) / "p.wav"), "sinc", "300-3400"])
                _sox([str(Path(tmp) / "p.wav"), "-r", "16000", str(phone)])
                rows.append({**rows[-1], "audio": phone.name, "tags": ["synthetic", "telephone"]})
            else:  # background noise at about 15 dB SNR
                noisy = out / f"syn-{index:02d}-stoy.wav"
                _sox([str(clean), str(noisy)])
                _add_noise(noisy, rng)
                rows.append({**rows[-1], "audio": noisy.name, "tags": ["synthetic", "noisy"]})
    for name, tag in (("stille.wav", "silence"), ("stoy.wav", "noise")):
        samples = np.zeros(3 * 16000) if tag == "silence" else rng.normal(0, 0.08, 3 * 16000)
        _write(out / name, samples)
        rows.append({"audio": name, "text": "", "speaker": "none", "dialect": "ukjent",
                     "tags": [tag]})
    manifest = out / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                        encoding="utf-8")
    return manifest


def _add_noise(path: Path, rng: np.random.Generator) -> None:
    import wave

    with wave.open(str(path)) as handle:
        samples = np.frombuffer(handle.readframes(handle.getnframes()), "<i2") / 32768.0
    power = float(np.mean(samples ** 2)) or 1e-6
    noisy = samples + rng.normal(0, np.sqrt(power / 10 ** 1.5), samples.size)
    _write(path, noisy)


def _write(path: Path, samples: np.ndarray) -> None:
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
