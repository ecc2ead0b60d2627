"""Service paths through real components: the rate limiter over HTTP, /readyz refusing,
a tenant lexicon set with the CLI reaching a dictation, and a promoted model transcribing the
tenant's next dictation."""

from __future__ import annotations

import subprocess
import time
import types
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from evaluation.loopback import running
from models.manager import ModelManager
from service.http.app import create_app
from service.core.engine import Engine
from service.core.settings import ServiceSettings, Settings
from tests.conftest import DIKTA, FIXTURES
from tests.databases import temporary_postgres
from tests.needs import need_postgres, need_word_lists

pytestmark = pytest.mark.slow
FEBER = (FIXTURES / "nb_feber.wav").read_bytes()
ALL = "dictate read_notes approve export"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def settings_for(tmp: Path, **kwargs) -> Settings:
    return Settings(model_dir=Settings().model_dir, data_dir=tmp, **kwargs)


def wait_done(url: str, key: str, dictation_id: str) -> dict:
    deadline = time.monotonic() + 120
    while True:
        body = httpx.get(f"{url}/v1/dictations/{dictation_id}", headers=auth(key)).json()
        if body["status"] in ("done", "failed", "dead"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def dictate(url: str, key: str, data: bytes = FEBER) -> dict:
    created = httpx.post(f"{url}/v1/dictations", headers=auth(key),
                         files={"file": ("d.wav", data, "audio/wav")})
    assert created.status_code == 202, created.text
    return wait_done(url, key, created.json()["id"])


def test_rate_limit_answers_429_with_retry_after_over_http(tmp_path, engine):
    settings = settings_for(tmp_path, service=ServiceSettings(rate_limit_per_minute=3))
    app = create_app(settings, engine=Engine(settings, manager=engine.manager))
    store = app.state.dikta.store
    busy, other = store.create_key("a", ALL), store.create_key("a", ALL)
    missing = "/v1/dictations/" + "0" * 32
    with running(app) as url:
        answers = [httpx.get(url + missing, headers=auth(busy)) for _ in range(4)]
        assert [r.status_code for r in answers] == [404, 404, 404, 429]
        refused = answers[-1]
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(refused.headers["Retry-After"]) <= 20
        assert "rate limit" in refused.json()["detail"]
        assert httpx.get(url + missing, headers=auth(other)).status_code == 404  # per key
        assert httpx.get(f"{url}/healthz").status_code == 200  # not behind a key


def test_readyz_is_503_until_the_model_is_loaded(tmp_path):
    settings = settings_for(tmp_path)
    app = create_app(settings, engine=Engine(settings, manager=ModelManager()),
                     load_model=False)
    with running(app) as url:
        response = httpx.get(f"{url}/readyz")
        assert response.status_code == 503
        assert "model is not loaded" in response.json()["detail"]
        assert httpx.get(f"{url}/healthz").status_code == 200
        app.state.dikta.engine.transcriber()  # the model loads
        assert httpx.get(f"{url}/readyz").status_code == 200


def test_readyz_is_503_when_the_database_goes_away(tmp_path, engine):
    need_postgres()
    import psycopg

    with temporary_postgres() as db_url:
        settings = settings_for(tmp_path, database_url=db_url)
        app = create_app(settings, engine=Engine(settings, manager=engine.manager))
        with running(app) as url:
            assert httpx.get(f"{url}/readyz").status_code == 200
            name = db_url.rsplit("/", 1)[1]
            with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres",
                                 autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            response = httpx.get(f"{url}/readyz")
            assert response.status_code == 503, response.text
            assert "database does not answer" in response.json()["detail"]
            assert httpx.get(f"{url}/healthz").status_code == 200
        app.state.dikta.store.engine.dispose()


class _HeardAsMarivan:
    """Stands in for Whisper only: it 'hears' a near miss of a drug name. VAD before it and
    everything after it (the tenant's lexicon, orthography, note) are the real pipeline."""

    def transcribe(self, audio, **kwargs):
        segment = types.SimpleNamespace(start=0.0, end=1.5, text=" Hun fikk Marivan i dag.",
                                        avg_logprob=-0.2, no_speech_prob=0.01,
                                        compression_ratio=1.2, words=None)
        return iter([segment]), None


def test_tenant_lexicon_set_with_the_cli_corrects_the_next_dictation(tmp_path, cli_env):
    need_word_lists()  # near-miss correction needs them to know "Marivan" is no word
    settings = settings_for(tmp_path)
    fake_whisper = ModelManager(loader=lambda path, plan: _HeardAsMarivan())
    app = create_app(settings, engine=Engine(settings, manager=fake_whisper))
    store = app.state.dikta.store
    with_terms, without = store.create_key("Nordre Follo", ALL), store.create_key("Ås", ALL)
    terms = tmp_path / "termar.txt"
    terms.write_text("# legemidler\nMarevan\nParacet\nFurix\n", encoding="utf-8")
    env = {**cli_env, "DIKTA_DATA_DIR": str(tmp_path)}
    run = subprocess.run([DIKTA, "tenants", "set-lexicon", "Nordre Follo", str(terms)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "lexicon of 3 terms" in run.stdout, run.stderr
    with running(app) as url:
        corrected = dictate(url, with_terms)
        plain = dictate(url, without)
    assert corrected["transcript"] == "Hun fikk Marevan i dag."
    assert "Marevan" in str(corrected["note"])
    assert plain["transcript"] == "Hun fikk Marivan i dag."  # no lexicon, no rewrite


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    from models.convert import convert_checkpoint
    from tests.tiny_whisper import build_mute_whisper

    tmp = tmp_path_factory.mktemp("tiny-model")  # random weights that end every text at once
    return convert_checkpoint(build_mute_whisper(tmp / "hf"), tmp / "ct2", "int8")


def test_a_promoted_model_transcribes_the_tenants_next_dictation(tmp_path, engine,
                                                                 tiny_model):
    settings = settings_for(tmp_path)
    app = create_app(settings, engine=Engine(settings, manager=engine.manager))
    store = app.state.dikta.store
    promoted, other = store.create_key("kommune-a", ALL), store.create_key("kommune-b", ALL)
    store.record_promotion("kommune-a", "whisper-base", str(tiny_model), True,
                           ["better overall"], {})
    assert str(tiny_model) not in map(str, engine.manager.loaded())
    with running(app) as url:
        before = dictate(url, other)
        after = dictate(url, promoted)
    # The tenant's dictation loaded and used the promoted model (random weights that write
    # nothing); the other tenant still gets the service default, which hears the fever.
    assert str(tiny_model) in map(str, engine.manager.loaded())
    assert "feber" in before["transcript"].lower()
    assert after["status"] == "done" and not after["transcript"]
    with store.engine.connect() as connection:
        model = connection.execute(text("SELECT model FROM tenants WHERE name = 'kommune-a'"))
        assert model.scalar() == str(tiny_model)
