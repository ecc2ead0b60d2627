"""One nurse's live stream never holds up the service for everyone else: the CPU work of a
stream (decoding the WebM so far, voice activity, the transcription) runs in worker threads,
so the event loop still answers other requests and the keepalive pings of every open stream.

Under the full test suite on two cores this was seen as a stream closed by its own server
with "1011 keepalive ping timeout" (the decode ran on the event loop)."""

from __future__ import annotations

import json
import threading
import time

import httpx

from evaluation.loopback import running
from service.core.engine import Engine
from service.core.settings import Settings
from service.http.app import create_app
from tests.conftest import FIXTURES


def test_a_slow_decode_of_one_stream_holds_up_no_other_request(tmp_path, engine,
                                                               monkeypatch):
    from websockets.sync.client import connect

    from service.dictations import live as live_module

    decoding, release = threading.Event(), threading.Event()
    real_decode = live_module.decode_audio

    def slow_decode(*args, **kwargs):
        decoding.set()
        release.wait(30)  # the stream's decode is busy until the test has its answer
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(live_module, "decode_audio", slow_decode)
    base = Settings()
    settings = Settings(model_dir=base.model_dir, data_dir=tmp_path)
    app = create_app(settings, engine=Engine(settings, manager=engine.manager))
    key = app.state.dikta.store.create_key("kommune-a", "dictate")
    data = (FIXTURES / "nb_alarm.webm").read_bytes()
    try:
        with running(app) as url, connect(url.replace("http", "ws") + "/v1/stream",
                                          subprotocols=["dikta", f"dikta.bearer.{key}"]) as ws:
            ws.send(json.dumps({"type": "start", "format": "webm", "language": "nb"}))
            assert json.loads(ws.recv())["type"] == "ready"
            ws.send(data[:4000])  # the first piece is decoded at once
            assert decoding.wait(10)
            # While that decode is still running, another request is answered.
            answer = httpx.get(f"{url}/healthz", timeout=10)
            release.set()
            assert answer.status_code == 200
            ws.send(data[4000:])
            ws.send(json.dumps({"type": "stop"}))
            replies = [json.loads(raw) for raw in ws]
        assert replies[-1]["type"] == "done" and replies[-1]["dictation_id"]
    finally:
        release.set()
        app.state.dikta.store.engine.dispose()


def test_the_audio_is_read_on_while_a_step_transcribes(tmp_path, engine, monkeypatch):
    """A step held up (a busy server) does not stop the reading of the socket: every piece of
    audio sent meanwhile is taken in, so the client's keepalive pongs are read too, and the
    stream ends with its whole transcript once the step is let go."""
    import anyio
    import numpy as np
    from websockets.sync.client import connect

    from pipelines.audio import SAMPLE_RATE_HZ, decode_audio
    from service.dictations.live import LiveDictation

    release, stepping = threading.Event(), threading.Event()
    real_step, real_add = LiveDictation.step, LiveDictation.add
    added: list[int] = []

    async def held_step(self):
        stepping.set()
        await anyio.to_thread.run_sync(release.wait, 30)
        return await real_step(self)

    def counted_add(self, chunk):
        added.append(len(chunk))
        real_add(self, chunk)

    monkeypatch.setattr(LiveDictation, "step", held_step)
    monkeypatch.setattr(LiveDictation, "add", counted_add)
    base = Settings()
    settings = Settings(model_dir=base.model_dir, data_dir=tmp_path)
    app = create_app(settings, engine=Engine(settings, manager=engine.manager))
    key = app.state.dikta.store.create_key("kommune-a", "dictate")
    speech = decode_audio(FIXTURES / "nb_feber.wav").samples
    pcm = (np.concatenate([speech, np.zeros(SAMPLE_RATE_HZ, dtype=np.float32)]) * 32767
           ).astype("<i2").tobytes()
    size = SAMPLE_RATE_HZ // 5 * 2  # 200 ms of 16-bit samples
    pieces = [pcm[i:i + size] for i in range(0, len(pcm), size)]
    try:
        with running(app) as url, connect(url.replace("http", "ws") + "/v1/stream",
                                          subprotocols=["dikta", f"dikta.bearer.{key}"]) as ws:
            ws.send(json.dumps({"type": "start", "format": "pcm16", "sample_rate": 16000}))
            assert json.loads(ws.recv())["type"] == "ready"
            for piece in pieces:
                ws.send(piece)
            assert stepping.wait(10)
            deadline = time.monotonic() + 10
            while len(added) < len(pieces) and time.monotonic() < deadline:
                time.sleep(0.05)
            taken_while_held = len(added)
            release.set()
            ws.send(json.dumps({"type": "stop"}))
            replies = [json.loads(raw) for raw in ws]
        assert taken_while_held == len(pieces)
        assert replies[-1]["type"] == "done" and "feber" in replies[-1]["text"].lower()
    finally:
        release.set()
        app.state.dikta.store.engine.dispose()
