"""A running Dikta app for upload tests: real routes, storage, encryption and database, but
dictations stay queued — these tests are about which bytes land in which dictation, so they
leave the recogniser out (it would only make them slow)."""

from __future__ import annotations

import io
import wave
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from evaluation.loopback import running
from service.http.app import create_app
from service.core.settings import ServiceSettings, Settings
from service.core.store import Store

TUS = {"Tus-Resumable": "1.0.0"}


class QueuedOnly:
    """Stands in for the transcription worker: remembers what was queued, runs nothing."""

    def __init__(self) -> None:
        self.submitted: list[str] = []

    def submit(self, dictation_id: str) -> None:
        self.submitted.append(dictation_id)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


@contextmanager
def upload_app(tmp: Path, database_url: str | None = None, **service):
    settings = Settings(data_dir=tmp, database_url=database_url,
                        service=ServiceSettings(**service))
    app = create_app(settings, load_model=False)
    app.state.dikta.worker = QueuedOnly()
    store: Store = app.state.dikta.store
    keys = {"a": store.create_key("kommune-a", "dictate read_notes"),
            "a_dictate": store.create_key("kommune-a", "dictate"),
            "b": store.create_key("kommune-b", "dictate read_notes")}
    try:
        with running(app) as url:
            yield url, keys, app
    finally:
        store.engine.dispose()


def recording(seed: int, seconds: float = 0.5) -> bytes:
    """A short WAV whose bytes differ for every seed (a tone plus seeded noise)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(16000 * seconds)) / 16000
    samples = 0.3 * np.sin(2 * np.pi * (200 + seed % 500) * t) + 0.05 * rng.standard_normal(t.size)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def auth(key: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **TUS, **extra}
