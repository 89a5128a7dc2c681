"""Loads `Community` aggregates from the event store (snapshot, then the commits after it).

Snapshots are written here, by the loader, from state replayed out of stored events: a load
that had to replay SNAPSHOT_EVERY events or more saves what it built, so the next load starts
there. (The command's own in-memory state is never snapshotted: its clock differs from the
stored ce_time by a few milliseconds, and replays must give exactly the same answers.)
"""

from __future__ import annotations

import logging
from typing import Any

from community_common.event_store import SNAPSHOTS, EventStore
from pymongo.asynchronous.database import AsyncDatabase

from membership.domain.community import Community
from membership.domain.snapshot import from_state, to_state

log = logging.getLogger("membership.repository")

SNAPSHOT_EVERY = 10


class CommunityRepository:
    def __init__(self, store: EventStore, database: AsyncDatabase[Any]) -> None:
        self.store = store
        self.db = database

    async def load(self, community_id: str) -> Community:
        """The community as stored now (`exists` is False for an unknown id)."""
        stream = await self.store.load(community_id)
        community = from_state(dict(stream.snapshot)) if stream.snapshot else None
        if community is None:
            if stream.snapshot:  # a snapshot of an older shape: replay from the start
                stream = await self.store.load(community_id, use_snapshot=False)
            community = Community(community_id)
        for envelope in stream.events:
            community.apply(envelope.message(), envelope.sequence, envelope.occurred_at)
        if len(stream.events) >= SNAPSHOT_EVERY:
            await self._save_snapshot(community)
        return community

    async def _save_snapshot(self, community: Community) -> None:
        try:
            await self.db[SNAPSHOTS].replace_one(
                {"_id": community.community_id},
                {
                    "_id": community.community_id,
                    "version": community.version,
                    "state": to_state(community),
                },
                upsert=True,
            )
        except Exception:
            # The next load just replays a few more events.
            log.warning("snapshot of %s not saved", community.community_id, exc_info=True)
