"""What every use case needs, and the steps they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from community_common.clock import utc_now
from community_common.consistency import ConsistencyGate
from community_common.event_store import EventStore
from community_common.rebuild import RebuildWatch
from community_common.repository import Repository

from feed.adapters.knowledge_store import Knowledge
from feed.adapters.liked_posts import LikedPosts
from feed.adapters.timelines import Timelines

DEFAULT_LIVE_VIEWER_TTL_S = 60.0


@dataclass
class Deps:
    store: EventStore
    knowledge: Knowledge
    timelines: Timelines
    gate: ConsistencyGate
    live_viewer_ttl: timedelta = timedelta(seconds=DEFAULT_LIVE_VIEWER_TTL_S)
    clock: Callable[[], datetime] = field(default=utc_now)
    # Derived from `store`: the aggregates and liked posts this process remembers, and
    # whether `python -m feed.rebuild` runs (its `watch()` task runs in the service process).
    streams: Repository = field(init=False)
    liked: LikedPosts = field(init=False)
    rebuilds: RebuildWatch = field(init=False)

    def __post_init__(self) -> None:
        self.streams = Repository(self.store)
        self.liked = LikedPosts(self.store.db)
        self.rebuilds = RebuildWatch(self.store.db, "feed")
