from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from pipelines.offline import enforce_offline

# Telemetry and hub access off before any test imports onnxruntime or huggingface_hub.
enforce_offline()

FIXTURES = Path(__file__).parent / "fixtures" / "audio"
ROOT = Path(__file__).resolve().parent.parent
# One data key for the whole test session (and the CLI processes it starts), so data sealed
# by one test app is readable by the next; rotation tests use key files of their own.
os.environ.setdefault("DIKTA_SECURITY__DATA_KEY", "ZGlrdGEtdGVzdC1rZXktLS0tLS0tLS0tLS0tLS0tLS0=")
# The console script installed next to the interpreter running the tests.
DIKTA = str(Path(sys.executable).parent / "dikta")


def manifest_rows() -> list[dict]:
    lines = (FIXTURES / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def settings():
    from service.core.settings import Settings

    # The real default model, assembled once into the normal cache (or DIKTA_MODEL_DIR).
    return Settings()


@pytest.fixture(scope="session")
def engine(settings):
    from service.core.engine import Engine

    return Engine(settings)


@pytest.fixture(scope="session")
def transcriber(engine):
    return engine.transcriber()


@pytest.fixture
def cli_env(settings) -> dict[str, str]:
    env = dict(os.environ)
    env["DIKTA_MODEL_DIR"] = str(settings.model_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="session")
def vkp_profiles():
    """The VKP profiles, code systems and value sets, read from <repo>/../shared/data/vkp."""
    from structuring.fhir_profiles import ProfileSet
    from tests.needs import need_vkp_profiles

    return ProfileSet.load(need_vkp_profiles())
