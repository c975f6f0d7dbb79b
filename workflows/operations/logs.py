"""Logs as JSON lines: one object a line, with the case and event numbers, never personal data.

A log line carries numbers and kinds (case 12, event 345, process objection, kind accept), never the texts
people wrote or the names and ID numbers of subjects: those stay in the database, behind its access rules.
An error is logged by its class; its text (which may quote a recipient's address or a row's values) stays
in the outbox row's `last_error`.
"""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# the `extra=` keys a log line may carry, all numbers or codes
FIELDS = ("part", "case", "event", "events", "flow", "kind", "outcome", "error", "fired", "worker", "report")


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(log_format: str = "json", part: str = "", level: int = logging.INFO) -> None:
    """The root logger writes to standard error, as JSON lines (or text for a terminal)."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    if part:
        handler.addFilter(_PartFilter(part))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request, with its URL
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


class _PartFilter(logging.Filter):
    def __init__(self, part: str):
        super().__init__()
        self.part = part

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "part"):
            record.part = self.part
        return True


def error_class(error: BaseException) -> str:
    """What a log line says of an error: its class, not its text."""
    return type(error).__name__


# gunicorn's access log as JSON lines: the path without its query string (a search may carry a name)
ACCESS_LOG_FORMAT = json.dumps({"ts": "%(t)s", "logger": "access", "method": "%(m)s", "path": "%(U)s",
                                "status": "%(s)s", "ms": "%(M)s"})
