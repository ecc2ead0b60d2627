"""Adaptation: training data from approved dictations, fine-tuning, the promotion gate."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from evaluation.loopback import running
from models.finetune import EarlyStopping, FineTuneOptions, fine_tune
from evaluation.promotion import decide
from service.adaptation.training_export import speaker_split
from service.http.app import create_app
from service.core.engine import Engine
from service.core.settings import RetentionSettings, ServiceSettings, Settings
from service.core.store import AuditEvent, Dictation
from tests.conftest import DIKTA, FIXTURES
from tests.tiny_whisper import build_mute_whisper, build_tiny_whisper

CLIPS = {row["audio"]: row for row in map(json.loads, (FIXTURES / "manifest.jsonl")
                                          .read_text().splitlines())}


def test_early_stopping_keeps_the_best_round_and_waits_patience_rounds():
    stopper = EarlyStopping(patience=2)
    marks = [stopper.update(round_, loss) for round_, loss in
             enumerate([3.0, 2.0, 2.5, 1.9, 2.0, 2.1], start=1)]
    assert marks == [True, True, False, True, False, False]
    assert stopper.best_round == 4 and stopper.should_stop


def test_speaker_split_keeps_each_speaker_on_one_side():
    counts = {f"spk-{i}": n for i, n in enumerate([5, 3, 8, 2, 4, 6, 1, 1])}
    train, test = speaker_split(counts, 0.2)
    assert train and test and not train & test and train | test == set(counts)
    assert sum(counts[s] for s in test) >= 0.2 * sum(counts.values())
    assert speaker_split({"spk-a": 10}, 0.5) == ({"spk-a"}, set())  # train is never empty


def _result(errors: list[int], words: list[int], hallucination: float = 0.0) -> dict:
    return {"wer": sum(errors) / sum(words), "per_utterance_errors": errors,
            "per_utterance_words": words, "hallucination_rate": hallucination}


def test_gate_promotes_only_better_overall_and_not_worse_per_dialect():
    dialects = ["nordnorsk"] * 6 + ["trøndersk"] * 6
    words = [10] * 12
    old = _result([3] * 12, words)
    better = _result([1] * 12, words)
    decision = decide(dialects, old, better)
    assert decision.promote and decision.new_wer < decision.old_wer
    assert all(not c.worse for c in decision.dialects)
    # Better on average, but clearly worse in Trøndelag: refused, with the reason.
    mixed = _result([0] * 6 + [5] * 6, words)
    refused = decide(dialects, old, mixed)
    assert not refused.promote
    assert any("worse on trøndersk" in r for r in refused.reasons)
    assert not decide(dialects, old, _result([3] * 12, words)).promote  # equal is not better
    assert not decide(dialects, old, _result([1] * 12, words, hallucination=0.5)).promote


def _fine_tune_data(tmp: Path) -> Path:
    data = tmp / "data"
    data.mkdir()
    names = ["nb_rolig_natt.wav", "nb_alarm.wav", "nb_lege.wav", "nb_frokost.wav"]
    train = [{"audio": str(FIXTURES / n), "text": CLIPS[n]["text"], "speaker": f"spk-{i % 2}",
              "dialect": "østlandsk"} for i, n in enumerate(names)]
    test = [{"audio": str(FIXTURES / "nb_feber.wav"), "text": CLIPS["nb_feber.wav"]["text"],
             "speaker": "spk-9", "dialect": "østlandsk"}]
    for name, rows in (("train", train), ("test", test)):
        (data / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return data


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> Path:
    return build_tiny_whisper(tmp_path_factory.mktemp("tiny") / "base")


@pytest.mark.parametrize("method, fall", [("lora", 0.05), ("full", 1.0)])
def test_fine_tuning_lowers_the_loss_and_converts(tmp_path, tiny_base, method, fall):
    options = FineTuneOptions(method=method, epochs=6, learning_rate=1e-2, batch_size=2,
                              patience=6)
    result = fine_tune(tiny_base, _fine_tune_data(tmp_path), tmp_path / "out", options)
    losses = [h.train_loss for h in result.history]
    assert min(losses[-3:]) < losses[0] - fall, losses
    assert all(h.test_loss is not None for h in result.history)
    assert set(result.ct2_dirs) == {"int8", "float16"}
    assert (result.hf_dir / "config.json").is_file()
    assert json.loads((tmp_path / "out" / "training.json").read_text())["options"]["method"] \
        == method


@pytest.mark.slow
def test_adapt_train_cli_registers_a_model_that_transcribes(tmp_path, tiny_base, cli_env):
    env = {**cli_env, "DIKTA_MODEL_DIR": str(tmp_path / "models")}
    run = subprocess.run([DIKTA, "adapt", "train", "--base", str(tiny_base), "--data",
                          str(_fine_tune_data(tmp_path)), "--out", str(tmp_path / "out"),
                          "--epochs", "2", "--batch-size", "2", "--name", "kommune-a-v1"],
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "epoch 1: train loss" in run.stderr and "registered: kommune-a-v1" in run.stdout
    listed = subprocess.run([DIKTA, "models", "list"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert "kommune-a-v1-float16" in listed.stdout
    spoken = subprocess.run([DIKTA, "transcribe", "--model", "kommune-a-v1", "--format",
                             "json", str(FIXTURES / "nb_feber.wav")], env=env,
                            capture_output=True, text=True, timeout=300)
    assert spoken.returncode == 0, spoken.stderr
    assert json.loads(spoken.stdout)["model"] == "kommune-a-v1"  # random weights: any text
    missing = subprocess.run([DIKTA, "adapt", "train", "--base", str(tmp_path / "none"),
                              "--data", str(tmp_path / "data"), "--out", str(tmp_path / "o2")],
                             env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and "not a transformers Whisper checkpoint" in missing.stderr


def _wait(url: str, key: str, dictation_id: str) -> dict:
    for _ in range(240):
        body = httpx.get(f"{url}/v1/dictations/{dictation_id}",
                         headers={"Authorization": f"Bearer {key}"}).json()
        if body["status"] in ("done", "failed", "dead"):
            return body
        time.sleep(0.5)
    raise AssertionError("dictation did not finish")


@pytest.mark.slow
def test_export_takes_consented_approved_dictations_split_by_speaker(tmp_path, engine,
                                                                     cli_env):
    settings = Settings(model_dir=engine.settings.model_dir, data_dir=tmp_path / "data",
                        service=ServiceSettings(request_max_bytes=5_000_000),
                        retention=RetentionSettings(training_audio_days=30))
    app = create_app(settings, engine=Engine(settings, manager=engine.manager))
    store = app.state.dikta.store
    key = store.create_key("kommune-a", "dictate read_notes approve")
    sent = [("nb_feber.wav", "sykepleier-1", True, "vestlandsk"),
            ("nb_frokost.wav", "sykepleier-1", True, "vestlandsk"),
            ("nb_feber.wav", "sykepleier-1", True, "vestlandsk"),  # the same recording again
            ("nb_lege.wav", "sykepleier-2", True, "trøndersk"),
            ("nb_alarm.wav", "sykepleier-3", True, "nordnorsk"),
            ("nb_alarm.mp3", "sykepleier-3", True, "nordnorsk"),  # rewritten, see below
            ("nb_rolig_natt.wav", "sykepleier-4", False, "østlandsk")]  # no consent
    rewritten = ("Samtale med datter om videre oppfølging, hun ønsker at moren får flere "
                 "besøk fra hjemmesykepleien og at fastlegen kontaktes om medisinene neste uke")
    ids = []
    with running(app) as url:
        headers = {"Authorization": f"Bearer {key}"}
        for name, speaker, consent, dialect in sent:
            created = httpx.post(f"{url}/v1/dictations", headers=headers,
                                 files={"file": (name, (FIXTURES / name).read_bytes())},
                                 data={"speaker": speaker, "dialect": dialect,
                                       "training_consent": str(consent).lower()})
            ids.append(created.json()["id"])
        drafts = set()
        for index, dictation_id in enumerate(ids):
            done = _wait(url, key, dictation_id)
            assert done["status"] == "done"
            drafts.add(done["transcript"])
            if index == 5:  # not a correction of what was said, but another note
                httpx.put(f"{url}/v1/dictations/{dictation_id}/note", headers=headers,
                          json={"text": rewritten})
            approved = httpx.post(f"{url}/v1/dictations/{dictation_id}/approve",
                                  headers=headers, json={"author": "sykepleier"}).json()
            assert approved["audio_stored"] is (dictation_id != ids[-1])  # consent keeps it
    env = {**cli_env, "DIKTA_DATA_DIR": str(tmp_path / "data")}
    out = tmp_path / "export"
    run = subprocess.run([DIKTA, "adapt", "export", "--tenant", "kommune-a", "--out", str(out),
                          "--test-fraction", "0.25"], env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["skipped"] == {"duplicate": 1, "no_consent": 1, "rewritten_not_corrected": 1}
    assert summary["train"] + summary["test"] == 4 and summary["test"] >= 1
    train, test = ([json.loads(line) for line in (out / f"{n}.jsonl").read_text().splitlines()]
                   for n in ("train", "test"))
    assert not {r["speaker"] for r in train} & {r["speaker"] for r in test}
    for row in train + test:
        assert row["speaker"].startswith("spk-") and "sykepleier" not in row["speaker"]
        assert (out / row["audio"]).stat().st_size > 10_000 and row["dialect"] != "ukjent"
        assert row["text"] in drafts  # approved as transcribed
    with store.session() as s:
        exported = s.query(AuditEvent).filter(AuditEvent.action == "export").count()
        assert exported == 4
        assert s.get(Dictation, ids[-1]).audio_path is None
    store.engine.dispose()


@pytest.mark.slow
def test_compare_refuses_a_worse_model_and_promotes_a_better_one(tmp_path, cli_env):
    manifest = tmp_path / "gate.jsonl"
    rows = [CLIPS[n] for n in ("nb_feber.wav", "nb_alarm.wav", "nb_lege.wav", "silence.wav")]
    manifest.write_text("".join(json.dumps({**r, "audio": str(FIXTURES / r["audio"])}) + "\n"
                                for r in rows))
    env = {**cli_env, "DIKTA_DATA_DIR": str(tmp_path / "data")}
    subprocess.run([DIKTA, "keys", "create", "--tenant", "kommune-a"], env=env, check=True,
                   capture_output=True)
    from models.convert import convert_checkpoint

    # Random weights that write nothing (not a babbling model: seconds, not a minute).
    tiny = convert_checkpoint(build_mute_whisper(tmp_path / "mute"), tmp_path / "tiny-ct2",
                              "int8")
    worse = subprocess.run([DIKTA, "adapt", "compare", "whisper-base", str(tiny), "--manifest",
                            str(manifest), "--tenant", "kommune-a", "--json",
                            str(tmp_path / "gate.json")], env=env, capture_output=True,
                           text=True, timeout=600)
    assert worse.returncode == 1, worse.stderr
    assert worse.stdout.startswith("NOT PROMOTED") and "not better overall" in worse.stdout
    better = subprocess.run([DIKTA, "adapt", "compare", str(tiny), "whisper-base",
                             "--manifest", str(manifest), "--tenant", "kommune-a"], env=env,
                            capture_output=True, text=True, timeout=600)
    assert better.returncode == 0, better.stdout + better.stderr
    assert better.stdout.startswith("PROMOTED") and "østlandsk" in better.stdout
    shown = subprocess.run([DIKTA, "adapt", "decisions", "--tenant", "kommune-a"], env=env,
                           capture_output=True, text=True, timeout=120)
    decisions = [json.loads(line) for line in shown.stdout.splitlines()]
    assert [d["promoted"] for d in decisions] == [True, False]
    assert decisions[0]["figures"]["dialects"][0]["dialect"] == "østlandsk"
    # The service default is another model here, so only the stored promotion can name
    # whisper-base (the fallback would show the default).
    other_default = {**env, "DIKTA_MODEL__NAME": str(tiny)}
    tenant = subprocess.run([DIKTA, "tenants", "show", "kommune-a"], env=other_default,
                            capture_output=True, text=True, timeout=120)
    assert json.loads(tenant.stdout)["model"] == "whisper-base"
    from service.core.store import Store

    stored = Store(f"sqlite:///{tmp_path / 'data' / 'dikta.db'}")
    assert stored.tenant_by_name("kommune-a").model == "whisper-base"
    stored.engine.dispose()
    assert json.loads((tmp_path / "gate.json").read_text())["promote"] is False
