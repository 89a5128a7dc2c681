"""Structured logs: one JSON object per line on stdout, tagged with the request context.

Every record carries the service name and, when set, the request id, correlation id and
caller from `community_common.context`, so a line can be traced to the call that wrote it.
Extra fields passed as `logger.info("...", extra={"fields": {...}})` are merged in.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from community_common.context import caller_var, correlation_id_var, request_id_var


class JsonLineFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (request_id := request_id_var.get()) is not None:
            line["request_id"] = request_id
        if (correlation_id := correlation_id_var.get()) is not None:
            line["correlation_id"] = correlation_id
        if (caller := caller_var.get()) is not None:
            line["caller"] = caller.user_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["error"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(line, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every logger's records, as JSON lines, to stdout (replacing other handlers)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonLineFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The Kafka client logs every connection attempt at INFO; keep it to what needs attention.
    logging.getLogger("kafka").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("pymongo").setLevel(max(logging.WARNING, root.level))
