"""Every `dikta …` command in the README's ```sh blocks runs, as written, with its
placeholders filled in from the table below; and `make demo` prints a transcript and a note.

Optional parts (`[--format text|json|fhir]`) are included, and each alternative is run at
least once; `a | b | c` after a command group runs each subcommand. Long-running commands
(`serve`, `worker`) and `batch` (a process pool) run as real processes, the long-running
ones stopped once they have shown they work; training and benchmarks get the tiny random
model and their smallest options (EXTRA_ARGS).
The rest run in this process through the CLI's own click entry point (`service.cli:main`),
which saves a Python start and a model load per command.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from evaluation.loopback import free_port
from tests.conftest import DIKTA, FIXTURES, ROOT
from tests.needs import need_redis
from tests.tiny_whisper import build_mute_whisper

pytestmark = pytest.mark.slow
README = ROOT / "README.md"
SHARED_DEV = ROOT.parent / "shared" / "data" / "structuring" / "dev.jsonl"
TENANT = "Nordre Follo"
WORKER_BROKER = "redis://127.0.0.1:6379/14"


def readme_commands() -> list[str]:
    """The `dikta` lines of the README's sh blocks, comments removed."""
    text = README.read_text(encoding="utf-8")
    lines = [line for block in re.findall(r"```sh\n(.*?)```", text, re.S)
             for line in block.splitlines()]
    commands = [re.sub(r"\s+#.*$", "", line).strip() for line in lines]
    return [c for c in commands if re.search(r"(^|\| )dikta\b", c)]


def expand(line: str) -> list[tuple[list[str], str | None]]:
    """A README line → concrete (argv, stdin) runs with placeholders still in."""
    stdin = None
    piped = re.match(r'echo "(.*?)" \| (dikta .*)$', line)
    if piped:
        stdin, line = piped.group(1) + "\n", piped.group(2)
    line = line.replace("…", "").replace("FILES...", "FILES")
    # `dikta models list | verify | add …`: alternative subcommands of one group.
    top = re.split(r" \| (?![^\[]*\])", line)
    if len(top) > 1:
        prefix = top[0].rsplit(" ", 1)[0]
        variants = [top[0]] + [f"{prefix} {alt}" for alt in top[1:]]
        return [run for variant in variants for run in expand(variant)]
    # Optional groups: included; alternatives inside them ("a | b", "x|y") spread over runs.
    groups = re.findall(r"\[([^\]]*)\]", line)
    choices = []
    for group in groups:
        options = []
        for alternative in group.split(" | "):
            tokens = alternative.split()
            spread = [t.split("|") if "|" in t else [t] for t in tokens]
            width = max(len(s) for s in spread)
            options += [" ".join(s[i % len(s)] for s in spread) for i in range(width)]
        choices.append(options)
    count = max((len(c) for c in choices), default=1)
    runs = []
    for i in range(count):
        concrete = line
        for group, options in zip(groups, choices):
            concrete = concrete.replace(f"[{group}]", options[i % len(options)], 1)
        runs.append((shlex.split(concrete)[1:], stdin))  # without the leading "dikta"
    return runs


