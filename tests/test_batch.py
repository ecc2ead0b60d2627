"""`dikta batch`: outputs per file, a summary, resumable, bad files reported not fatal."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from service.dictations.batch import STATE_FILE, expand_inputs, load_state
from tests.conftest import DIKTA, FIXTURES

pytestmark = pytest.mark.slow


@pytest.fixture
def recordings(tmp_path):
    folder = tmp_path / "opptak"
    (folder / "natt").mkdir(parents=True)
    shutil.copy(FIXTURES / "nb_feber.wav", folder / "feber.wav")
    shutil.copy(FIXTURES / "nb_alarm.ogg", folder / "natt" / "alarm.ogg")
    (folder / "natt" / "ødelagt.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    (folder / "notat.txt").write_text("ikke lyd")  # not an audio suffix: not picked up
    return folder


def run(*args, env):
    return subprocess.run([DIKTA, "batch", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def test_folder_batch_outputs_summary_and_resume(recordings, tmp_path, cli_env):
    out = tmp_path / "ut"
    first = run(str(recordings), "--out", str(out), "--workers", "2", env=cli_env)
    assert first.returncode == 1  # one file failed, the rest is done
    assert "files: 3, done: 2, already done: 0, failed: 1" in first.stdout
    assert "ødelagt.wav: not a recognisable audio file" in first.stdout
    assert "ETA" in first.stderr and "feber" not in first.stderr.lower()
    notes = sorted(p.name for p in out.glob("*.note.json"))
    assert len(notes) == 2 and len(list(out.glob("*.txt"))) == 2
    feber = next(out.glob("feber-*.txt")).read_text()
    assert "feber" in feber.lower()
    note = json.loads(next(out.glob("feber-*.note.json")).read_text())
    assert note["sentences"]
    state = load_state(out)
    assert sorted(r.status for r in state.values()) == ["done", "done", "failed"]
    # A rerun skips what is finished and only retries the failure.
    again = run(str(recordings), "--out", str(out), env=cli_env)
    assert "files: 3, done: 0, already done: 2, failed: 1" in again.stdout
    # Changed content is done again.
    shutil.copy(FIXTURES / "nb_lege.wav", recordings / "feber.wav")
    third = run(str(recordings), "--out", str(out), env=cli_env)
    assert "done: 1, already done: 1" in third.stdout


def test_globs_and_missing_files(recordings, tmp_path, cli_env):
    out = tmp_path / "ut"
    result = run(str(recordings / "**" / "*.ogg"), str(tmp_path / "borte.wav"),
                 "--out", str(out), env=cli_env)
    assert "files: 2, done: 1" in result.stdout and "borte.wav: no such file" in result.stdout
    assert (out / STATE_FILE).is_file()


def test_expand_inputs_dedupes_and_recurses(recordings):
    found = expand_inputs([str(recordings), str(recordings / "feber.wav")])
    assert sorted(p.name for p in found) == ["alarm.ogg", "feber.wav", "ødelagt.wav"]
