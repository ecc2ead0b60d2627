"""WebSocket /v1/stream — the protocol of live dictation (docs/api.md); the dictation
itself (interim text, final segments, the whole transcript on stop) is
service/dictations/live.py."""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from pipelines.audio import SAMPLE_RATE_HZ
from pipelines.errors import AudioError
from service.core.errors import Problem
from service.dictations.live import LiveDictation, start_live
from service.http.deps import authenticate_websocket

router = APIRouter(tags=["streaming"])
log = logging.getLogger("dikta.stream")


@router.websocket("/stream")
async def stream(websocket: WebSocket) -> None:
    try:
        tenant = authenticate_websocket(websocket)
    except Problem as refused:
        # Accepted, then closed with 4000 + the HTTP status (4401, 4403, 4429, 4431): a
        # refused handshake would reach a browser only as a bare 403 without a reason.
        await websocket.accept()
        await websocket.close(code=4000 + refused.status, reason=_reason(refused.detail))
        return
    await websocket.accept()
    state = websocket.app.state.dikta
    live: LiveDictation | None = None
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                command = _command(message["text"])
                if command.get("type") == "start":
                    live = start_live(state, command, tenant)
                    await websocket.send_json({"type": "ready", "format": live.fmt,
                                               "sample_rate": SAMPLE_RATE_HZ})
                elif command.get("type") == "stop":
                    live = live or start_live(state, {}, tenant)
                    for reply in await live.finish():
                        await websocket.send_json(reply)
                    await websocket.close()
                    return
                continue
            live = live or start_live(state, {}, tenant)
            live.add(message.get("bytes") or b"")
            if live.due():
                for reply in await live.step():
                    await websocket.send_json(reply)
    except (ValueError, KeyError, AudioError) as exc:
        await websocket.send_json({"type": "error", "detail": str(exc)})
        await websocket.close(code=1007)
    except WebSocketDisconnect:
        return


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
        raise ValueError("control messages are JSON objects")
    return command