@pytest.fixture(scope="module")
def world(tmp_path_factory, settings):
    """Real values for the placeholders: files, folders, a tenant, the tiny model."""
    from models.convert import convert_checkpoint
    from service.core.settings import Settings
    from service.core.store import open_store
    from models.registry import ModelRegistry
    from tests.test_adapt import _fine_tune_data

    tmp = tmp_path_factory.mktemp("readme")
    models = tmp / "models"  # registrations (models add, adapt train) stay in here
    models.mkdir()
    (models / "whisper-base").symlink_to(settings.model_dir / "whisper-base")
    data = tmp / "data"
    tiny_hf = build_mute_whisper(tmp / "tiny-hf")
    tiny = convert_checkpoint(tiny_hf, tmp / "tiny-ct2", "int8")
    ModelRegistry(models).add("whisper-base-kopi", settings.model_dir / "whisper-base")
    recordings = {}  # short recordings in the README's formats, from one 3-second clip
    for name in ("opptak.m4a", "notat.ogg"):
        recordings[name] = tmp / name
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(FIXTURES / "nb_feber.wav"),
                        str(recordings[name])], check=True)
    train_data = _fine_tune_data(tmp)
    manifest = tmp / "manifest.jsonl"
    manifest.write_text("".join(json.dumps({"audio": str(FIXTURES / a), "text": t,
                                            "speaker": "s", "dialect": "østlandsk"}) + "\n"
                                for a, t in (("nb_feber.wav", "Hun har vondt i magen og har "
                                                              "feber."),
                                             ("silence.wav", ""))), encoding="utf-8")
    (tmp / "opptak").mkdir()
    (tmp / "opptak" / "nb_feber.wav").write_bytes((FIXTURES / "nb_feber.wav").read_bytes())
    (tmp / "arkiv" / "2025").mkdir(parents=True)
    (tmp / "arkiv" / "2025" / "opptak.m4a").write_bytes(recordings["opptak.m4a"].read_bytes())
    (tmp / "termar.txt").write_text("Marevan\nParacet\nFurix\n", encoding="utf-8")
    env = {"DIKTA_MODEL_DIR": str(models), "DIKTA_DATA_DIR": str(data),
           "DIKTA_WORKER__BROKER_URL": WORKER_BROKER}
    store = open_store(Settings(model_dir=models, data_dir=data))
    store.create_key(TENANT)  # T of the adaptation commands
    store.engine.dispose()
    port = str(free_port())
    placeholders = {  # token, or "previous-token token", → value
        "examples/dictation.wav": str(ROOT / "examples" / "dictation.wav"),
        "opptak.m4a": str(recordings["opptak.m4a"]),
        "notat.ogg": str(recordings["notat.ogg"]),
        "ut/": str(tmp / "ut"),
        "../shared/data/structuring/dev.jsonl": str(SHARED_DEV if SHARED_DEV.is_file() else
                                                    ROOT / "tests" / "fixtures" /
                                                    "structuring" / "own.jsonl"),
        **{f"evaluation/data/structuring/{name}": str(ROOT / "evaluation" / "data" /
                                                       "structuring" / name)
           for name in ("test30.jsonl", "test31.jsonl")},
        "scores.json": str(tmp / "scores.json"),
        "manifest.jsonl": str(manifest),
        "A": "whisper-base", "B": "whisper-base-kopi",
        "rapport/": str(tmp / "rapport"),
        "/tmp/syn": str(tmp / "syn"),
        "FILES": str(FIXTURES / "nb_feber.wav"),
        "--model DIR": str(tiny),
        "--out DIR": str(tmp / "export"),
        "--data DIR": str(train_data),
        "DIR/test.jsonl": str(train_data / "test.jsonl"),
        "opptak/": str(tmp / "opptak"),
        "arkiv/**/*.m4a": str(tmp / "arkiv" / "**" / "*.m4a"),
        "N": "1",
        "NAME": "lagt-til", "PATH": str(tiny),
        "HF_DIR": str(tiny_hf), "OUT": str(tmp / "converted"),
        "--out OUT": str(tmp / "trained"),
        "T": TENANT,
        "termar.txt": str(tmp / "termar.txt"),
        "8000": port,
        "/data/nb-whisper-large": str(tiny_hf),
        "/srv/dikta/nb-whisper-large": str(tmp / "nb-whisper-large"),
    }
    return {"tmp": tmp, "env": env, "placeholders": placeholders, "tiny": tiny,
            "port": port, "data": data}


# Smallest options for commands that would train or benchmark for minutes, and the tiny
# model for benchmarks that only measure speed.
EXTRA_ARGS = {
    ("adapt", "train"): ["--epochs", "1", "--batch-size", "2"],
    ("bench", "asr"): ["--repeats", "1"],
    ("bench", "gpu"): ["--seconds", "5", "--batch-size", "1"],
}
TINY_MODEL_FOR = {("bench", "throughput"), ("bench", "asr")}
# A process pool forked from this (threaded) test process can deadlock: own process.
IN_OWN_PROCESS = {"batch"}
EXIT_CODES = {("adapt", "compare"): 1}  # a random-weight model is NOT PROMOTED: exit 1


