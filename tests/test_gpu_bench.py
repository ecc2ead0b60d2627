"""The GPU benchmark command runs end to end on CPU with a tiny random model."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import DIKTA

pytestmark = pytest.mark.slow


def test_gpu_benchmark_runs_on_cpu_and_says_random_weights(tmp_path, cli_env):
    run = subprocess.run([DIKTA, "bench", "gpu", "--shape", "tiny", "--device", "cpu",
                          "--compute-type", "int8", "--batch-size", "1", "--batch-size", "2",
                          "--seconds", "60"], env=cli_env, capture_output=True, text=True,
                         cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "RANDOM WEIGHTS: speed only" in run.stdout
    assert "int8 batch 1:" in run.stdout and "int8 batch 2:" in run.stdout
    (saved,) = (tmp_path / "benchmarks" / "results").glob("gpu-cpu-*.json")
    result = json.loads(saved.read_text())
    assert result["random_weights"] and len(result["rows"]) == 2
    assert result["machine"]["cpu_count"] >= 1
