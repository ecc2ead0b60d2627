from __future__ import annotations

import json

import pytest

from evaluation.bench_asr import run_asr_benchmark, write_result
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow


def test_asr_benchmark_compares_plain_and_dikta_on_the_same_audio(engine, tmp_path):
    files = [FIXTURES / "nb_feber.wav", FIXTURES / "npsc_short.mp3"]
    result = run_asr_benchmark(engine, files, repeats=1)
    assert result.audio_s == pytest.approx(sum(engine.decode(f)[0].duration_s for f in files))
    assert result.plain_rtfx > 0 and result.dikta_rtfx > 0
    assert "ratio dikta/plain RTFx" in result.summary()
    saved = json.loads(write_result(result, tmp_path / "r.json").read_text())
    assert saved["machine"]["cpu_count"] >= 1
    assert set(saved) >= {"plain_rtfx", "dikta_rtfx", "overhead", "files", "measured_at"}
