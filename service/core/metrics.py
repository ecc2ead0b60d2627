"""Prometheus metrics of the service (a registry per app, so tests stay independent)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests = Counter("dikta_http_requests_total", "HTTP requests",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("dikta_http_request_duration_seconds", "Request latency",
                                 ["method", "route"], registry=r,
                                 buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120))
        self.audio_seconds = Counter("dikta_audio_seconds_total", "Audio transcribed (s)",
                                     ["source"], registry=r)
        self.queue_depth = Gauge("dikta_inference_queue_depth",
                                 "Transcriptions waiting for the model", registry=r)
        self.dictation_queue = Gauge("dikta_dictation_queue_depth",
                                     "Dictations accepted and not yet done", registry=r)
        self.rtfx = Histogram("dikta_asr_rtfx", "Audio seconds per processing second",
                              registry=r, buckets=(0.5, 1, 2, 5, 10, 20, 40, 80))
        self.rejected = Counter("dikta_rejected_total", "Requests refused for load",
                                ["reason"], registry=r)
