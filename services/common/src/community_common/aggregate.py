"""The one aggregate base: state changes only by applying events.

A subclass defines `_on_<EventName>(event, at)` for each event type it applies (`at` is the
event's ce_time; `self.version` is already the event's version when it runs). Commands check
their rules and `record` the events they decide: a recorded event is applied at once (so the
rest of the command sees it) and kept in `recorded` for the repository to store. A replay
applies stored events with `apply_stored`, at their stored ce_time, so a snapshot taken after
replaying is the state a full replay builds (community_common.repository).
"""

from __future__ import annotations

from datetime import datetime
from typing import Self

from google.protobuf.message import Message

from community_common.envelope import EventEnvelope


class EventSourced:
    version: int = 0  # an int: instances get their own on the first apply

    def __init__(self) -> None:
        self.recorded: list[Message] = []

    def apply(self, event: Message, at: datetime) -> None:
        handler = getattr(self, f"_on_{event.DESCRIPTOR.name}", None)
        if handler is None:
            raise ValueError(f"{type(self).__name__} does not apply {event.DESCRIPTOR.full_name}")
        self.version += 1
        handler(event, at)

    @classmethod
    def empty(cls, stream_id: str) -> Self:
        """The state before the stream's first event (a kind whose id is not the stream id
        overrides this)."""
        return cls(stream_id)  # type: ignore[call-arg]

    def apply_stored(self, event: EventEnvelope) -> None:
        self.apply(event.message(), event.occurred_at)

    def record(self, event: Message, at: datetime) -> None:
        """A command's decision: applied now, stored by the repository's save."""
        self.apply(event, at)
        self.recorded.append(event)