def concrete(argv: list[str], world) -> list[str]:
    table = world["placeholders"]
    out = []
    for index, token in enumerate(argv):
        pair = f"{argv[index - 1]} {token}" if index else token
        out.append(table.get(pair, table.get(token, token)))
    leftover = [t for t in out if re.fullmatch(r"[A-Z][A-Z_]*(/.*)?", t)]
    assert not leftover, f"README placeholder(s) {leftover} need a value in the test's table"
    out += EXTRA_ARGS.get(tuple(out[:2]), [])
    if tuple(out[:2]) == ("bench", "gpu") and not _cuda():
        # "on a CUDA machine". Without one: on the CPU, in int8 (the CPU has no float16),
        # and with the tiny shape (random base/large-v3 weights would take minutes to build).
        out = ["int8" if t == "float16" else t for t in out] + ["--device", "cpu"]
        out = [("tiny" if i and out[i - 1] == "--shape" else t) for i, t in enumerate(out)]
    return out


def _cuda() -> bool:
    import ctranslate2

    return ctranslate2.get_cuda_device_count() > 0


def all_runs(world) -> list[tuple[str, list[str], str | None]]:
    return [(line, concrete(argv, world), stdin) for line in readme_commands()
            for argv, stdin in expand(line)]


def test_the_readme_lists_the_commands_this_test_knows(world):
    lines = readme_commands()
    assert len(lines) >= 25 and lines[0] == "dikta transcribe examples/dictation.wav"
    runs = all_runs(world)
    kinds = {tuple(argv[:2]) for _, argv, _ in runs}
    for needed in [("note", world["placeholders"]["opptak.m4a"]), ("serve", "--port"),
                   ("worker", "--queue"), ("models", "convert"), ("adapt", "train"),
                   ("bench", "throughput"), ("tenants", "set-lexicon")]:
        assert needed in kinds
    structure = [argv for _, argv, _ in runs if argv[0] == "structure"]
    assert {argv[argv.index("--format") + 1] for argv in structure} == {"text", "json", "fhir"}
    assert all("isbar" in argv for argv in structure)


def _check(argv: list[str], stdout: str, world) -> None:
    """What each command must have done, beyond exiting as expected."""
    head = tuple(argv[:2])
    if argv[0] == "transcribe" and "json" in argv:
        assert (Path(world["placeholders"]["ut/"]) / "opptak.json").is_file()
    elif argv[0] == "transcribe" and "srt" in argv:
        assert " --> " in stdout
    elif argv[0] == "transcribe":
        assert "alarm" in stdout.lower()  # examples/dictation.wav
    elif argv[0] == "note":
        fmt = argv[argv.index("--format") + 1]
        marker = {"text": "Strukturert notat:", "json": '"note"', "fhir": '"Bundle"'}[fmt]
        assert marker in stdout and "feber" in stdout.lower()
    elif argv[0] == "structure":
        assert "88" in stdout and "åttiåtte" not in stdout
    elif head == ("eval", "asr"):
        assert (Path(world["placeholders"]["rapport/"]) / "report.md").is_file()
        assert "beam1:" in stdout and "whisper-base-kopi:" in stdout
    elif head == ("eval", "synthetic"):
        assert (world["tmp"] / "syn" / "manifest.jsonl").is_file()
    elif head == ("adapt", "train"):
        assert "registered: kommune-v1" in stdout
    elif head == ("adapt", "compare"):
        assert stdout.startswith("NOT PROMOTED: kommune-v1 over whisper-base")
    elif head == ("models", "add"):
        assert "lagt-til: registered" in stdout
    elif head == ("models", "convert"):
        assert "nb-whisper-large: registered" in stdout or "converted" in stdout
    elif head == ("tenants", "show"):
        shown = json.loads(stdout)
        assert (shown["template"], shown["written_standard"], shown["lexicon_terms"]) == \
            ("isbar", "nynorsk", 3)
    elif argv[0] == "batch":
        assert (Path(world["placeholders"]["ut/"])).is_dir()
    elif head == ("bench", "gpu"):
        assert "batch 1:" in stdout
    elif argv[0] == "--version":
        assert stdout.startswith("dikta, version ")


