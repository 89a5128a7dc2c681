"""Event times: RFC 3339 strings on the wire (`ce_time`), aware datetimes in the domain."""

from __future__ import annotations

from datetime import datetime

from community_common.envelope import format_time, parse_time

__all__ = ["format_time", "millis", "parse_time"]


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
