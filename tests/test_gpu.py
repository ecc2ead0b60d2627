"""Device planning, with CUDA's presence and capabilities injected (no GPU needed)."""

from __future__ import annotations

import pytest

from gpu.device import plan_device

CUDA_TYPES = {"float16", "int8_float16", "bfloat16", "int8", "float32", "int8_float32"}
CPU_TYPES = {"int8", "int8_float32", "float32"}


def _plan(device="auto", compute_type="auto", gpus=0, types=None, cores=2, **kw):
    supported = types or (lambda d: CUDA_TYPES if d == "cuda" else CPU_TYPES)
    return plan_device(device, compute_type, cuda_device_count=lambda: gpus,
                       supported_compute_types=supported, cpu_count=lambda: cores, **kw)


def test_auto_without_gpu_is_cpu_int8():
    plan = _plan(gpus=0, cores=2)
    assert (plan.device, plan.compute_type, plan.cpu_threads) == ("cpu", "int8", 2)


def test_auto_with_gpu_is_cuda_float16():
    plan = _plan(gpus=1, cores=16)
    assert (plan.device, plan.compute_type) == ("cuda", "float16")
    assert plan.cpu_threads == 4


def test_gpu_without_float16_falls_back_to_int8_float16():
    plan = _plan(gpus=1, types=lambda d: {"int8_float16", "float32"})
    assert plan.compute_type == "int8_float16"


def test_explicit_cuda_without_gpu_is_refused():
    with pytest.raises(ValueError, match="no CUDA device"):
        _plan(device="cuda", gpus=0)


def test_unsupported_compute_type_is_refused():
    with pytest.raises(ValueError, match="not supported on cpu"):
        _plan(compute_type="float16")


def test_workers_share_the_cores():
    assert _plan(cores=8, num_workers=2).cpu_threads == 4
    assert _plan(cores=2, num_workers=4).cpu_threads == 1


def test_explicit_threads_and_device_index():
    plan = _plan(gpus=2, cpu_threads=3, device_index=1)
    assert (plan.cpu_threads, plan.device_index) == (3, 1)
    with pytest.raises(ValueError, match="index 2"):
        _plan(gpus=2, device_index=2)


def test_unknown_device():
    with pytest.raises(ValueError, match="unknown device"):
        _plan(device="tpu")


def test_real_probe_on_this_machine():
    plan = plan_device()  # the real CTranslate2 probe
    assert plan.device in ("cpu", "cuda")
    assert plan.describe()