def test_every_readme_command_runs(world, monkeypatch, engine):
    from click.testing import CliRunner

    from service.cli import common, main
    from service.core.engine import Engine
    from service.core.settings import get_settings

    monkeypatch.chdir(world["tmp"])  # benchmarks write benchmarks/results/ here
    # Each command builds its Engine from its own settings as usual, but loaded models are
    # shared (one load of whisper-base for all commands, not one per command).
    monkeypatch.setattr(common, "engine_from_settings",
                        lambda: Engine(get_settings(), manager=engine.manager))
    runner = CliRunner()
    done: list[list[str]] = []
    for line, argv, stdin in all_runs(world):
        if argv in done:
            continue  # e.g. bench gpu's shapes, all "tiny" on a machine without CUDA
        head = tuple(argv[:2])
        started = time.perf_counter()
        if argv[0] == "serve":
            _serve(argv, world)
        elif argv[0] == "worker":
            _worker(argv, world)
        elif argv[0] in IN_OWN_PROCESS:
            env = {**os.environ, **world["env"]}
            run = subprocess.run([DIKTA, *argv], env=env, capture_output=True, text=True,
                                 timeout=300)
            assert run.returncode == EXIT_CODES.get(head, 0), \
                f"`{line}` as {argv}: exit {run.returncode}\n{run.stdout}{run.stderr}"
            _check(argv, run.stdout, world)
        else:
            env = dict(world["env"])
            if head in TINY_MODEL_FOR:
                env["DIKTA_MODEL__NAME"] = str(world["tiny"])
            get_settings.cache_clear()
            result = runner.invoke(main, argv, input=stdin, env=env)
            get_settings.cache_clear()
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                raise AssertionError(f"`{line}` as {argv} raised") from result.exception
            assert result.exit_code == EXIT_CODES.get(head, 0), \
                f"`{line}` as {argv}: exit {result.exit_code}\n{result.output}"
            _check(argv, result.stdout, world)
        done.append(argv)
        print(f"{time.perf_counter() - started:6.1f} s  dikta {shlex.join(argv)}")
    assert len(done) >= 30, done


def _serve(argv: list[str], world) -> None:
    env = {**os.environ, **world["env"], "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([DIKTA, *argv], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{world['port']}/readyz")
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
            time.sleep(0.2)
        assert ready.json()["model"] == "whisper-base"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    # uvicorn shuts down cleanly, then re-raises SIGTERM so the exit says why it stopped.
    assert server.returncode in (0, -signal.SIGTERM), stderr
    assert b"Traceback" not in stderr


def _worker(argv: list[str], world) -> None:
    """`dikta worker --queue gpu …` takes a dictation sent to the gpu queue and does it."""
    need_redis()
    from service.core.settings import Settings, WorkerSettings
    from service.core.store import Dictation, open_store
    from service.jobs.tasks import TASK_NAME, make_celery
    from tests.test_workers import queue_dictation

    queue = argv[argv.index("--queue") + 1]
    settings = Settings(model_dir=Path(world["env"]["DIKTA_MODEL_DIR"]),
                        data_dir=world["data"],
                        worker=WorkerSettings(broker_url=WORKER_BROKER, queue=queue))
    store = open_store(settings)
    dictation_id = queue_dictation(store, FIXTURES / "nb_feber.wav")
    env = {**os.environ, **world["env"], "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen([DIKTA, *argv], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        make_celery(settings).send_task(TASK_NAME, args=[dictation_id], queue=queue)
        deadline = time.monotonic() + 120
        while True:
            with store.session() as s:
                row = s.get(Dictation, dictation_id)
                if row.status == "done":
                    assert "feber" in row.transcript.lower()
                    break
            assert time.monotonic() < deadline and worker.poll() is None, row.status
            time.sleep(0.1)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        store.engine.dispose()


def test_dikta_version_through_the_console_script(cli_env):
    run = subprocess.run([DIKTA, "--version"], env=cli_env, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0 and run.stdout.startswith("dikta, version ")


def test_make_demo_prints_a_transcript_and_a_note():
    run = subprocess.run(["make", "--no-print-directory", "demo"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "installing system packages" not in run.stdout  # setup done: nothing installed
    transcript = run.stdout.split("Transkripsjon:\n", 1)[1].split("\n\n", 1)[0]
    assert "alarm" in transcript.lower()
    note = run.stdout.split("Strukturert notat:", 1)[1]
    assert note.strip() and ":" in note  # sections with their headings
