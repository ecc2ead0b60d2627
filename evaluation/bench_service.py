"""Service benchmark on loopback: request throughput and latency under concurrency, and
live-dictation latencies (first speech → first interim, end of speech → final text).

The live stream is paced in real time, as a phone sends it, so its figures are what a nurse
would wait. Percentiles are nearest-rank over all runs.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from evaluation.machine import describe_machine
from evaluation.metrics import percentile
from pipelines.audio import SAMPLE_RATE_HZ, decode_audio
from pipelines.vad import VadOptions, detect_speech

CHUNK_S = 0.2


@dataclass
class ServiceBenchResult:
    concurrency: int
    requests: int
    audio_s_per_request: float
    wall_s: float
    statuses: dict[str, int]
    latencies_s: list[float]
    stream_runs: int = 0
    stream_audio_s: float = 0.0
    first_interim_s: list[float] = field(default_factory=list)
    final_after_speech_s: list[float] = field(default_factory=list)
    machine: dict = field(default_factory=dict)
    measured_at: str = ""

    def summary(self) -> str:
        ok = self.statuses.get("200", 0)
        lines = [
            f"requests: {self.requests} at concurrency {self.concurrency}, "
            f"{self.audio_s_per_request:.1f} s audio each; statuses {self.statuses}",
            f"throughput: {ok / self.wall_s:.2f} req/s, "
            f"{ok * self.audio_s_per_request / self.wall_s:.1f} audio s/s",
            f"latency: p50 {percentile(self.latencies_s, 0.5):.2f} s, "
            f"p95 {percentile(self.latencies_s, 0.95):.2f} s",
        ]
        if self.stream_runs:
            lines.append(
                f"live ({self.stream_runs} runs of {self.stream_audio_s:.1f} s, real time): "
                f"first speech → first interim p50 {percentile(self.first_interim_s, 0.5):.2f}"
                f" s p95 {percentile(self.first_interim_s, 0.95):.2f} s; end of speech → "
                f"final p50 {percentile(self.final_after_speech_s, 0.5):.2f} s "
                f"p95 {percentile(self.final_after_speech_s, 0.95):.2f} s")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return asdict(self)


def run_requests(url: str, key: str, audio: bytes, *, concurrency: int, requests: int
                 ) -> tuple[dict[str, int], list[float], float]:
    import httpx

    def one(_: int) -> tuple[int, float]:
        started = time.perf_counter()
        response = httpx.post(f"{url}/v1/audio/transcriptions",
                              headers={"Authorization": f"Bearer {key}"},
                              files={"file": ("bench.wav", audio, "audio/wav")}, timeout=600)
        return response.status_code, time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(requests)))
    wall = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return statuses, [t for s, t in results if s == 200], wall


def run_stream(url: str, key: str, samples: np.ndarray) -> tuple[float, float]:
    """One real-time live dictation: (first interim after speech onset, final after end)."""
    from websockets.sync.client import connect

    regions = detect_speech(samples, VadOptions())
    onset_s, end_s = regions[0].start_s, regions[-1].end_s
    pcm = (samples * 32767).astype("<i2").tobytes()
    step = int(CHUNK_S * SAMPLE_RATE_HZ) * 2
    first_interim: list[float] = []
    last_final: list[float] = []
    ws_url = url.replace("http", "ws") + f"/v1/stream?api_key={key}"
    with connect(ws_url) as ws:
        ws.send(json.dumps({"type": "start", "format": "pcm16"}))
        ws.recv()
        t0 = time.perf_counter()

        def receive() -> None:
            for raw in ws:
                message = json.loads(raw)
                now = time.perf_counter() - t0
                if message["type"] == "interim" and not first_interim:
                    first_interim.append(now)
                elif message["type"] in ("final", "done"):
                    if message["type"] == "final" and message["segment"]["end_s"] >= end_s - 1:
                        last_final.append(now)
                    if message["type"] == "done" and not last_final:
                        last_final.append(now)

        reader = threading.Thread(target=receive, daemon=True)
        reader.start()
        for index, start in enumerate(range(0, len(pcm), step)):
            delay = t0 + index * CHUNK_S - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            ws.send(pcm[start:start + step])
        ws.send(json.dumps({"type": "stop"}))
        reader.join(120)
    return (first_interim[0] - onset_s if first_interim else float("nan"),
            last_final[0] - end_s if last_final else float("nan"))


def live_dictation(files: list[Path], gap_s: float = 0.6) -> np.ndarray:
    gap = np.zeros(int(gap_s * SAMPLE_RATE_HZ), dtype=np.float32)
    parts = []
    for path in files:
        parts += [decode_audio(path).samples, gap]
    return np.concatenate([gap, *parts, np.zeros(SAMPLE_RATE_HZ, dtype=np.float32)])


def run_service_benchmark(url: str, key: str, request_file: Path, stream_files: list[Path], *,
                          concurrency: int, requests: int, stream_runs: int
                          ) -> ServiceBenchResult:
    audio = request_file.read_bytes()
    statuses, latencies, wall = run_requests(url, key, audio, concurrency=concurrency,
                                             requests=requests)
    samples = live_dictation(stream_files)
    firsts, finals = [], []
    for _ in range(stream_runs):
        first, final = run_stream(url, key, samples)
        firsts.append(first)
        finals.append(final)
    return ServiceBenchResult(
        concurrency=concurrency, requests=requests,
        audio_s_per_request=decode_audio(request_file).duration_s, wall_s=wall,
        statuses=statuses, latencies_s=latencies, stream_runs=stream_runs,
        stream_audio_s=len(samples) / SAMPLE_RATE_HZ, first_interim_s=firsts,
        final_after_speech_s=finals, machine=describe_machine(),
        measured_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))

