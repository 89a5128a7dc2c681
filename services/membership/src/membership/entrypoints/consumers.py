"""The service's event consumers: moderation's decisions in, and the read-model projector.

kafka-python blocks, so each consumer is a thread (community_common's EventConsumer). The
handlers are the same async use cases the gRPC API calls; each consumer thread runs them on
an event loop of its own, with its own MongoDB client, never on the server's loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from community_common.consumer import EventConsumer
from community_common.envelope import EventEnvelope
from community_contracts import registry, topics
from google.protobuf.message import Message

from membership.application.service import MembershipService

# Moderation's events that change what membership allows.
MODERATION_EVENTS = frozenset(
    f"community.moderation.v1.{name}"
    for name in ("MemberBanned", "MemberUnbanned", "UserRestricted", "RestrictionLifted")
)


class ThreadLoopHandler:
    """Runs `service.<method>(event, message)` on an event loop owned by the consumer thread,
    building the service (and its MongoDB client) on that loop the first time."""

    def __init__(self, build: Callable[[], MembershipService], method: str) -> None:
        self.build = build
        self.method = method
        self.loop: asyncio.AbstractEventLoop | None = None
        self.service: MembershipService | None = None

    def __call__(self, event: EventEnvelope, message: Message) -> None:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
            self.service = self.loop.run_until_complete(self._build())
        handle = getattr(self.service, self.method)
        self.loop.run_until_complete(handle(event, message))

    async def _build(self) -> MembershipService:
        return self.build()

    def close(self) -> None:
        """After the consumer thread has stopped: close the client, then the loop."""
        if self.loop is not None and self.service is not None:
            client = self.service.store.db.client
            self.loop.run_until_complete(client.close())
            self.loop.close()
            self.loop = None


class ConsumerWorker:
    """An EventConsumer whose handler's loop and client are closed when it stops."""

    def __init__(self, consumer: EventConsumer, handler: ThreadLoopHandler) -> None:
        self.consumer = consumer
        self.handler = handler
        self.name = consumer.name

    def start(self) -> None:
        self.consumer.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.consumer.stop(timeout)
        if not self.consumer.is_running():
            self.handler.close()

    def unready_reason(self) -> str | None:
        return self.consumer.unready_reason()


def moderation_consumer(
    bootstrap_servers: str,
    build: Callable[[], MembershipService],
    group_prefix: str,
    **options: Any,
) -> ConsumerWorker:
    for name in MODERATION_EVENTS:
        registry.event_type(name)  # fails at startup if the contract renamed one
    handler = ThreadLoopHandler(build, "apply_moderation_event")
    consumer = EventConsumer(
        bootstrap_servers,
        f"{group_prefix}-moderation",
        [topics.MODERATION_EVENTS],
        handler,
        handles=MODERATION_EVENTS,
        **options,
    )
    return ConsumerWorker(consumer, handler)


def projector(
    bootstrap_servers: str,
    build: Callable[[], MembershipService],
    group_prefix: str,
    **options: Any,
) -> ConsumerWorker:
    handler = ThreadLoopHandler(build, "project_event")
    consumer = EventConsumer(
        bootstrap_servers,
        f"{group_prefix}-projections",
        [topics.MEMBERSHIP_EVENTS],
        handler,
        **options,
    )
    return ConsumerWorker(consumer, handler)
