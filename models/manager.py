"""Load each Whisper model once and share it; optionally unload it after an idle period.

A loaded base model costs ~150 MB and a large one several GB, so the service keeps one copy per
(model directory, device plan) and hands out references. The clock and the loader are
injectable so the TTL logic is tested without loading anything.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gpu.device import DevicePlan

Loader = Callable[[Path, DevicePlan], Any]


def load_whisper(path: Path, plan: DevicePlan) -> Any:
    from faster_whisper import WhisperModel

    return WhisperModel(
        str(path),
        device=plan.device,
        device_index=plan.device_index,
        compute_type=plan.compute_type,
        cpu_threads=plan.cpu_threads,
        num_workers=plan.num_workers,
        local_files_only=True,
    )


@dataclass
class _Loaded:
    model: Any
    last_used: float
    users: int = 0


@dataclass
class ModelManager:
    """Thread-safe cache of loaded models with reference counts and idle unloading."""

    ttl_s: float | None = None  # None: keep models loaded for the life of the process
    loader: Loader = load_whisper
    clock: Callable[[], float] = time.monotonic
    _models: dict[tuple[Path, DevicePlan], _Loaded] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, path: Path, plan: DevicePlan) -> Any:
        """The loaded model (loading it on first use); no reference is held."""
        with self.use(path, plan) as model:
            return model

    @contextmanager
    def use(self, path: Path, plan: DevicePlan) -> Iterator[Any]:
        """Hold a reference while the block runs, so idle unloading cannot drop it."""
        key = (Path(path), plan)
        with self._lock:
            entry = self._models.get(key)
            if entry is None:
                entry = _Loaded(self.loader(Path(path), plan), self.clock())
                self._models[key] = entry
            entry.users += 1
        try:
            yield entry.model
        finally:
            with self._lock:
                entry.users -= 1
                entry.last_used = self.clock()

    def unload_idle(self) -> int:
        """Drop models unused for longer than the TTL; returns how many were dropped."""
        if self.ttl_s is None:
            return 0
        now = self.clock()
        with self._lock:
            stale = [k for k, e in self._models.items()
                     if e.users == 0 and now - e.last_used > self.ttl_s]
            for key in stale:
                del self._models[key]
        return len(stale)

    def loaded(self) -> list[Path]:
        with self._lock:
            return [path for path, _ in self._models]
