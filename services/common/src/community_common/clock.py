"""The services' clock and new ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, to the millisecond: what MongoDB dates and ce_time hold exactly, so a response and
    a later read of the same moment agree."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def new_id() -> str:
    """A fresh random id (32 hex digits) for a resource a command creates."""
    return uuid.uuid4().hex
