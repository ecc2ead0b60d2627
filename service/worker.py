"""The in-process dictation worker: accepted dictations are transcribed and structured.

The database is the queue's memory: a dictation is stored (audio on disk, fsynced; row
committed) before 202 is answered, and on start every dictation still `queued` or `running`
is picked up again — nothing accepted is lost when the process dies.
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from sqlalchemy import select

from pipelines.errors import AudioError
from service.store import Dictation, Store, utcnow

log = logging.getLogger("dikta.worker")
MAX_ATTEMPTS = 3
_STOP = object()


class DictationWorker:
    def __init__(self, state, threads: int = 1) -> None:
        self.state = state
        self.threads = threads
        self._queue: queue.Queue = queue.Queue()
        self._workers: list[threading.Thread] = []

    @property
    def store(self) -> Store:
        return self.state.store

    def start(self) -> None:
        for _ in range(self.threads):
            thread = threading.Thread(target=self._run, name="dikta-dictation", daemon=True)
            thread.start()
            self._workers.append(thread)
        for dictation_id in self._unfinished():
            self.submit(dictation_id)

    def stop(self, timeout_s: float = 30.0) -> None:
        for _ in self._workers:
            self._queue.put(_STOP)
        for thread in self._workers:
            thread.join(timeout_s)
        self._workers.clear()

    def submit(self, dictation_id: str) -> None:
        self._queue.put(dictation_id)
        self.state.metrics.dictation_queue.set(self._queue.qsize())

    def _unfinished(self) -> list[str]:
        with self.store.session() as s:
            rows = s.scalars(select(Dictation.id).where(
                Dictation.status.in_(("queued", "running"))).order_by(Dictation.created_at))
            return list(rows)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            self.state.metrics.dictation_queue.set(self._queue.qsize())
            if item is _STOP:
                return
            try:
                self.process(item)
            except Exception:  # keep the worker alive; the row says what failed
                log.exception("dictation failed unexpectedly", extra={"dictation_id": item})

    def process(self, dictation_id: str) -> None:
        with self.store.session() as s, s.begin():
            row = s.get(Dictation, dictation_id)
            if row is None or row.status == "done":
                return  # deleted meanwhile, or a redelivery of finished work
            row.status, row.attempts = "running", row.attempts + 1
            attempt, path, language = row.attempts, row.audio_path, row.language
            tenant_id = row.tenant_id
        template = self.store.tenant_template(tenant_id) or \
            self.state.settings.structuring.template
        try:
            transcript, note = self.state.gate.run_blocking(
                lambda: self._transcribe_and_structure(Path(path), language, template))
        except AudioError as exc:
            self._finish(dictation_id, status="failed", error=str(exc))
            return
        except Exception as exc:
            retry = attempt < MAX_ATTEMPTS
            log.warning("dictation attempt failed", extra={
                "dictation_id": dictation_id, "attempt": attempt,
                "error_type": type(exc).__name__})
            self._finish(dictation_id, status="queued" if retry else "failed",
                         error=f"processing failed ({type(exc).__name__}); "
                               f"attempt {attempt} of {MAX_ATTEMPTS}")
            if retry:
                self.submit(dictation_id)
            return
        self.state.metrics.audio_seconds.labels("dictation").inc(transcript.audio_duration_s)
        self._finish(dictation_id, status="done", transcript=transcript.text,
                     note=note.to_dict() if note else None,
                     audio_duration_s=transcript.audio_duration_s)
        log.info("dictation done", extra={"dictation_id": dictation_id,
                                          "audio_s": round(transcript.audio_duration_s, 1)})

    def _transcribe_and_structure(self, path: Path, language: str, template: str):
        from structuring.pipeline import structure

        engine = self.state.engine
        transcriber = engine.transcriber(language="nn" if language == "nn" else None)
        transcript = engine.transcribe(path, transcriber)
        note = structure(transcript.text, template=template, language=language) \
            if transcript.text else None
        return transcript, note

    def _finish(self, dictation_id: str, **fields) -> None:
        with self.store.session() as s, s.begin():
            row = s.get(Dictation, dictation_id)
            if row is None:
                return
            for key, value in fields.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
