"""What every moderation aggregate shares: a version, events applied in order, new events kept.

State changes only by applying an event, whether it was loaded from the stream or just
recorded by a command, so a replay always rebuilds the same state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf.message import Message


class Aggregate:
    """Base class: subclasses define `_on_<EventName>(event, at)` for each event they apply."""

    def __init__(self) -> None:
        self.version = 0
        self.pending: list[Message] = []
        # The state it was loaded with (every event applied at its stored ce_time), set by the
        # repository so what it keeps and snapshots after a command is a replay, not the
        # command's in-memory state (which applied the new events at the command's clock).
        self.loaded_from: Aggregate | None = None

    def apply(self, event: Message, at: datetime) -> None:
        """Apply a stored event (`at` is its ce_time)."""
        handler = getattr(self, f"_on_{type(event).__name__}")
        handler(event, at)
        self.version += 1

    def record(self, event: Message, at: datetime) -> None:
        """Record a new event produced by a command (applied at once, saved later)."""
        self.apply(event, at)
        self.pending.append(event)

    def snapshot(self) -> dict[str, Any]:
        """The state as a BSON-able document, which `restore_snapshot` reads back."""
        raise NotImplementedError

    def restore_snapshot(self, state: dict[str, Any]) -> None:
        raise NotImplementedError
