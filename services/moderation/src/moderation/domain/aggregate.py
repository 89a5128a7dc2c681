"""Moderation's aggregates on the kernel's base (community_common.aggregate.EventSourced).

Each kind is named by its own id (a rule id, a community id for its sanctions, ...) while its
stream is "<prefix>:<id>" (moderation.adapters.repository), so kinds of different aggregates
never share a stream; `empty` and `from_snapshot` take the stream id and strip the prefix.
"""

from __future__ import annotations

from typing import Any, Self

from community_common.aggregate import EventSourced


class Aggregate(EventSourced):
    """Subclasses define `_on_<EventName>(event, at)`, `snapshot()` and `restore_snapshot`."""

    def __init__(self) -> None:
        super().__init__()
        # The state it was loaded with (every event applied at its stored ce_time), kept by
        # the repository so a save stores the replayed state, not the command's (which applied
        # the new events at the command's own clock).
        self.loaded_from: Aggregate | None = None

    @classmethod
    def empty(cls, stream_id: str) -> Self:
        return cls(stream_id.split(":", 1)[1])  # type: ignore[call-arg]

    @classmethod
    def from_snapshot(cls, stream_id: str, version: int, state: dict[str, Any]) -> Self:
        aggregate = cls.empty(stream_id)
        aggregate.restore_snapshot(state)
        aggregate.version = version
        return aggregate

    def snapshot(self) -> dict[str, Any]:
        """The state as a BSON-able document, which `restore_snapshot` reads back."""
        raise NotImplementedError

    def restore_snapshot(self, state: dict[str, Any]) -> None:
        raise NotImplementedError
