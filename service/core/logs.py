"""Structured JSON logs with request ids — metadata only, never transcript, audio or IDs."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
_SAFE_FIELDS = ("method", "route", "status", "duration_ms", "dictation_id", "tenant",
                "audio_s", "rtfx", "event", "error_type", "attempt", "delivery_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, whatever the record: also uvicorn's, also with exc_info.

    An exception becomes `exc_type` and `traceback` (the chain of exception types and the
    frames: file, line, function, code line) inside the same line; its message and the
    frames' locals are left out, because either may hold transcript text or an ID number
    (a database error, say, quotes the SQL parameters)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": round(record.created, 3), "level": record.levelname.lower(),
                 "logger": record.name, "msg": _message(record),
                 "request_id": request_id_var.get()}
        for key in _SAFE_FIELDS:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            entry["exc_type"] = _type_name(exc)
            entry["traceback"] = format_traceback(exc)
        return json.dumps(entry, ensure_ascii=False)


def _message(record: logging.LogRecord) -> str:
    if record.name == "uvicorn.access" and isinstance(record.args, tuple) \
            and len(record.args) == 5:
        # client, method, path with query (may carry ids or ?api_key=), version, status:
        # only method and status are kept (RequestContext logs the route template).
        return f"access {record.args[1]} {record.args[4]}"
    return record.getMessage().strip()


def _type_name(exc: BaseException) -> str:
    kind = type(exc)
    return kind.__qualname__ if kind.__module__ == "builtins" else \
        f"{kind.__module__}.{kind.__qualname__}"


def format_traceback(exc: BaseException) -> str:
    """Exception types and stack frames only: no messages, no locals."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if lines:
            lines.append("while handling / caused by:")
        lines.append(f"{_type_name(current)} (message withheld)")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        current = current.__cause__ or (None if current.__suppress_context__
                                        else current.__context__)
    return "\n".join(lines)


def configure_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger("dikta")
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def uvicorn_log_config(level: str = "WARNING") -> dict:
    """`log_config` for uvicorn: its error and access loggers as JSON lines on stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json",
                              "stream": "ext://sys.stderr"}},
        "loggers": {name: {"handlers": ["json"], "level": level, "propagate": False}
                    for name in ("uvicorn", "uvicorn.error", "uvicorn.access",
                                 "uvicorn.asgi")},
    }
