"""`dikta batch`: many recordings from the command line, resumable, one bad file never stops it.

Each finished file is recorded in OUT/.dikta-batch.jsonl with the SHA-256 of its audio, so a
rerun skips what is done (and redoes a file whose content changed). Work is spread over
worker processes, each loading the model once.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from models.default import sha256_of
from service.notes.structure import structure_for_tenant
from service.tenants.profile import TenantProfile, service_profile

AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".oga", ".webm", ".flac",
                  ".amr", ".3gp", ".mp4", ".caf", ".aiff", ".aif", ".wma"}
STATE_FILE = ".dikta-batch.jsonl"


@dataclass(frozen=True)
class FileResult:
    source: str
    sha256: str
    status: str  # done | failed
    audio_s: float = 0.0
    reason: str | None = None
    outputs: tuple[str, ...] = ()


@dataclass
class BatchSummary:
    files: int = 0
    done: int = 0
    skipped: int = 0
    failed: list[FileResult] = field(default_factory=list)
    audio_s: float = 0.0
    wall_s: float = 0.0

    def lines(self) -> list[str]:
        rtfx = self.audio_s / self.wall_s if self.wall_s else 0.0
        out = [f"files: {self.files}, done: {self.done}, already done: {self.skipped}, "
               f"failed: {len(self.failed)}",
               f"audio: {self.audio_s / 3600:.2f} h in {self.wall_s:.1f} s (RTFx {rtfx:.1f})"]
        out += [f"  failed: {r.source}: {r.reason}" for r in self.failed]
        return out


def expand_inputs(inputs: Iterable[str]) -> list[Path]:
    """Files as given, audio files under folders (recursively), and glob patterns."""
    found: list[Path] = []
    for item in inputs:
        matches = [Path(p) for p in glob.glob(item, recursive=True)] or [Path(item)]
        for path in matches:
            if path.is_dir():
                found += sorted(p for p in path.rglob("*")
                                if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
            else:
                found.append(path)
    unique = dict.fromkeys(p.resolve() for p in found)
    return list(unique)


def load_state(out: Path) -> dict[str, FileResult]:
    state: dict[str, FileResult] = {}
    path = out / STATE_FILE
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
                record["outputs"] = tuple(record.get("outputs", ()))
                state[record["source"]] = FileResult(**record)
            except (ValueError, TypeError, KeyError):
                continue  # a line cut by a crash: that file is simply done again
    return state


def _record(out: Path, result: FileResult) -> None:
    with (out / STATE_FILE).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(result.__dict__, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def output_stem(source: Path) -> str:
    # The name a nurse recognises, plus a short hash of the full path against clashes.
    return f"{source.stem}-{hashlib.sha1(str(source).encode()).hexdigest()[:6]}"


# --- worker processes ------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(settings, threads: int, profile: TenantProfile) -> None:
    from service.core.engine import Engine

    settings = settings.model_copy(deep=True)
    settings.model.cpu_threads = threads
    engine = Engine(settings)
    _WORKER.update(engine=engine, profile=profile,
                   transcriber=engine.transcriber(profile.model, lexicon=profile.lexicon))


def _process(source: str, sha256: str, out: str) -> FileResult:
    from pipelines.formats import to_json, to_text
    from structuring.errors import DiktaError
    from structuring.export import to_json as note_json

    engine, transcriber = _WORKER["engine"], _WORKER["transcriber"]
    try:
        transcript = engine.transcribe(Path(source), transcriber)
    except DiktaError as exc:
        return FileResult(source, sha256, "failed", reason=str(exc))
    stem = Path(out) / output_stem(Path(source))
    outputs = {f"{stem}.txt": to_text(transcript), f"{stem}.json": to_json(transcript)}
    if transcript.text:
        note = structure_for_tenant(transcript.text, _WORKER["profile"],
                                    language=transcriber.options.language)
        outputs[f"{stem}.note.json"] = note_json(note)
    for path, text in outputs.items():
        Path(path).write_text(text, encoding="utf-8")
    return FileResult(source, sha256, "done", audio_s=transcript.audio_duration_s,
                      outputs=tuple(outputs))


def run_batch(settings, inputs: Iterable[str], out: Path, workers: int = 1,
              progress: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
              profile: TenantProfile | None = None) -> BatchSummary:
    """Transcribe and structure every input; `profile` is the tenant whose model, lexicon,
    template and written standard apply (default: the service's)."""
    profile = profile or service_profile(settings)
    out.mkdir(parents=True, exist_ok=True)
    sources = expand_inputs(inputs)
    state = load_state(out)
    summary = BatchSummary(files=len(sources))
    todo: list[tuple[Path, str]] = []
    for source in sources:
        if not source.is_file():
            result = FileResult(str(source), "", "failed", reason="no such file")
            summary.failed.append(result)
            continue
        digest = sha256_of(source)
        previous = state.get(str(source))
        if previous and previous.status == "done" and previous.sha256 == digest:
            summary.skipped += 1
            continue
        todo.append((source, digest))
    started = time.perf_counter()
    threads = max(1, (os.cpu_count() or 1) // workers)
    sizes = {str(s): s.stat().st_size for s, _ in todo}
    total_bytes, done_bytes = sum(sizes.values()) or 1, 0
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(settings, threads, profile)) as pool:
        pending = {pool.submit(_process, str(s), d, str(out)) for s, d in todo}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                result = future.result()
                _record(out, result)
                done_bytes += sizes[result.source]
                if result.status == "done":
                    summary.done += 1
                    summary.audio_s += result.audio_s
                else:
                    summary.failed.append(result)
                progress(_progress_line(summary, len(todo), done_bytes / total_bytes,
                                        time.perf_counter() - started))
    summary.wall_s = time.perf_counter() - started
    return summary


def _progress_line(summary: BatchSummary, total: int, fraction: float, elapsed: float) -> str:
    handled = summary.done + len([f for f in summary.failed if f.sha256])
    # Too little done to extrapolate from: say so rather than print a wild guess.
    eta = f"{elapsed / fraction * (1 - fraction):5.0f} s" if fraction >= 0.05 else "    –  "
    return (f"[{handled}/{total}] {100 * fraction:3.0f}% elapsed {elapsed:5.0f} s, "
            f"ETA {eta}, failed {len(summary.failed)}")
