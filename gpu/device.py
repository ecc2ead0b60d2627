"""Pick where and how CTranslate2 runs: device, compute type and thread counts.

`auto` means CUDA when CTranslate2 sees a device (float16, or int8_float16 when asked to save
memory), else CPU int8 — the fastest exact-enough choice for Whisper on both. Everything the
choice depends on is passed in (or probed once), so the logic is unit-tested without a GPU.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

DEVICES = ("auto", "cpu", "cuda")
# Preference order per device for `compute_type="auto"`.
_AUTO_COMPUTE = {
    "cuda": ("float16", "int8_float16", "bfloat16", "float32"),
    "cpu": ("int8", "int8_float32", "float32"),
}


@dataclass(frozen=True)
class DevicePlan:
    device: str  # "cpu" or "cuda"
    compute_type: str  # a CTranslate2 compute type, e.g. "int8", "float16"
    device_index: int
    cpu_threads: int  # intra-op threads per model replica (CPU work, also feature extraction)
    num_workers: int  # model replicas that may run concurrently

    def describe(self) -> str:
        where = f"cuda:{self.device_index}" if self.device == "cuda" else "cpu"
        return f"{where} {self.compute_type} threads={self.cpu_threads} workers={self.num_workers}"


def _cuda_device_count() -> int:
    import ctranslate2

    try:
        return ctranslate2.get_cuda_device_count()
    except RuntimeError:  # CUDA driver missing or broken: behave as if there is no GPU.
        return 0


def _supported_compute_types(device: str) -> set[str]:
    import ctranslate2

    try:
        return set(ctranslate2.get_supported_compute_types(device))
    except (RuntimeError, ValueError):
        return set()


def plan_device(
    device: str = "auto",
    compute_type: str = "auto",
    *,
    device_index: int = 0,
    cpu_threads: int = 0,
    num_workers: int = 1,
    cuda_device_count: Callable[[], int] = _cuda_device_count,
    supported_compute_types: Callable[[str], Iterable[str]] = _supported_compute_types,
    cpu_count: Callable[[], int | None] = os.cpu_count,
) -> DevicePlan:
    """Resolve `auto` settings into a concrete plan; raise ValueError for impossible ones."""
    if device not in DEVICES:
        raise ValueError(f"unknown device '{device}' (choose from {', '.join(DEVICES)})")
    if num_workers < 1:
        raise ValueError("num_workers must be at least 1")
    gpus = cuda_device_count() if device in ("auto", "cuda") else 0
    if device == "cuda" and gpus == 0:
        raise ValueError("device 'cuda' was asked for, but CTranslate2 sees no CUDA device")
    if gpus and device_index >= gpus:
        raise ValueError(f"cuda device index {device_index} does not exist ({gpus} visible)")
    chosen = "cuda" if gpus else "cpu"
    supported = set(supported_compute_types(chosen))
    if compute_type == "auto":
        compute_type = next((c for c in _AUTO_COMPUTE[chosen] if c in supported), "default")
    elif supported and compute_type not in supported and compute_type != "default":
        raise ValueError(
            f"compute type '{compute_type}' is not supported on {chosen} "
            f"(supported: {', '.join(sorted(supported))})"
        )
    threads = cpu_threads if cpu_threads > 0 else _default_threads(chosen, num_workers, cpu_count)
    return DevicePlan(chosen, compute_type, device_index if chosen == "cuda" else 0, threads,
                      num_workers)


def _default_threads(device: str, num_workers: int, cpu_count: Callable[[], int | None]) -> int:
    cores = cpu_count() or 1
    if device == "cuda":
        # The GPU does the heavy lifting; a few threads feed it (features, VAD).
        return min(4, cores)
    # Replicas share the cores; oversubscription slows every one of them.
    return max(1, cores // num_workers)
