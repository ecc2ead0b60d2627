"""Privacy by construction: encryption at rest, retention and purge, no patient data in
logs, and no network beyond loopback."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from evaluation.loopback import free_port, running
from service.http.app import create_app
from service.core.crypto import DataKeyError, Keyring, use_keyring
from service.core.engine import Engine
from service.core.logs import JsonFormatter
from service.core.retention import purge
from service.core.rotation import rotate_data_key
from service.core.settings import RetentionSettings, SecuritySettings, Settings
from service.core.store import Dictation, NoteVersion, open_store
from tests.conftest import DIKTA, FIXTURES

pytestmark = pytest.mark.slow
FEBER = (FIXTURES / "nb_feber.wav").read_bytes()
ALL = "dictate read_notes approve export"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def make_app(tmp: Path, engine, **settings_kwargs):
    base = Settings()
    settings = Settings(model_dir=base.model_dir, data_dir=tmp, **settings_kwargs)
    return create_app(settings, engine=Engine(settings, manager=engine.manager))


def dictate_and_wait(url: str, key: str, data: bytes = FEBER, **form) -> dict:
    created = httpx.post(f"{url}/v1/dictations", headers=auth(key), data=form,
                         files={"file": ("d.wav", data, "audio/wav")}).json()
    deadline = time.monotonic() + 120
    while True:
        body = httpx.get(f"{url}/v1/dictations/{created['id']}", headers=auth(key)).json()
        if body["status"] in ("done", "failed"):
            return body
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_audio_and_note_text_are_encrypted_at_rest(tmp_path, engine):
    app = make_app(tmp_path, engine, retention=RetentionSettings(audio="keep"))
    key = app.state.dikta.store.create_key("a", ALL)
    with running(app) as url:
        done = dictate_and_wait(url, key)
    store = app.state.dikta.store
    with store.session() as s:
        row = s.get(Dictation, done["id"])
        stored = Path(row.audio_path).read_bytes()
    assert stored.startswith(b"DKENC1") and FEBER[:44] not in stored
    assert Keyring.key_id_of(stored) == "env"
    with store.engine.connect() as connection:
        raw = connection.execute(text("SELECT note FROM dictations")).one()
        version = connection.execute(text("SELECT text, note FROM note_versions")).one()
    for value in (*raw, *version):  # the transcript is stored once: version 1's text
        assert value.startswith("enc1:") and "feber" not in value.lower()
    assert "feber" in done["transcript"].lower()  # the API reads it back


def test_tampered_ciphertext_is_refused():
    ring = Keyring({"k1": b"\x01" * 32}, "k1")
    sealed = bytearray(ring.seal(b"Pasienten sov godt"))
    sealed[-1] ^= 0xFF
    with pytest.raises(DataKeyError, match="authentication"):
        ring.open(bytes(sealed))


def test_rotation_reseals_everything_and_old_rows_stay_readable(tmp_path, engine):
    key_file = tmp_path / "keys" / "data-keys.json"
    settings = Settings(model_dir=Settings().model_dir, data_dir=tmp_path,
                        security=SecuritySettings(data_key=None, data_key_file=key_file),
                        retention=RetentionSettings(audio="keep"))
    app = create_app(settings, engine=Engine(settings, manager=engine.manager))
    key = app.state.dikta.store.create_key("a", ALL)
    try:
        with running(app) as url:
            done = dictate_and_wait(url, key)
        store = app.state.dikta.store
        ring = Keyring.load_or_create(key_file)
        first_key = ring.current
        use_keyring(ring)
        result = rotate_data_key(store, ring)
        assert result.key_id != first_key and result.files == 1 and result.rows == 2
        with store.session() as s:
            row = s.get(Dictation, done["id"])
            assert Keyring.key_id_of(Path(row.audio_path).read_bytes()) == result.key_id
            assert row.transcript == done["transcript"]
        with store.engine.connect() as connection:
            value = connection.execute(text(
                "SELECT text FROM note_versions WHERE kind = 'asr_draft'")).scalar()
        assert json.loads(key_file.read_text())["current"] == result.key_id
        assert ring.open_text(value) == done["transcript"]
    finally:
        use_keyring(Keyring.from_secret(Settings().security.data_key.get_secret_value()))


@pytest.mark.parametrize("mode", ["on_approval", "after_transcription", "hours_after_approval"])
def test_audio_retention_modes(tmp_path, engine, mode):
    app = make_app(tmp_path, engine, retention=RetentionSettings(
        audio=mode, audio_hours_after_approval=1, purge_interval_s=0))
    store = app.state.dikta.store
    key = store.create_key("a", ALL)
    with running(app) as url:
        done = dictate_and_wait(url, key)
        assert done["audio_stored"] is (mode != "after_transcription")
        approved = httpx.post(f"{url}/v1/dictations/{done['id']}/approve",
                              headers=auth(key), json={}).json()
        assert approved["audio_stored"] is (mode == "hours_after_approval")
    if mode == "hours_after_approval":
        with store.session() as s:
            path = s.get(Dictation, done["id"]).audio_path
        assert purge(store, app.state.dikta.settings.retention).audio_deleted == 0
        later = datetime.now(timezone.utc) + timedelta(hours=2)
        assert purge(store, app.state.dikta.settings.retention, later).audio_deleted == 1
        assert not Path(path).exists()
    assert not list((tmp_path / "audio").rglob("*.audio")) or mode == "keep"


def test_notes_purged_after_retention_with_the_cli(tmp_path, engine, cli_env):
    app = make_app(tmp_path, engine)
    store = app.state.dikta.store
    key = store.create_key("a", ALL)
    with running(app) as url:
        done = dictate_and_wait(url, key)
        httpx.post(f"{url}/v1/dictations/{done['id']}/approve", headers=auth(key), json={})
    env = {**cli_env, "DIKTA_DATA_DIR": str(tmp_path),
           "DIKTA_RETENTION__NOTES_DAYS_AFTER_APPROVAL": "0"}
    result = subprocess.run([DIKTA, "purge"], env=env, capture_output=True, text=True,
                            check=True)
    assert "1 dictations" in result.stdout
    with store.session() as s:
        assert s.get(Dictation, done["id"]) is None
        assert s.query(NoteVersion).count() == 0


# --- no leaks ------------------------------------------------------------------------------

VALID_FNR = "27053941791"


def _id_dictation(tmp_path: Path) -> Path:
    """A recording that says a national ID number digit by digit."""
    words = "fødselsnummer to sju null fem tre ni fire en sju ni en. pasienten har feber."
    raw = tmp_path / "raw.wav"
    subprocess.run(["espeak-ng", "-v", "nb", "-s", "120", "-w", str(raw), words], check=True)
    target = tmp_path / "fnr.wav"
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(target)],
                   check=True)
    return target


@contextmanager
def app_log_stream():
    """What the app's own JSON handler writes, read through a second handler with the very
    formatter `configure_logging` installed (the `dikta` logger does not propagate, so
    pytest's caplog never sees these records); uvicorn's records too."""
    logger = logging.getLogger("dikta")
    formatter = next(h.formatter for h in logger.handlers
                     if isinstance(h.formatter, JsonFormatter))
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter)
    targets = [logger, logging.getLogger("uvicorn")]
    levels = [t.level for t in targets]
    for target in targets:
        target.addHandler(handler)
        target.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        for target, level in zip(targets, levels):
            target.removeHandler(handler)
            target.setLevel(level)


class Served:
    """A real `dikta serve` process (SQLite in a temp dir); its stderr goes to a file."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.log = tmp, tmp / "serve.stderr"
        base = Settings()
        self.env = {**os.environ, "DIKTA_MODEL_DIR": str(base.model_dir),
                    "DIKTA_DATA_DIR": str(tmp), "PYTHONUNBUFFERED": "1"}
        store = open_store(Settings(model_dir=base.model_dir, data_dir=tmp))
        self.key = store.create_key("a", ALL)
        store.engine.dispose()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        with self.log.open("wb") as stderr:
            self.process = subprocess.Popen([DIKTA, "serve", "--port", str(port)],
                                            env=self.env, stdout=subprocess.DEVNULL,
                                            stderr=stderr, start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and self.process.poll() is None, \
                "dikta serve did not start: " + self.log.read_text()
            time.sleep(0.2)

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = Served(tmp_path_factory.mktemp("served"))
    try:
        yield server
    finally:
        server.stop()


def json_lines(text: str) -> list[dict]:
    """Every line must be one JSON object (a traceback spread over lines fails here)."""
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"log line is not JSON: {line!r}") from None
    assert all(isinstance(p, dict) for p in parsed)
    return parsed


def _leaks(logs: str, transcript: str) -> list[str]:
    words = {w.strip(".,") for w in transcript.lower().split() if len(w) > 5}
    leaked = [w for w in words | {"feber", "pasienten"} if w in logs.lower()]
    return leaked + [n for n in (VALID_FNR, "2705394") if n in logs]


def _exercise(url: str, key: str, audio: bytes) -> tuple[dict, httpx.Response, httpx.Response]:
    """A dictation, the nurse's edit with an ID number, a bad upload with it."""
    done = dictate_and_wait(url, key, audio, patient_ref="pas-1")
    edited = httpx.put(f"{url}/v1/dictations/{done['id']}/note", headers=auth(key),
                       json={"text": f"Fødselsnummer {VALID_FNR}. Pasienten har feber."})
    bad = httpx.post(f"{url}/v1/dictations", headers=auth(key),
                     files={"file": ("x.wav", b"RIFFjunk" + VALID_FNR.encode(), "audio/wav")})
    return done, edited, bad


def test_no_transcript_or_id_number_in_any_log_or_error(tmp_path, engine, cli_env, served):
    # whisper-base hears espeak's digits poorly, so the ID also goes in as text: through
    # `dikta structure` and as the nurse's edit of the note in the service.
    audio = _id_dictation(tmp_path)
    spoken_id = "fødselsnummer " + " ".join(VALID_FNR) + " punktum pasienten har feber punktum"
    runs = [subprocess.run([DIKTA, *args], env=cli_env, capture_output=True, text=True)
            for args in (["note", str(audio), "--format", "json"],
                         ["transcribe", str(audio), str(tmp_path / "borte.wav")],
                         ["structure", "--format", "fhir", spoken_id])]
    assert VALID_FNR not in runs[2].stdout and "feber" in runs[2].stdout.lower()
    cli_logs = "".join(r.stderr for r in runs)
    assert "borte.wav" in cli_logs  # the CLI's stderr was really read

    # In-process: the app's own handler and formatter.
    app = make_app(tmp_path / "svc", engine)
    key = app.state.dikta.store.create_key("a", ALL)
    with app_log_stream() as stream, running(app) as url:
        done, edited, bad = _exercise(url, key, audio.read_bytes())  # says the ID
    in_process = json_lines(stream.getvalue())
    assert edited.status_code == 200 and bad.status_code in (415, 422)
    assert VALID_FNR not in json.dumps(edited.json()["note"])
    assert {"request", "dictation done"} <= {e["msg"] for e in in_process}
    assert any(e.get("dictation_id") == done["id"] for e in in_process)
    assert any(e.get("route") == "/v1/dictations/{dictation_id}/note" for e in in_process)

    # A real `dikta serve`: everything it wrote to stderr.
    served_done, served_edit, served_bad = _exercise(served.url, served.key, FEBER)
    assert served_edit.status_code == 200 and served_done["status"] == "done"
    served_logs = served.stderr()
    assert any(e.get("route") == "/v1/dictations/{dictation_id}/note"
               for e in json_lines(served_logs))

    for logs, transcript in ((cli_logs, done["transcript"]),
                             (stream.getvalue() + bad.text, done["transcript"]),
                             (served_logs + served_bad.text, served_done["transcript"])):
        assert _leaks(logs, transcript) == []


def test_an_unhandled_error_is_one_json_line_without_content(served):
    """A database failure mid-request (its message quotes the SQL parameters): 500 with the
    request id, and on the server's stderr one JSON line with type and frames only."""
    import sqlite3

    with sqlite3.connect(served.tmp / "dikta.db") as db:
        db.execute("ALTER TABLE dictations RENAME TO dictations_away")
    try:
        response = httpx.post(f"{served.url}/v1/dictations", headers={
            **auth(served.key), "X-Request-ID": "feil-1"}, data={"patient_ref": VALID_FNR},
            files={"file": ("d.wav", FEBER, "audio/wav")})
        lookup = httpx.get(f"{served.url}/v1/dictations/{'0' * 32}", headers=auth(served.key))
    finally:
        with sqlite3.connect(served.tmp / "dikta.db") as db:
            db.execute("ALTER TABLE dictations_away RENAME TO dictations")
    assert response.status_code == 500 and lookup.status_code == 500, response.text
    assert response.json()["request_id"] == "feil-1"
    assert VALID_FNR not in response.text + lookup.text
    logs = served.stderr()
    entries = json_lines(logs)  # uvicorn's "Exception in ASGI application" included
    errors = [e for e in entries if "traceback" in e]
    ours = [e for e in errors if e["msg"] == "unhandled error"]
    assert ours and ours[0]["request_id"] == "feil-1"
    assert ours[0]["exc_type"] == "sqlalchemy.exc.OperationalError"
    assert any(e["logger"].startswith("uvicorn") for e in errors)  # uvicorn's own logger
    assert all('File "' in e["traceback"] for e in errors)
    assert VALID_FNR not in logs and "2705394" not in logs and "no such table" not in logs


def test_the_runtime_opens_no_socket_beyond_loopback(tmp_path, engine, monkeypatch):
    attempts: list = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("::1",
                                                                              "localhost")):
            attempts.append(address)
            raise OSError(f"blocked non-loopback connection to {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only(socket.getaddrinfo, attempts))
    from structuring.pipeline import structure

    fresh = Engine(Settings())  # a new model load, under the guard
    transcript = fresh.transcribe(FIXTURES / "nb_feber.wav")
    structure(transcript.text)
    app = make_app(tmp_path, engine)
    key = app.state.dikta.store.create_key("a", ALL)
    with running(app) as url:
        assert dictate_and_wait(url, key)["status"] == "done"
    assert attempts == []


def _loopback_only(real, attempts):
    def lookup(host, *args, **kwargs):
        if host not in (None, "localhost", "127.0.0.1", "::1") and \
                not str(host).startswith("127."):
            attempts.append(host)
            raise socket.gaierror(f"blocked name lookup of {host}")
        return real(host, *args, **kwargs)
    return lookup
