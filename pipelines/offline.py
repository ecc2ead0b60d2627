"""Not one packet out: the offline and telemetry switches of every dependency, in one place.

`enforce_offline()` is called explicitly at process start (the `dikta` CLI, the app factory,
the Celery worker, the test suite) — importing this module changes nothing. It must run
before the libraries below are imported: onnxruntime (the Silero VAD) reads
`ORT_DISABLE_TELEMETRY` once, when it is imported, and otherwise sends DNS lookups and
events to mobile.events.data.microsoft.com from native code (seen with strace on 1.32.0;
`onnxruntime.disable_telemetry_events()` alone does not stop them); huggingface_hub and
transformers read their switches at import as well.
"""

from __future__ import annotations

import os
import sys

# Every variable is forced, not defaulted: an inherited "0" must not switch telemetry back on.
OFFLINE_ENV: dict[str, str] = {
    # onnxruntime ≥ 1.29 (POSIX 1DS telemetry): no uploader, no device id, no events.
    "ORT_DISABLE_TELEMETRY": "1",
    # huggingface_hub (via faster-whisper, transformers, peft): no downloads, no telemetry.
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "HF_DATASETS_OFFLINE": "1",
    # transformers (`dikta models convert`, `dikta adapt train`).
    "TRANSFORMERS_OFFLINE": "1",
    # The fine-tuning Trainer reports to experiment trackers only if one is installed;
    # make sure none ever does.
    "WANDB_MODE": "disabled",
    "WANDB_DISABLED": "true",
    "DISABLE_MLFLOW_INTEGRATION": "TRUE",
    # The cross-tool convention (https://consoledonottrack.com), honoured by several libraries.
    "DO_NOT_TRACK": "1",
    "DISABLE_TELEMETRY": "1",
}
# torch, spaCy, uvicorn, celery and CTranslate2 have no telemetry and fetch nothing unless
# asked to (torch.hub, `spacy download`), which Dikta never does.


def enforce_offline() -> None:
    """Set every offline/telemetry switch in this process (and the processes it starts)."""
    os.environ.update(OFFLINE_ENV)
    disable_onnx_telemetry()


def disable_onnx_telemetry() -> None:
    """Call before an onnxruntime session is built. If onnxruntime was already imported
    (the variable is read then), also switch its runtime events off — the best left."""
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    onnxruntime = sys.modules.get("onnxruntime")
    if onnxruntime is not None and hasattr(onnxruntime, "disable_telemetry_events"):
        onnxruntime.disable_telemetry_events()
