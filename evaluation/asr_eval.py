"""`dikta eval asr`: the real pipeline over a manifest, scored per dialect and speaker.

Raw hypotheses are kept (hypotheses-<system>.jsonl, with durations and latencies) and
normalised only when scoring, so a report can be re-scored with another normaliser.
"""

from __future__ import annotations

import json
import operator
import re
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from evaluation.metrics import (
    bootstrap_interval,
    char_errors,
    corpus_rate,
    paired_bootstrap_p,
    percentile,
    term_insertions,
    term_recall,
    word_errors,
)
from evaluation.normalize import NorwegianNormalizer, basic_normalize
from models.manifest import ManifestRow
from structuring.errors import DiktaError


@dataclass(frozen=True)
class Hypothesis:
    audio: str
    text: str
    audio_s: float
    latency_s: float
    error: str | None = None


@dataclass(frozen=True)
class System:
    label: str
    transcribe: Callable[[Path], tuple[str, float]]  # audio → (text, audio seconds)


def run_system(system: System, rows: Sequence[ManifestRow]) -> list[Hypothesis]:
    out = []
    for row in rows:
        started = time.perf_counter()
        try:
            text, audio_s = system.transcribe(row.audio)
            error = None
        except DiktaError as exc:
            text, audio_s, error = "", 0.0, str(exc)
        out.append(Hypothesis(str(row.audio), text, audio_s, time.perf_counter() - started,
                              error))
    return out


@lru_cache(maxsize=1)
def medical_terms() -> tuple[str, ...]:
    """Drug names (brand and generic) from the structuring lexicon, plus clinical words."""
    meds = json.loads(resources.files("structuring").joinpath(
        "data/medications.json").read_text("utf-8"))["names"]
    extra = resources.files("evaluation").joinpath("data/medical_terms.txt").read_text("utf-8")
    terms = set(meds) | set(meds.values()) | {
        line.strip().lower() for line in extra.splitlines()
        if line.strip() and not line.startswith("#")}
    return tuple(sorted(basic_normalize(t) for t in terms if t))


def score(rows: Sequence[ManifestRow], hyps: Sequence[Hypothesis],
          normalizer: Callable[[str], str] = NorwegianNormalizer(), *, seed: int = 0) -> dict:
    """All figures of one system; a pure function of rows, hypotheses and normaliser."""
    speech = [(r, h) for r, h in zip(rows, hyps) if not r.is_quiet]
    quiet = [(r, h) for r, h in zip(rows, hyps) if r.is_quiet]
    refs = [normalizer(r.text) for r, _ in speech]
    outs = [normalizer(h.text) for _, h in speech]
    words = [word_errors(ref, hyp) for ref, hyp in zip(refs, outs)]
    chars = [char_errors(ref, hyp) for ref, hyp in zip(refs, outs)]
    errors, totals = [w.errors for w in words], [w.reference_words for w in words]
    exact = [word_errors(r.text.strip(), h.text.strip()) for r, h in speech]
    audio_s = sum(h.audio_s for h in hyps)
    processing_s = sum(h.latency_s for h in hyps)
    plain_refs = [basic_normalize(r.text) for r, _ in speech]
    plain_hyps = [basic_normalize(h.text) for _, h in speech]
    recall, found, said = term_recall(medical_terms(), plain_refs, plain_hyps)
    latencies = [h.latency_s for h in hyps]
    return {
        "utterances": len(speech),
        "wer": corpus_rate(errors, totals),
        "wer_ci95": bootstrap_interval(errors, totals, seed=seed),
        "wer_exact": corpus_rate([e.errors for e in exact], [e.reference_words for e in exact]),
        "cer": corpus_rate([c[0] for c in chars], [c[1] for c in chars]),
        "substitutions": sum(w.substitutions for w in words),
        "deletions": sum(w.deletions for w in words),
        "insertions": sum(w.insertions for w in words),
        "by_dialect": _groups(speech, errors, totals, lambda r: r.dialect, seed),
        "by_speaker": _groups(speech, errors, totals, lambda r: r.speaker, seed),
        "medical_term_recall": recall,
        "medical_terms_said": said,
        "medical_terms_found": found,
        "medical_terms_inserted": term_insertions(medical_terms(), plain_refs, plain_hyps),
        "hallucination_rate": (sum(1 for _, h in quiet if normalizer(h.text)) / len(quiet))
        if quiet else 0.0,
        "hallucinated_words": sum(len(normalizer(h.text).split()) for _, h in quiet),
        "quiet_clips": len(quiet),
        "failed_files": [h.audio for h in hyps if h.error],
        "audio_s": audio_s,
        "processing_s": processing_s,
        "rtfx": audio_s / processing_s if processing_s else 0.0,
        "latency_p50_s": percentile(latencies, 0.50),
        "latency_p95_s": percentile(latencies, 0.95),
        "latency_p99_s": percentile(latencies, 0.99),
        "per_utterance_errors": errors,
        "per_utterance_words": totals,
    }


