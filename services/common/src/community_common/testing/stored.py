"""What a service's event store holds, for tests that count a command's effects."""

from __future__ import annotations

from typing import Any

from community_common.event_store import COMMITS


async def stored_events(database: Any, event_type: str, actor_id: str) -> int:
    """How many events of `event_type` (full name, e.g. "community.feed.v1.PostCreated")
    `actor_id` caused, as stored: each is published once and counted downstream."""
    count = 0
    async for commit in database[COMMITS].find({"events.actor_id": actor_id}):
        count += sum(
            1 for e in commit["events"] if e["ce_type"] == event_type and e["actor_id"] == actor_id
        )
    return count
