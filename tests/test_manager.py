"""Load-once and idle unloading, with an injected loader and clock."""

from __future__ import annotations

from pathlib import Path

from gpu.device import DevicePlan
from models.manager import ModelManager

PLAN = DevicePlan("cpu", "int8", 0, 2, 1)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _manager(ttl_s=None):
    loads: list[Path] = []

    def loader(path, plan):
        loads.append(path)
        return object()

    clock = Clock()
    return ModelManager(ttl_s=ttl_s, loader=loader, clock=clock), loads, clock


def test_model_is_loaded_once_and_shared():
    manager, loads, _ = _manager()
    first = manager.get(Path("/m/a"), PLAN)
    assert manager.get(Path("/m/a"), PLAN) is first
    manager.get(Path("/m/b"), PLAN)
    assert loads == [Path("/m/a"), Path("/m/b")]


def test_idle_model_is_unloaded_after_ttl_and_reloaded_on_demand():
    manager, loads, clock = _manager(ttl_s=60)
    manager.get(Path("/m/a"), PLAN)
    clock.now = 30
    assert manager.unload_idle() == 0
    clock.now = 100
    assert manager.unload_idle() == 1
    assert manager.loaded() == []
    manager.get(Path("/m/a"), PLAN)
    assert len(loads) == 2


def test_model_in_use_is_never_unloaded():
    manager, _, clock = _manager(ttl_s=1)
    with manager.use(Path("/m/a"), PLAN):
        clock.now = 1000
        assert manager.unload_idle() == 0
    clock.now = 2000
    assert manager.unload_idle() == 1


def test_without_ttl_nothing_is_unloaded():
    manager, _, clock = _manager(ttl_s=None)
    manager.get(Path("/m/a"), PLAN)
    clock.now = 10**9
    assert manager.unload_idle() == 0
