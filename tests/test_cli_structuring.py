"""`dikta structure`, `dikta note` and `dikta eval structuring` as real processes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import DIKTA, FIXTURES, ROOT

OWN_GOLD = Path(__file__).parent / "fixtures" / "structuring" / "own.jsonl"


def dikta(*args: str, env: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([DIKTA, *args], env=env, capture_output=True, text=True,
                          input=stdin, timeout=300)


def test_structure_from_stdin_as_text(cli_env):
    run = dikta("structure", "-", env=cli_env,
                stdin="puls åttiåtte punktum ga Paracet ett gram punktum")
    assert run.returncode == 0, run.stderr
    assert run.stdout == ("Respirasjon/sirkulasjon:\nPuls 88.\n\n"
                          "Legemidler:\nGa Paracet 1 g.\n")


def test_structure_argument_as_json_and_fhir(cli_env):
    run = dikta("structure", "--format", "json", "blodtrykk hundre og ti over sytti punktum",
                env=cli_env)
    note = json.loads(run.stdout)
    assert note["entities"] == [{"type": "vital.blood_pressure", "value": "110/70",
                                 "sentence": 0}]
    run = dikta("structure", "--format", "fhir", "puls sytti punktum", env=cli_env)
    assert json.loads(run.stdout)["resourceType"] == "Bundle"


def test_structure_without_text_is_a_usage_error(cli_env):
    run = dikta("structure", "-", env=cli_env, stdin="  ")
    assert run.returncode == 2 and "no dictation text" in run.stderr


@pytest.mark.slow
def test_note_transcribes_then_structures(cli_env):
    run = dikta("note", str(ROOT / "examples" / "dictation.wav"), "--format", "json",
                env=cli_env)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert "alarm" in result["transcript"].lower()
    # whisper-base mishears much of espeak's Norwegian; the note still gets every sentence.
    sentences = result["note"]["sentences"]
    assert len(sentences) >= 3 and all(s["section"] for s in sentences)
    # Every word of the transcript is somewhere in the note (numbers may be written as digits).
    note_words = set(" ".join(s["text"] for s in sentences).lower().split())
    said = [w.strip(".,") for w in result["transcript"].lower().split()]
    assert sum(w in note_words or w + "." in note_words for w in said) >= 0.8 * len(said)


@pytest.mark.slow
def test_note_on_silence_says_there_is_nothing(cli_env):
    run = dikta("note", str(FIXTURES / "silence.wav"), env=cli_env)
    assert run.returncode == 0 and run.stdout == ""
    assert "no speech" in run.stderr


def test_note_on_bad_audio_is_one_clear_line(cli_env, tmp_path):
    bad = tmp_path / "x.wav"
    bad.write_text("ikke lyd")
    run = dikta("note", str(bad), env=cli_env)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "not a recognisable audio file" in run.stderr


def test_eval_structuring_prints_and_writes_the_four_metrics(cli_env, tmp_path):
    out = tmp_path / "scores.json"
    run = dikta("eval", "structuring", str(OWN_GOLD), "--json", str(out), env=cli_env)
    assert run.returncode == 0, run.stderr
    for key in ("section_accuracy", "formatting_cer", "entity_f1", "event_f1"):
        assert f"{key}: " in run.stdout
    scores = json.loads(out.read_text())
    assert {"section_accuracy", "formatting_cer", "entity_f1", "event_f1"} <= set(scores)
    assert scores["dictations"] == 6


def test_eval_structuring_on_a_broken_file(cli_env, tmp_path):
    broken = tmp_path / "gold.jsonl"
    broken.write_text('{"id": "a"}\n')
    run = dikta("eval", "structuring", str(broken), env=cli_env)
    assert run.returncode == 1 and "missing spoken" in run.stderr


def test_structure_in_nynorsk_and_tenant_standard(cli_env, tmp_path):
    run = dikta("structure", "--standard", "nynorsk", "-", env=cli_env,
                stdin="hun ønsker ikke frokost punktum")
    assert run.returncode == 0, run.stderr
    assert "Ernæring/væske:\nHo ønskjer ikkje frukost." in run.stdout
    env = {**cli_env, "DIKTA_DATA_DIR": str(tmp_path)}
    assert dikta("keys", "create", "--tenant", "bygd", env=env).returncode == 0
    run = dikta("tenants", "set-standard", "bygd", "nynorsk", env=env)
    assert run.returncode == 0 and "bygd: notes written in nynorsk" in run.stdout
    missing = dikta("tenants", "set-standard", "ingen", "nynorsk", env=env)
    assert missing.returncode == 2 and "no tenant named 'ingen'" in missing.stderr


def test_eval_structuring_pools_several_files_and_names_each_ones_missed_targets(
        cli_env, tmp_path):
    first, second = tmp_path / "writer_a.jsonl", tmp_path / "writer_b.jsonl"
    rows = OWN_GOLD.read_text("utf-8").splitlines()
    first.write_text("\n".join(rows[:2]) + "\n", "utf-8")
    second.write_text("\n".join(rows[2:]) + "\n", "utf-8")
    out = tmp_path / "scores.json"
    run = dikta("eval", "structuring", str(first), str(second), "--json", str(out),
                env=cli_env)
    assert run.returncode == 0, run.stderr
    scores = json.loads(out.read_text())
    assert scores["dictations"] == 6  # pooled, as one file of all six
    assert [one["dictations"] for one in scores["files"].values()] == [2, 4]
    for path in (first, second):
        assert f"{path}: dictations " in run.stdout and "targets missed: " in run.stdout


def test_eval_structuring_scores_audio_for_one_file_only(cli_env, tmp_path):
    run = dikta("eval", "structuring", str(OWN_GOLD), str(OWN_GOLD), "--synthesize",
                str(tmp_path / "audio"), env=cli_env)
    assert run.returncode == 2 and "one gold file at a time" in run.stderr
    assert not (tmp_path / "audio").exists()
