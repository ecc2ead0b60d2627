"""GPU benchmark: RTFx and memory of Whisper in CTranslate2 for compute types and batch sizes.

`dikta bench gpu` on a CUDA machine. Where no real large model is on the machine, it builds
random weights of the requested shape (e.g. large-v3) — then the figures are for speed only
(output tokens are capped, as random weights never stop talking), and the result says so.
On CPU the same command runs (used by the tests with a tiny shape).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from evaluation.machine import describe_machine

SHAPES = {  # transformers WhisperConfig fields of the model sizes
    "tiny": dict(d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                 decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64,
                 num_mel_bins=80, vocab_size=51865),
    "base": dict(d_model=512, encoder_layers=6, decoder_layers=6, encoder_attention_heads=8,
                 decoder_attention_heads=8, encoder_ffn_dim=2048, decoder_ffn_dim=2048,
                 num_mel_bins=80, vocab_size=51865),
    # large-v2's shape: large-v3's compute with 80 mel bins and the bundled vocabulary.
    "large-v2": dict(d_model=1280, encoder_layers=32, decoder_layers=32,
                     encoder_attention_heads=20, decoder_attention_heads=20,
                     encoder_ffn_dim=5120, decoder_ffn_dim=5120, num_mel_bins=80,
                     vocab_size=51865),
    "large-v3": dict(d_model=1280, encoder_layers=32, decoder_layers=32,
                     encoder_attention_heads=20, decoder_attention_heads=20,
                     encoder_ffn_dim=5120, decoder_ffn_dim=5120, num_mel_bins=128,
                     vocab_size=51866),
}


@dataclass
class GpuBenchResult:
    model: str
    random_weights: bool
    device: str
    audio_s: float
    max_new_tokens: int
    rows: list[dict] = field(default_factory=list)
    machine: dict = field(default_factory=dict)
    measured_at: str = ""
    note: str = ""

    def summary(self) -> str:
        lines = [f"{self.model} on {self.device}, {self.audio_s:.0f} s audio"
                 + (" — RANDOM WEIGHTS: speed only, tokens capped" if self.random_weights else "")]
        for r in self.rows:
            memory = f", peak GPU memory {r['peak_memory_mib']:.0f} MiB" \
                if r.get("peak_memory_mib") else ""
            lines.append(f"{r['compute_type']} batch {r['batch_size']}: {r['wall_s']:.2f} s, "
                         f"RTFx {r['rtfx']:.1f}{memory}")
        return "\n".join(lines)


def random_model(shape: str, out: Path, quantization: str) -> Path:
    """A CTranslate2 Whisper of `shape` with random weights (nothing downloaded)."""
    import torch
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperForConditionalGeneration,
    )

    from models.convert import convert_checkpoint

    torch.manual_seed(0)
    config = WhisperConfig(**SHAPES[shape], decoder_start_token_id=50258, pad_token_id=50257,
                           bos_token_id=50257, eos_token_id=50257)
    with tempfile.TemporaryDirectory() as tmp:
        model = WhisperForConditionalGeneration(config)
        model.generation_config = GenerationConfig(decoder_start_token_id=50258,
                                                   eos_token_id=50257, suppress_tokens=[],
                                                   begin_suppress_tokens=[220, 50257])
        model.save_pretrained(tmp)
        del model
        if SHAPES[shape]["vocab_size"] != 51865:  # large-v3: no bundled tokenizer fits
            raise ValueError("random large-v3 weights need its tokenizer.json next to them; "
                             "use --model with a converted large-v3 directory, or shape base")
        convert_checkpoint(Path(tmp), out, quantization, force=True)
    return out


class _GpuMemory:
    """Peak GPU memory in use while a block runs (nvidia-smi polling; none on CPU)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._available = shutil.which("nvidia-smi") is not None

    def __enter__(self):
        if self._available:
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._available:
            self._thread.join(5)

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                used = subprocess.run(["nvidia-smi", "--query-gpu=memory.used",
                                       "--format=csv,noheader,nounits"], capture_output=True,
                                      text=True, timeout=5).stdout.split()
                self.peak = max(self.peak, float(used[0]))
            except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
                return
            time.sleep(0.05)


def run_gpu_benchmark(*, model_dir: Path | None, shape: str, device: str,
                      compute_types: list[str], batch_sizes: list[int], seconds: float,
                      max_new_tokens: int = 64) -> GpuBenchResult:
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    rng = np.random.default_rng(0)
    audio = (rng.normal(0, 0.1, int(seconds * 16000))).astype(np.float32)
    clips = [{"start": float(s), "end": float(min(s + 28, seconds))}
             for s in np.arange(0, seconds, 28)]
    result = GpuBenchResult(model=str(model_dir) if model_dir else f"random {shape}",
                            random_weights=model_dir is None, device=device, audio_s=seconds,
                            max_new_tokens=max_new_tokens, machine=describe_machine(),
                            measured_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    with tempfile.TemporaryDirectory() as tmp:
        for compute_type in compute_types:
            path = model_dir or random_model(shape, Path(tmp) / compute_type, "float16"
                                             if device == "cuda" else "int8")
            model = WhisperModel(str(path), device=device, compute_type=compute_type)
            pipeline = BatchedInferencePipeline(model)
            for batch in batch_sizes:
                def once() -> None:
                    segments, _ = pipeline.transcribe(audio, clip_timestamps=clips,
                                                      batch_size=batch, language="no",
                                                      max_new_tokens=max_new_tokens,
                                                      without_timestamps=True)
                    for _ in segments:
                        pass
                once()  # warm-up
                with _GpuMemory() as memory:
                    started = time.perf_counter()
                    once()
                    wall = time.perf_counter() - started
                result.rows.append({"compute_type": compute_type, "batch_size": batch,
                                    "wall_s": wall, "rtfx": seconds / wall,
                                    "peak_memory_mib": memory.peak or None})
            del pipeline, model
    if result.random_weights:
        result.note = "random weights of the model's shape: speed only, not accuracy"
    return result


def write_result(result: GpuBenchResult, directory: Path = Path("benchmarks/results")) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = result.measured_at.replace(":", "").replace("-", "")
    path = directory / f"gpu-{result.device}-{stamp}.json"
    path.write_text(json.dumps(asdict(result), indent=2) + "\n")
    return path
