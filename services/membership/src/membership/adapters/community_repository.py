"""Loads `Community` aggregates from the event store (snapshot, then the commits after it).

Snapshots are written here, by the loader, from state replayed out of stored events: once a
community's state is SNAPSHOT_EVERY events past its stored snapshot, the loader saves what it
built, so a cold load starts there. (The command's own in-memory state is never snapshotted:
its clock differs from the stored ce_time by a few milliseconds, and replays must give exactly
the same answers.)

The last CACHED_COMMUNITIES communities loaded stay in memory, so a warm load reads only the
commits after the cached version (one `_id` miss when nothing is newer) instead of the
snapshot and every commit after it. A query always reads the commits after the cached
version (another replica may have appended); a command may take the cached copy unread
(`load(..., unread=True)`), because it appends at that version: a stale copy loses the
insert (`forget` it, and the re-run loads afresh), and the pipeline decides a refusal again on
a fresh load. Callers get their own copy, which they may change freely.
"""

from __future__ import annotations

import copy
import logging
from collections import OrderedDict
from typing import Any

from community_common.event_store import SNAPSHOTS, EventStore
from pymongo.asynchronous.database import AsyncDatabase

from membership.domain.community import Community
from membership.domain.snapshot import from_state, to_state

log = logging.getLogger("membership.repository")

SNAPSHOT_EVERY = 10
CACHED_COMMUNITIES = 256


class CommunityRepository:
    def __init__(
        self, store: EventStore, database: AsyncDatabase[Any], cached: int = CACHED_COMMUNITIES
    ) -> None:
        self.store = store
        self.db = database
        self.cached = cached
        # community id -> (state at its version, version of its stored snapshot)
        self._cache: OrderedDict[str, tuple[Community, int]] = OrderedDict()

    async def load(self, community_id: str, *, unread: bool = False) -> Community:
        """The community as stored now (`exists` is False for an unknown id); with `unread`,
        the cached copy as it is, if there is one (see the module's docstring)."""
        if unread and community_id in self._cache:
            self._cache.move_to_end(community_id)
            return copy.deepcopy(self._cache[community_id][0])
        if community_id in self._cache:
            cached, snapshot_version = self._cache[community_id]
            stream = await self.store.load_after(community_id, cached.version)
            community = copy.deepcopy(cached)
        else:
            stream = await self.store.load(community_id)
            snapshot_version = stream.snapshot_version
            community = from_state(dict(stream.snapshot)) if stream.snapshot else None
            if community is None:
                if stream.snapshot:  # a snapshot of an older shape: replay from the start
                    stream = await self.store.load(community_id, use_snapshot=False)
                    snapshot_version = 0
                community = Community(community_id)
        for envelope in stream.events:
            community.apply(envelope.message(), envelope.sequence, envelope.occurred_at)
        if community.version - snapshot_version >= SNAPSHOT_EVERY:
            await self._save_snapshot(community)
            # A failed save is tried again SNAPSHOT_EVERY events later, not on every load.
            snapshot_version = community.version
        if not community.exists:
            return community
        if self._cache.get(community_id, (None, None))[1] == snapshot_version and not stream.events:
            self._cache.move_to_end(community_id)  # unchanged: no need to copy it again
        else:
            self._remember(community, snapshot_version)
        return community

    def keeps(self, community_id: str) -> bool:
        return community_id in self._cache

    def forget(self, community_id: str) -> None:
        """The cached copy lost a write race: it is stale."""
        self._cache.pop(community_id, None)

    async def committed(self, community: Community) -> None:
        """The state right after this process's own commit (replayed with the stored event
        times), so the next load need not read that commit back; snapshotted when due, since
        commands on a cached community never load it through `load`'s snapshot step."""
        entry = self._cache.get(community.community_id)
        snapshot_version = entry[1] if entry else 0
        if community.version - snapshot_version >= SNAPSHOT_EVERY:
            await self._save_snapshot(community)
            snapshot_version = community.version
        self._remember(community, snapshot_version)

    def _remember(self, community: Community, snapshot_version: int) -> None:
        self._cache[community.community_id] = (copy.deepcopy(community), snapshot_version)
        self._cache.move_to_end(community.community_id)
        while len(self._cache) > self.cached:
            self._cache.popitem(last=False)

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
