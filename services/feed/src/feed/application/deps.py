"""What every use case needs, and the steps they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from community_common.auth import Caller
from community_common.clock import utc_now
from community_common.commands import Command, run_once
from community_common.consistency import ConsistencyGate
from community_common.errors import DomainError
from community_common.event_store import EventStore, RequestKey
from google.protobuf.message import Message

from feed.adapters.knowledge_store import Knowledge
from feed.adapters.liked_posts import LikedPosts
from feed.adapters.streams import TRUST, KeptTrust, Streams
from feed.adapters.timelines import Timelines

R = TypeVar("R", bound=Message)

DEFAULT_LIVE_VIEWER_TTL_S = 60.0


@dataclass
class Deps:
    store: EventStore
    knowledge: Knowledge
    timelines: Timelines
    gate: ConsistencyGate
    live_viewer_ttl: timedelta = timedelta(seconds=DEFAULT_LIVE_VIEWER_TTL_S)
    clock: Callable[[], datetime] = field(default=utc_now)
    # Derived from `store`: the aggregates and liked posts this process remembers.
    streams: Streams = field(init=False)
    liked: LikedPosts = field(init=False)

    def __post_init__(self) -> None:
        self.streams = Streams(self.store)
        self.liked = LikedPosts(self.store.db)

    async def once(
        self,
        caller: Caller,
        request_id: str,
        operation: str,
        response_type: type[R],
        command: Command[R],
    ) -> R:
        key = RequestKey.of(caller.user_id, request_id, operation)
        trust = KeptTrust()
        token = TRUST.set(trust)
        try:
            try:
                return await run_once(self.store, key, response_type, command)
            except DomainError:
                if not trust.used:
                    raise
                # Refused on a copy kept unread: decide again on what is stored now.
                trust.verify = True
                return await run_once(self.store, key, response_type, command)
        finally:
            TRUST.reset(token)
