"""The service's event consumers: moderation's decisions in, and the read-model projector.

kafka-python blocks, so each consumer is a thread (community_common's EventConsumer). The
handlers are the same async use cases the gRPC API calls; each consumer thread runs them on
an event loop of its own, with its own MongoDB client, never on the server's loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from community_common.consumer import EventConsumer
from community_common.envelope import EventEnvelope
from community_contracts import registry, topics
from google.protobuf.message import Message

from membership.application.service import MembershipService

MODERATION_GROUP = "membership-moderation"
PROJECTOR_GROUP = "membership-projections"
# Moderation's events that change what membership allows.
MODERATION_EVENTS = frozenset(
    f"community.moderation.v1.{name}"
    for name in ("MemberBanned", "MemberUnbanned", "UserRestricted", "RestrictionLifted")
)


class ThreadLoopHandler:
    """Runs `service.<method>(event, message)` on the calling thread's own event loop,
    building the service (and its MongoDB client) on that loop the first time."""

    def __init__(self, build: Callable[[], MembershipService], method: str) -> None:
        self.build = build
        self.method = method
        self.local = threading.local()

    def __call__(self, event: EventEnvelope, message: Message) -> None:
        if not hasattr(self.local, "loop"):
            self.local.loop = asyncio.new_event_loop()
            self.local.service = self.local.loop.run_until_complete(self._build())
        handle = getattr(self.local.service, self.method)
        self.local.loop.run_until_complete(handle(event, message))

    async def _build(self) -> MembershipService:
        return self.build()


def moderation_consumer(
    bootstrap_servers: str, build: Callable[[], MembershipService], **options: Any
) -> EventConsumer:
    for name in MODERATION_EVENTS:
        registry.event_type(name)  # fails at startup if the contract renamed one
    return EventConsumer(
        bootstrap_servers,
        MODERATION_GROUP,
        [topics.MODERATION_EVENTS],
        ThreadLoopHandler(build, "apply_moderation_event"),
        handles=MODERATION_EVENTS,
        **options,
    )


def projector(
    bootstrap_servers: str, build: Callable[[], MembershipService], **options: Any
) -> EventConsumer:
    return EventConsumer(
        bootstrap_servers,
        PROJECTOR_GROUP,
        [topics.MEMBERSHIP_EVENTS],
        ThreadLoopHandler(build, "project_event"),
        **options,
    )
