"""Fine-tune a Whisper checkpoint on a municipality's approved dictations, on its own machine.

LoRA is the default method, for three reasons: the data is small (hundreds to a few thousand
utterances), and low-rank adapters on the attention and feed-forward projections overfit and
forget far less than updating every weight; it trains NB-Whisper large on one modest GPU or
small models on a CPU; and the adapters merge back into an ordinary checkpoint, so the result
converts to CTranslate2 like any other. `method="full"` is there for larger datasets.

Every label is `<|sot|><|no|><|transcribe|><|notimestamps|> text <|eot|>` (or `<|nn|>`), so
the model keeps writing Norwegian; Whisper's own SpecAugment (time and frequency masks on the
log-mel input, active in training only) augments each pass; early stopping watches the loss on
the speaker-disjoint test split. The result is converted to CTranslate2 int8 (CPU) and
float16 (GPU).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from models.errors import ModelError
from models.manifest import ManifestRow, read_manifest

LANGUAGE_TOKENS = {"no": "<|no|>", "nb": "<|no|>", "nn": "<|nn|>"}
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2")


@dataclass(frozen=True)
class FineTuneOptions:
    method: str = "lora"  # lora | full
    epochs: int = 10
    learning_rate: float = 1e-4
    batch_size: int = 8
    patience: int = 3  # epochs without a better test loss before stopping
    warmup_fraction: float = 0.1
    lora_rank: int = 32
    spec_augment: bool = True
    mask_time_prob: float = 0.05
    mask_feature_prob: float = 0.05
    language: str = "no"
    device: str = "auto"  # auto | cpu | cuda
    seed: int = 0

    def validate(self) -> None:
        if self.method not in ("lora", "full"):
            raise ValueError("method must be lora or full")
        if self.language not in LANGUAGE_TOKENS:
            raise ValueError("language must be no, nb or nn")
        if self.epochs < 1 or self.batch_size < 1 or self.patience < 1:
            raise ValueError("epochs, batch size and patience must be at least 1")


@dataclass(frozen=True)
class EpochResult:
    epoch: int
    train_loss: float
    test_loss: float | None
    seconds: float


@dataclass(frozen=True)
class FineTuneResult:
    hf_dir: Path
    ct2_dirs: dict[str, Path]
    history: tuple[EpochResult, ...]
    best_epoch: int
    stopped_early: bool
    train_examples: int
    test_examples: int
    trainable_parameters: int
    warnings: tuple[str, ...] = field(default=())


class EarlyStopping:
    """Remembers the best score; says stop after `patience` rounds without improving it."""

    def __init__(self, patience: int) -> None:
        self.patience, self.best, self.best_round, self.rounds_since = patience, math.inf, 0, 0

    def update(self, round_: int, loss: float) -> bool:
        """True when `loss` is the best so far."""
        if loss < self.best:
            self.best, self.best_round, self.rounds_since = loss, round_, 0
            return True
        self.rounds_since += 1
        return False

    @property
    def should_stop(self) -> bool:
        return self.rounds_since >= self.patience


def read_examples(manifest: Path) -> list[ManifestRow]:
    """The rows with text of an export's train/test manifest; none when it is absent or empty
    (an export with a single speaker has no test split)."""
    if not manifest.is_file() or not manifest.read_text("utf-8").strip():
        return []
    return [row for row in read_manifest(manifest) if row.text.strip()]


def fine_tune(base: Path, data: Path, out: Path, options: FineTuneOptions = FineTuneOptions(),
              on_epoch: Callable[[EpochResult], None] | None = None) -> FineTuneResult:
    import torch

    options.validate()
    train, test = read_examples(data / "train.jsonl"), read_examples(data / "test.jsonl")
    if not train:
        raise ModelError(f"{data / 'train.jsonl'} has no examples (run dikta adapt export)")
    warnings = [] if test else ["no test split: early stopping watches the training loss"]
    random.seed(options.seed)
    torch.manual_seed(options.seed)
    device = _device(options.device)
    model, tokenizer, features = _load(base, options)
    model.to(device)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=options.learning_rate, weight_decay=0.01)
    steps = options.epochs * math.ceil(len(train) / options.batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _warmup_then_linear(
        max(1, int(steps * options.warmup_fraction)), steps))
    batches = _Batches(tokenizer, features, options.language, model.config)
    stopper, best_state, history = EarlyStopping(options.patience), None, []
    for epoch in range(1, options.epochs + 1):
        started = time.perf_counter()
        train_loss = _train_epoch(model, batches, train, options, optimizer, scheduler, device)
        test_loss = _loss(model, batches, test, options.batch_size, device) if test else None
        result = EpochResult(epoch, round(train_loss, 5),
                             None if test_loss is None else round(test_loss, 5),
                             round(time.perf_counter() - started, 2))
        history.append(result)
        if on_epoch:
            on_epoch(result)
        if stopper.update(epoch, test_loss if test_loss is not None else train_loss):
            best_state = {k: v.detach().to("cpu", copy=True)
                          for k, v in model.state_dict().items() if _kept(k, options)}
        if stopper.should_stop:
            break
    model.load_state_dict(best_state, strict=False)
    hf_dir = _save(model, tokenizer, features, out, options)
    ct2 = _convert(hf_dir, out)
    summary = FineTuneResult(hf_dir, ct2, tuple(history), stopper.best_round,
                             len(history) < options.epochs, len(train), len(test),
                             sum(p.numel() for p in trainable), tuple(warnings))
    _write_report(out, base, data, options, summary)
    return summary


def _device(choice: str) -> str:
    import torch

    if choice == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if choice == "cuda" and not torch.cuda.is_available():
        raise ModelError("device cuda asked for, but torch sees no CUDA GPU")
    return choice


def _load(base: Path, options: FineTuneOptions):
    from transformers import (
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperTokenizerFast,
    )

    if not (base / "config.json").is_file():
        raise ModelError(f"{base} is not a transformers Whisper checkpoint (no config.json); "
                         "fine-tuning needs the original checkpoint, not a CTranslate2 one")
    model = WhisperForConditionalGeneration.from_pretrained(base)
    config = model.config
    config.apply_spec_augment = options.spec_augment
    config.mask_time_prob, config.mask_feature_prob = (options.mask_time_prob,
                                                        options.mask_feature_prob)
    config.mask_feature_length = min(config.mask_feature_length, config.num_mel_bins // 4)
    config.use_cache = False
    tokenizer = WhisperTokenizerFast.from_pretrained(base)
    features = WhisperFeatureExtractor.from_pretrained(base) \
        if (base / "preprocessor_config.json").is_file() \
        else WhisperFeatureExtractor(feature_size=config.num_mel_bins)
    if options.method == "lora":
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(
            r=options.lora_rank, lora_alpha=2 * options.lora_rank, lora_dropout=0.05,
            target_modules=list(LORA_TARGETS), bias="none"))
    return model, tokenizer, features


def _kept(name: str, options: FineTuneOptions) -> bool:
    # LoRA changes only the adapters; keeping the rest would double the memory for nothing.
    return options.method == "full" or "lora_" in name


class _Batches:
    """Log-mel features and Norwegian-prefixed labels for a list of examples."""

    def __init__(self, tokenizer, features, language: str, config) -> None:
        self.tokenizer, self.features = tokenizer, features
        ids = tokenizer.convert_tokens_to_ids
        # The decoder start (<|startoftranscript|>) is prepended by the model itself.
        self.prefix = [ids(LANGUAGE_TOKENS[language]), ids("<|transcribe|>"),
                       ids("<|notimestamps|>")]
        self.eot = ids("<|endoftext|>")
        self.max_label = config.max_target_positions - 1
        self.audio_cache: dict[Path, object] = {}

    def make(self, examples: list[ManifestRow], device: str):
        import torch

        audio = [self._audio(e.audio) for e in examples]
        inputs = self.features(audio, sampling_rate=16000, return_tensors="pt").input_features
        labels = [(self.prefix + self.tokenizer.encode(" " + e.text.strip(),
                                                        add_special_tokens=False)
                   + [self.eot])[:self.max_label] for e in examples]
        width = max(len(label) for label in labels)
        padded = torch.full((len(labels), width), -100, dtype=torch.long)
        for row, label in enumerate(labels):
            padded[row, :len(label)] = torch.tensor(label)
        return inputs.to(device), padded.to(device)

    def _audio(self, path: Path):
        from pipelines.audio import decode_audio

        if path not in self.audio_cache:
            self.audio_cache[path] = decode_audio(path).samples
        return self.audio_cache[path]


def _warmup_then_linear(warmup: int, total: int) -> Callable[[int], float]:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))
    return factor


def _train_epoch(model, batches: _Batches, examples: list[ManifestRow], options: FineTuneOptions,
                 optimizer, scheduler, device: str) -> float:
    import torch

    model.train()
    order = examples[:]
    random.shuffle(order)
    total, count = 0.0, 0
    for start in range(0, len(order), options.batch_size):
        chunk = order[start:start + options.batch_size]
        features, labels = batches.make(chunk, device)
        loss = model(input_features=features, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        total, count = total + loss.item() * len(chunk), count + len(chunk)
    return total / count


def _loss(model, batches: _Batches, examples: list[ManifestRow], batch_size: int, device: str
          ) -> float:
    import torch

    model.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(examples), batch_size):
            chunk = examples[start:start + batch_size]
            features, labels = batches.make(chunk, device)
            total += model(input_features=features, labels=labels).loss.item() * len(chunk)
    return total / len(examples)


def _save(model, tokenizer, features, out: Path, options: FineTuneOptions) -> Path:
    if options.method == "lora":
        model = model.merge_and_unload()  # an ordinary checkpoint again
    model.config.use_cache = True
    model.config.apply_spec_augment = False
    hf_dir = out / "hf"
    model.to("cpu").save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    features.save_pretrained(hf_dir)
    return hf_dir


def _convert(hf_dir: Path, out: Path) -> dict[str, Path]:
    from models.convert import convert_checkpoint

    return {q: convert_checkpoint(hf_dir, out / f"ct2-{q}", q, force=True)
            for q in ("int8", "float16")}


def _write_report(out: Path, base: Path, data: Path, options: FineTuneOptions,
                  result: FineTuneResult) -> None:
    report = {"base": str(base), "data": str(data), "options": asdict(options),
              "history": [asdict(h) for h in result.history], "best_epoch": result.best_epoch,
              "stopped_early": result.stopped_early, "train_examples": result.train_examples,
              "test_examples": result.test_examples,
              "trainable_parameters": result.trainable_parameters,
              "ct2": {q: str(p) for q, p in result.ct2_dirs.items()},
              "warnings": list(result.warnings)}
    (out / "training.json").write_text(json.dumps(report, indent=2) + "\n")