def _groups(speech, errors, totals, key, seed) -> dict:
    groups: dict[str, list[int]] = {}
    for index, (row, _) in enumerate(speech):
        groups.setdefault(key(row), []).append(index)
    out = {}
    for name, indexes in sorted(groups.items()):
        e, t = [errors[i] for i in indexes], [totals[i] for i in indexes]
        out[name] = {"wer": corpus_rate(e, t), "ci95": bootstrap_interval(e, t, seed=seed),
                     "utterances": len(indexes), "words": sum(t)}
    return out


def compare(results: dict[str, dict]) -> list[dict]:
    """Each system against the first: WER difference and paired bootstrap p-value."""
    labels = list(results)
    if len(labels) < 2:
        return []
    base = results[labels[0]]
    out = []
    for label in labels[1:]:
        other = results[label]
        p = paired_bootstrap_p(base["per_utterance_errors"], other["per_utterance_errors"],
                               base["per_utterance_words"])
        out.append({"baseline": labels[0], "system": label,
                    "wer_difference": other["wer"] - base["wer"], "p_value": p,
                    "significant": p < 0.05})
    return out


_GATE = re.compile(r"^\s*([a-z_0-9.]+)\s*(<=|>=|<|>|==)\s*([0-9.]+)\s*$")
_OPS = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge,
        "==": operator.eq}


def failed_gates(result: dict, gates: Sequence[str]) -> list[str]:
    """The gates (e.g. "wer>0.25") that hold for this result: each is a failure."""
    failed = []
    for gate in gates:
        match = _GATE.match(gate)
        if not match:
            raise ValueError(f"a gate looks like 'wer>0.25', not '{gate}'")
        metric, op, value = match.groups()
        actual = result
        for part in metric.split("."):
            if not isinstance(actual, dict) or part not in actual:
                raise ValueError(f"unknown metric '{metric}' in gate '{gate}'")
            actual = actual[part]
        if _OPS[op](float(actual), float(value)):
            failed.append(f"{gate} (is {float(actual):.4f})")
    return failed


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def save_hypotheses(out: Path, label: str, hyps: Sequence[Hypothesis]) -> Path:
    path = out / f"hypotheses-{re.sub(r'[^A-Za-z0-9_.-]', '_', label)}.jsonl"
    path.write_text("".join(json.dumps(asdict(h), ensure_ascii=False) + "\n" for h in hyps),
                    encoding="utf-8")
    return path


def systems_for(engine, models: Sequence[str], variants: Sequence[str], *,
                default_model: str) -> list[System]:
    """One System per model (or the default model) and per `--variant label:key=value,…`;
    `engine` is anything with `transcriber(model, **options)` and `transcribe(path, t)`
    (the service's Engine, passed in by the CLI)."""

    def system(label: str, model: str | None, **overrides) -> System:
        transcriber = engine.transcriber(model, **overrides)

        def run(path: Path):
            transcript = engine.transcribe(path, transcriber)
            return transcript.text, transcript.audio_duration_s
        return System(label, run)

    systems = [system(Path(m).name if Path(m).is_dir() else m, m) for m in models] or \
        [system(default_model, None)]
    for variant in variants:
        label, _, spec = variant.partition(":")
        overrides: dict[str, object] = {}
        for item in filter(None, spec.split(",")):
            key, _, value = item.partition("=")
            overrides[key.strip()] = setting_value(value.strip())
        systems.append(system(label, models[0] if models else None, **overrides))
    return systems


def setting_value(value: str) -> object:
    """A variant's value as int, float, bool or string."""
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return {"true": True, "false": False, "none": None}.get(value.lower(), value)
