"""The ASR evaluation harness: numbers checked against hand-computed ones, then end to end."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from evaluation.asr_eval import Hypothesis, compare, failed_gates, score
from models.manifest import ManifestRow, read_manifest
from evaluation.metrics import bootstrap_interval, paired_bootstrap_p, term_recall
from evaluation.normalize import NorwegianNormalizer
from tests.conftest import DIKTA, FIXTURES


def rows_and_hyps():
    rows = [
        ManifestRow(Path("a.wav"), "hun fikk Marevan i dag", "s1", "trøndersk"),   # 5 words
        ManifestRow(Path("b.wav"), "puls 80", "s2", "nordnorsk"),                 # 2 words
        ManifestRow(Path("c.wav"), "", tags=("silence",)),
        ManifestRow(Path("d.wav"), "", tags=("noise",)),
    ]
    hyps = [
        Hypothesis("a.wav", "hun fikk Marevan idag", 4.0, 1.0),  # 1 sub + 1 del = 2 errors
        Hypothesis("b.wav", "Puls åtti.", 2.0, 0.5),             # 80 → åtti: 0 errors
        Hypothesis("c.wav", "", 3.0, 0.25),
        Hypothesis("d.wav", "Teksting av noen", 3.0, 0.25),      # 3 invented words
    ]
    return rows, hyps


def test_scores_by_hand():
    rows, hyps = rows_and_hyps()
    result = score(rows, hyps, NorwegianNormalizer())
    assert result["wer"] == pytest.approx(2 / 7)
    assert (result["substitutions"], result["deletions"], result["insertions"]) == (1, 1, 0)
    assert result["by_dialect"]["trøndersk"]["wer"] == pytest.approx(2 / 5)
    assert result["by_dialect"]["nordnorsk"]["wer"] == 0.0
    assert result["by_speaker"]["s1"]["utterances"] == 1
    assert result["hallucination_rate"] == 0.5 and result["hallucinated_words"] == 3
    assert result["medical_term_recall"] == 1.0  # "marevan" said once, recognised once
    assert result["rtfx"] == pytest.approx(12.0 / 2.0)
    assert result["latency_p50_s"] == 0.25 and result["latency_p99_s"] == 1.0
    assert result["wer_exact"] > result["wer"]  # case and punctuation count when exact


def test_bootstrap_interval_contains_the_rate_and_is_reproducible():
    errors, totals = [0, 1, 2, 0, 5, 1], [5, 5, 5, 5, 5, 5]
    low, high = bootstrap_interval(errors, totals, seed=1)
    assert low <= sum(errors) / sum(totals) <= high
    assert bootstrap_interval(errors, totals, seed=1) == (low, high)
    assert bootstrap_interval([2] * 6, totals) == (0.4, 0.4)


def test_paired_test_separates_clear_from_no_difference():
    totals = [10] * 30
    assert paired_bootstrap_p([5] * 30, [1] * 30, totals) < 0.01
    assert paired_bootstrap_p([3, 1] * 15, [1, 3] * 15, totals) > 0.5


def test_term_recall():
    recall, found, said = term_recall(["marevan", "insulin aspart"],
                                      ["ga marevan og insulin aspart", "marevan"],
                                      ["ga maravan og insulin aspart", "marevan"])
    assert (recall, found, said) == (2 / 3, 2, 3)


def test_gates():
    assert failed_gates({"wer": 0.3}, ["wer>0.25"]) == ["wer>0.25 (is 0.3000)"]
    assert failed_gates({"wer": 0.2, "hallucination_rate": 0.0},
                        ["wer>0.25", "hallucination_rate>0"]) == []
    with pytest.raises(ValueError, match="unknown metric"):
        failed_gates({"wer": 0.2}, ["werr>0.1"])


def test_comparison_against_the_first_system():
    rows, hyps = rows_and_hyps()
    base = score(rows, hyps)
    better = score(rows, [Hypothesis("a.wav", "hun fikk Marevan i dag", 4, 1)] + hyps[1:])
    (result,) = compare({"base": base, "better": better})
    assert result["wer_difference"] == pytest.approx(-2 / 7)


def test_csv_manifest(tmp_path):
    (tmp_path / "m.csv").write_text("audio,text,speaker,dialect,tags\n"
                                    "x.wav,hei,s1,vestlandsk,real;long\n")
    (row,) = read_manifest(tmp_path / "m.csv")
    assert row.audio == (tmp_path / "x.wav").resolve() and row.tags == ("real", "long")


@pytest.mark.slow
def test_end_to_end_with_two_settings_reports_and_gate(tmp_path, cli_env):
    out = tmp_path / "rapport"
    run = subprocess.run([DIKTA, "eval", "asr", str(FIXTURES / "manifest.jsonl"),
                          "--variant", "beam1:beam_size=1", "--out", str(out),
                          "--json", str(tmp_path / "r.json"), "--fail-if", "wer>0.95"],
                         env=cli_env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    for key in ("wer", "cer", "rtfx", "latency_p50_s", "latency_p95_s", "by_dialect",
                "medical_term_recall", "hallucination_rate"):
        assert key in result
    assert result["hallucination_rate"] == 0.0 and result["quiet_clips"] == 2
    assert set(result["systems"]) == {"whisper-base", "beam1"}
    assert result["comparisons"][0]["system"] == "beam1"
    assert {"report.md", "report.html", "wer_by_dialect.png", "latency.png", "rtfx.png",
            "hypotheses-beam1.jsonl"} <= {p.name for p in out.iterdir()}
    assert "data:image/png;base64," in (out / "report.html").read_text()
    gated = subprocess.run([DIKTA, "eval", "asr", str(FIXTURES / "manifest.jsonl"),
                            "--fail-if", "wer<0.99"], env=cli_env, capture_output=True,
                           text=True, timeout=600)
    assert gated.returncode == 1 and "gate failed: wer<0.99" in gated.stderr


@pytest.mark.slow
def test_synthetic_manifest_covers_voices_noise_phone_and_quiet(tmp_path):
    from evaluation.synthetic import build_manifest

    rows = read_manifest(build_manifest(tmp_path))
    tags = {t for r in rows for t in r.tags}
    assert {"synthetic", "telephone", "noisy", "silence", "noise"} <= tags
    assert len({r.speaker for r in rows if not r.is_quiet}) == 2
    assert len({r.dialect for r in rows if not r.is_quiet}) == 5
    assert all(r.audio.is_file() for r in rows)
