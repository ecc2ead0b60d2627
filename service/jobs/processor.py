"""Processing one dictation, the same for the in-process worker and Celery workers.

Exactly one result per dictation, however often a job is delivered: a worker claims the
dictation in a transaction, and the ASR draft is stored as note version 1 under a unique
constraint, in the same transaction that marks the dictation done. A job that keeps failing
is retried with exponential backoff and then dead-lettered with its last error kept.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pipelines.errors import AudioError
from service.alarms.links import annotate
from service.core.audio_files import remove
from service.core.store import Dictation, Job, NoteVersion, Store, utcnow
from service.notes.structure import structure_for_tenant
from service.stats.aggregates import bump
from service.tenants.profile import TenantProfile, tenant_profile

log = logging.getLogger("dikta.jobs")
FINISHED = ("done", "failed", "dead")


@dataclass(frozen=True)
class Outcome:
    state: str  # done | failed | dead | retry | skipped
    retry_in_s: float | None = None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class DictationProcessor:
    def __init__(self, store: Store, engine, settings, gate=None, metrics=None) -> None:
        self.store, self.engine, self.settings = store, engine, settings
        self.gate, self.metrics = gate, metrics

    def process(self, dictation_id: str) -> Outcome:
        claim = self._claim(dictation_id)
        if claim is None:
            return Outcome("skipped")
        attempt, path, language, tenant_id, recorded_at = claim
        profile = tenant_profile(self.store, self.settings, tenant_id)
        started = time.perf_counter()
        try:
            work = lambda: self._transcribe_and_structure(
                Path(path), language, profile, recorded_at)
            transcript, note = self.gate.run_blocking(work) if self.gate else work()
        except AudioError as exc:
            self._close(dictation_id, "failed", str(exc))
            return Outcome("failed")
        except Exception as exc:  # anything else may pass on a retry
            return self._failed_attempt(dictation_id, attempt, exc)
        timings = {**transcript.timings.__dict__, "total_s": time.perf_counter() - started}
        stored = self._store_result(dictation_id, transcript, note, timings)
        if stored and self.metrics is not None:
            self.metrics.audio_seconds.labels("dictation").inc(transcript.audio_duration_s)
        return Outcome("done" if stored else "skipped")

    def _claim(self, dictation_id: str):
        with self.store.session() as s, s.begin():
            row = s.get(Dictation, dictation_id, with_for_update=True)
            if row is None or row.status in FINISHED:
                return None  # deleted, or a redelivery of finished work
            job = self._job(s, dictation_id) or Job(dictation_id=dictation_id)
            row.status, row.attempts = "running", row.attempts + 1
            job.state, job.attempts = "running", row.attempts
            job.started_at, job.worker = utcnow(), worker_name()
            s.add(job)
            return row.attempts, row.audio_path, row.language, row.tenant_id, row.recorded_at

    @staticmethod
    def _job(session, dictation_id: str) -> Job | None:
        return session.scalar(select(Job).where(Job.dictation_id == dictation_id))

    def _transcribe_and_structure(self, path: Path, language: str, profile: TenantProfile,
                                  recorded_at):
        from service.core.audio_files import read_audio

        transcriber = self.engine.transcriber(
            profile.model, language="nn" if language == "nn" else None,
            lexicon=profile.lexicon)
        transcript = self.engine.transcribe(read_audio(path), transcriber)
        note = structure_for_tenant(transcript.text, profile, language=language,
                                    recorded_at=recorded_at) if transcript.text else None
        return transcript, note

    def _store_result(self, dictation_id: str, transcript, note, timings: dict) -> bool:
        note_dict = note.to_dict() if note else None
        spent_audio = None
        try:
            with self.store.session() as s, s.begin():
                row = s.get(Dictation, dictation_id, with_for_update=True)
                if row is None or row.status == "done":
                    return False
                # Alarms of this patient and time are proposed on the draft (or the ones
                # sent with the recording matched to its events).
                note_dict = annotate(s, row, note_dict, self.settings.alarms)
                s.add(NoteVersion(dictation_id=dictation_id, version=1, kind="asr_draft",
                                  text=transcript.text, note=note_dict, author="dikta-asr"))
                bump(s, row.tenant_id, utcnow(), audio_seconds=transcript.audio_duration_s)
                row.status, row.error = "done", None
                row.note = note_dict
                row.audio_duration_s = transcript.audio_duration_s
                row.updated_at = utcnow()
                if self.settings.retention.audio == "after_transcription":
                    spent_audio, row.audio_path = row.audio_path, None
                self._finish_job(s, dictation_id, "done", None, timings)
        except IntegrityError:  # another delivery stored version 1 first
            return False
        remove(spent_audio)  # only once the transcript is safely committed
        log.info("dictation done", extra={"dictation_id": dictation_id,
                                          "audio_s": round(transcript.audio_duration_s, 1)})
        return True

    def _failed_attempt(self, dictation_id: str, attempt: int, exc: Exception) -> Outcome:
        limit = self.settings.worker.max_attempts
        reason = f"processing failed ({type(exc).__name__}); attempt {attempt} of {limit}"
        log.warning("dictation attempt failed", extra={
            "dictation_id": dictation_id, "attempt": attempt, "error_type": type(exc).__name__})
        if attempt >= limit:
            self._close(dictation_id, "dead", reason)
            return Outcome("dead")
        self._close(dictation_id, "queued", reason)
        return Outcome("retry", self.settings.worker.retry_backoff_s * 2 ** (attempt - 1))

    def _close(self, dictation_id: str, state: str, error: str | None) -> None:
        with self.store.session() as s, s.begin():
            row = s.get(Dictation, dictation_id)
            if row is None:
                return
            row.status, row.error, row.updated_at = state, error, utcnow()
            self._finish_job(s, dictation_id, state, error, None)

    def _finish_job(self, session, dictation_id: str, state: str, error: str | None,
                    timings: dict | None) -> None:
        job = self._job(session, dictation_id)
        if job is None:
            return
        job.state, job.error = state, error
        if state in FINISHED:
            job.finished_at = utcnow()
        if timings is not None:
            job.timings = timings
