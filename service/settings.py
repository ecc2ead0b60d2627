"""All configuration, in one place: environment variables `DIKTA_*` or a `.env` file.

Nested sections use `__`, e.g. `DIKTA_ASR__BEAM_SIZE=1`, `DIKTA_MODEL__NAME=nb-whisper-large`.
Nothing else in Dikta reads the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_model_dir() -> Path:
    return Path.home() / ".cache" / "dikta" / "models"


class ModelSettings(BaseModel):
    name: str = "whisper-base"
    """Registered model name (`dikta models list`) or a CTranslate2 Whisper directory."""
    device: str = "auto"
    """`auto` (CUDA when CTranslate2 sees a GPU, else CPU), `cpu` or `cuda`."""
    compute_type: str = "auto"
    """`auto` (float16 on CUDA, int8 on CPU) or any CTranslate2 compute type."""
    device_index: int = 0
    cpu_threads: int = 0
    """Threads per model replica; 0 divides this machine's cores between the replicas."""
    num_workers: int = 1
    """Model replicas that may decode concurrently."""
    idle_unload_s: float | None = None
    """Unload a model unused for this long (seconds); unset keeps it loaded."""


class AsrSettings(BaseModel):
    language: str = "no"
    """`no`/`nb` (bokmål) or `nn` (nynorsk)."""
    beam_size: int = 5
    batch_size: int = 1
    """>1 decodes several speech windows at once (faster on GPU and long files)."""
    word_timestamps: bool = True
    vad: bool = True
    """Send only detected speech to Whisper; off transcribes everything (risks invented text)."""
    vad_min_silence_ms: int = 600
    initial_prompt: str | None = None
    hotwords: str | None = None


class AudioSettings(BaseModel):
    max_duration_s: float = 3 * 3600.0
    max_bytes: int = 512 * 1024 * 1024


class StructuringSettings(BaseModel):
    template: str = "funksjonsomrader"
    """Section template for notes: `funksjonsomrader`, or `isbar` for handover reports."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DIKTA_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        protected_namespaces=(),
    )

    model_dir: Path = Field(default_factory=_default_model_dir)
    """Model cache: the assembled default model and `registry.json` of added models."""
    model: ModelSettings = ModelSettings()
    asr: AsrSettings = AsrSettings()
    audio: AudioSettings = AudioSettings()
    structuring: StructuringSettings = StructuringSettings()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
