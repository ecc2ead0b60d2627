"""WebSocket /v1/stream — the protocol of live dictation (docs/api.md); the dictation
itself (interim text, final segments, the whole transcript on stop) is
service/dictations/live.py."""

from __future__ import annotations

import asyncio
import functools
import json
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from pipelines.audio import SAMPLE_RATE_HZ
from pipelines.errors import AudioError
from service.core.errors import Problem
from service.dictations.live import LiveDictation, start_live
from service.http.deps import (
    Principal,
    authenticate_websocket,
    can_read_notes,
    websocket_subprotocol,
)

router = APIRouter(tags=["streaming"])
log = logging.getLogger("dikta.stream")


@router.websocket("/stream")
async def stream(websocket: WebSocket) -> None:
    try:
        tenant = await run_in_threadpool(authenticate_websocket, websocket)  # reads the store
    except Problem as refused:
        # Accepted, then closed with 4000 + the HTTP status (4401, 4403, 4429, 4431): a
        # refused handshake would reach a browser only as a bare 403 without a reason.
        await websocket.accept(subprotocol=websocket_subprotocol(websocket))
        await websocket.close(code=4000 + refused.status, reason=_reason(refused.detail))
        return
    await websocket.accept(subprotocol=websocket_subprotocol(websocket))
    state = websocket.app.state.dikta
    live: LiveDictation | None = None
    steps: _Steps | None = None
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                command = _command(message["text"])
                if command.get("type") == "start":
                    if steps is not None:  # a new start: the old audio's steps end
                        await steps.stop()
                        steps = None
                    live = await run_in_threadpool(start_live, state, command, tenant)
                    await websocket.send_json({"type": "ready", "format": live.fmt,
                                               "sample_rate": SAMPLE_RATE_HZ})
                elif command.get("type") == "stop":
                    live = live or await run_in_threadpool(start_live, state, {}, tenant)
                    if steps is not None:
                        await steps.stop()  # its last interim or final goes out first
                    replies = await live.finish()
                    replies[-1] = await _stored(websocket, live, tenant, replies[-1])
                    for reply in replies:
                        await websocket.send_json(reply)
                    await websocket.close()
                    return
                continue
            live = live or await run_in_threadpool(start_live, state, {}, tenant)
            # Decoding the container so far is CPU work (and start_live reads the database):
            # in a worker thread, so one nurse's stream never holds up the event loop that
            # answers everyone else.
            await run_in_threadpool(live.add, message.get("bytes") or b"")
            steps = steps or _Steps(websocket, live)
            steps.arrived()
    except (ValueError, KeyError, AudioError) as exc:
        await websocket.send_json({"type": "error", "detail": str(exc)})
        await websocket.close(code=1007)
    except Problem as refused:  # e.g. an idempotency key reused for another recording
        await websocket.send_json({"type": "error", "detail": refused.detail,
                                   "status": refused.status})
        await websocket.close(code=4000 + refused.status, reason=_reason(refused.detail))
    except WebSocketDisconnect:
        return
    finally:
        if steps is not None:
            steps.cancel()


class _Steps:
    """The interim text and settled segments of a live dictation, worked out in a task of
    their own beside the reading of its audio. The socket is read on while a step
    transcribes, so a slow step (a busy server) delays only the interim text, and steps
    due meanwhile become one; read in line, the audio backed up behind each step and so did
    the client's keepalive pongs, until the server closed the stream ("1011 keepalive ping
    timeout") although nothing was wrong with it."""

    def __init__(self, websocket: WebSocket, live: LiveDictation) -> None:
        self.websocket, self.live = websocket, live
        self._new_audio, self._stopping = asyncio.Event(), False
        self._task = asyncio.create_task(self._run())

    def arrived(self) -> None:
        """More audio came; a step that failed raises its error here."""
        if self._task.done():
            self._task.result()
        self._new_audio.set()

    async def stop(self) -> None:
        """Ends after the step under way (its messages sent); raises a step's error."""
        self._stopping = True
        self._new_audio.set()
        await self._task

    def cancel(self) -> None:
        if self._task.done():
            if not self._task.cancelled():
                self._task.exception()  # retrieved: the stream's own handling reported it
        else:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            await self._new_audio.wait()
            self._new_audio.clear()
            if self._stopping:
                return
            if self.live.due():
                for reply in await self.live.step():
                    await self.websocket.send_json(reply)


async def _stored(websocket: WebSocket, live: LiveDictation, tenant: Principal,
                  done: dict) -> dict:
    """`done` once the recording is a stored dictation: its id and status, and (read_notes)
    the note of the live text; no audio, no dictation."""
    if live.pcm.size == 0:
        return {**done, "dictation_id": None}
    row, created = await run_in_threadpool(live.store, tenant.id, tenant.session)
    await run_in_threadpool(functools.partial(
        websocket.app.state.dikta.audit.record,
        tenant_id=tenant.id, actor=tenant.actor, action="create" if created else "read",
        resource_type="dictation", resource_id=row.id, patient_ref=row.patient_ref,
        request_id=None))
    done = {**done, "dictation_id": row.id, "status": row.status}
    if can_read_notes(tenant):
        done["note"] = await run_in_threadpool(live.live_note, done["text"])
    return done


def _reason(detail: str) -> str:
    """A close reason fits in 123 bytes of UTF-8."""
    encoded = detail.encode("utf-8")
    return detail if len(encoded) <= 123 else encoded[:120].decode("utf-8", "ignore") + "..."


def _command(text: str) -> dict:
    try:
        command = json.loads(text)
    except ValueError:
        raise ValueError("control messages are JSON: {\"type\": \"start\"|\"stop\"}") from None
    if not isinstance(command, dict):
        raise ValueError("control messages are JSON objects")  # noqa: TRY004 (closes 1007)
    return command
