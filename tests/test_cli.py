"""The `dikta` command as a nurse's IT operator runs it: real process, real model."""

from __future__ import annotations

import json
import subprocess
import wave

import numpy as np
import pytest

from evaluation.normalize import cer
from pipelines.audio import SAMPLE_RATE_HZ, decode_audio
from tests.conftest import DIKTA, FIXTURES, ROOT

pytestmark = pytest.mark.slow


def dikta(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([DIKTA, *args], env=env, capture_output=True, text=True, timeout=300,
                          **kwargs)


def test_version(cli_env):
    run = dikta("--version", env=cli_env)
    assert run.returncode == 0 and run.stdout.startswith("dikta, version ")


def test_transcribe_the_example_dictation(cli_env):
    run = dikta("transcribe", str(ROOT / "examples" / "dictation.wav"), env=cli_env)
    assert run.returncode == 0, run.stderr
    spoken = (ROOT / "examples" / "dictation.txt").read_text(encoding="utf-8")
    assert cer(spoken, run.stdout) <= 0.45
    assert "alarm" in run.stdout.lower()


@pytest.mark.parametrize("fmt", ["json", "srt", "vtt"])
def test_output_formats(cli_env, fmt):
    run = dikta("transcribe", "--format", fmt, str(FIXTURES / "nb_feber.wav"), env=cli_env)
    assert run.returncode == 0, run.stderr
    if fmt == "json":
        result = json.loads(run.stdout)
        assert "feber" in result["text"].lower()
        assert result["segments"][0]["words"]
        assert result["model"] == "whisper-base" and result["language"] == "no"
    elif fmt == "srt":
        assert run.stdout.startswith("1\n00:00:0") and " --> " in run.stdout
    else:
        assert run.stdout.startswith("WEBVTT\n\n00:00:0")


def test_out_dir_gets_one_file_per_recording(cli_env, tmp_path):
    run = dikta("transcribe", "--out", str(tmp_path), "--format", "txt",
                str(FIXTURES / "nb_feber.wav"), str(FIXTURES / "nb_alarm.ogg"), env=cli_env)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb_alarm.txt", "nb_feber.txt"]
    assert "feber" in (tmp_path / "nb_feber.txt").read_text().lower()


def test_silence_prints_nothing(cli_env):
    run = dikta("transcribe", str(FIXTURES / "silence.wav"), str(FIXTURES / "noise.wav"),
                env=cli_env)
    assert run.returncode == 0
    assert run.stdout.replace("==> ", "").count(" <==") == 2
    lines = [l for l in run.stdout.splitlines() if not l.startswith("==> ")]
    assert lines == []


def test_bad_files_give_one_line_each_and_the_good_one_is_still_done(cli_env, tmp_path):
    empty = tmp_path / "tom.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notat.m4a"
    text.write_text("ikke lyd")
    truncated = tmp_path / "avbrutt.wav"
    data = (FIXTURES / "nb_alarm.wav").read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    missing = tmp_path / "borte.wav"
    run = dikta("transcribe", str(empty), str(text), str(truncated), str(missing),
                str(FIXTURES / "nb_feber.wav"), env=cli_env)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = run.stderr.strip().splitlines()
    assert len(errors) == 4
    assert "tom.wav: the file is empty" in errors[0]
    assert "notat.m4a: not a recognisable audio file" in errors[1]
    assert "avbrutt.wav: the WAV file is truncated" in errors[2]
    assert "borte.wav: no such file" in errors[3]
    assert "feber" in run.stdout.lower()


def test_audio_over_the_maximum_duration(cli_env):
    env = {**cli_env, "DIKTA_AUDIO__MAX_DURATION_S": "2"}
    run = dikta("transcribe", str(FIXTURES / "nb_alarm.wav"), env=env)
    assert run.returncode == 1
    assert "over the limit of 2.0 s" in run.stderr and "Traceback" not in run.stderr


def test_unknown_model_and_bad_language_are_usage_errors(cli_env):
    run = dikta("transcribe", "--model", "large-v9", str(FIXTURES / "nb_feber.wav"),
                env=cli_env)
    assert run.returncode == 1 and "no model named 'large-v9'" in run.stderr
    run = dikta("transcribe", "--language", "sv", str(FIXTURES / "nb_feber.wav"), env=cli_env)
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_progress_is_shown_for_long_recordings_without_text(cli_env, tmp_path):
    # ~95 s, mostly pauses. Different sentences: Whisper tends to emit an exact repeat once.
    first, second = (decode_audio(FIXTURES / f"{n}.wav").samples for n in ("nb_feber", "nb_lege"))
    gap = np.zeros(40 * SAMPLE_RATE_HZ, dtype=np.float32)
    long = np.concatenate([first, gap, second, gap, first])
    path = tmp_path / "lang.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE_HZ)
        out.writeframes((long * 32767).astype("<i2").tobytes())
    run = dikta("transcribe", str(path), env=cli_env)
    assert run.returncode == 0, run.stderr
    assert "lang.wav: 100% of 1.6 min" in run.stderr
    assert "feber" not in run.stderr.lower()
    assert run.stdout.lower().count("feber") == 2


def test_models_list_and_verify(cli_env):
    listed = dikta("models", "list", env=cli_env)
    assert listed.returncode == 0 and "whisper-base" in listed.stdout
    assert "ready" in listed.stdout and "default" in listed.stdout
    verified = dikta("models", "verify", "whisper-base", env=cli_env)
    assert verified.returncode == 0 and "whisper-base: ok" in verified.stdout


def test_models_add_refuses_a_directory_that_is_no_model(cli_env, tmp_path):
    env = {**cli_env, "DIKTA_MODEL_DIR": str(tmp_path / "cache")}
    run = dikta("models", "add", "tom", str(tmp_path), env=env)
    assert run.returncode == 1 and "missing model.bin" in run.stderr
