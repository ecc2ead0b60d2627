"""Device and compute-type choice for CTranslate2 (CUDA where present, CPU otherwise)."""

from gpu.device import DevicePlan, plan_device

__all__ = ["DevicePlan", "plan_device"]
