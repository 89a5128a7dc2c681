"""The service's event consumers: moderation's decisions in, and the read-model projector.

kafka-python blocks, so each consumer is a thread (community_common's EventConsumer). The
handlers are the same async use cases the gRPC API calls; each consumer thread runs them on
an event loop of its own, with its own MongoDB client, never on the server's loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from community_common.consumer import EventConsumer
from community_common.thread_loop import AsyncEventHandler, ConsumerWorker, ThreadLoopHandler
from community_contracts import registry, topics

from membership.application.service import MembershipService

# Moderation's events that change what membership allows.
MODERATION_EVENTS = frozenset(
    f"community.moderation.v1.{name}"
    for name in ("MemberBanned", "MemberUnbanned", "UserRestricted", "RestrictionLifted")
)


def _on_service(build: Callable[[], MembershipService], method: str) -> ThreadLoopHandler:
    """`service.<method>(event, message)`, the service built on the consumer thread's loop."""

    async def handler() -> tuple[AsyncEventHandler, Callable[[], Awaitable[None]]]:
        service = build()
        return getattr(service, method), service.store.db.client.close

    return ThreadLoopHandler(handler)


def moderation_consumer(
    bootstrap_servers: str,
    build: Callable[[], MembershipService],
    group_prefix: str,
    **options: Any,
) -> ConsumerWorker:
    for name in MODERATION_EVENTS:
        registry.event_type(name)  # fails at startup if the contract renamed one
    handler = _on_service(build, "apply_moderation_event")
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
    """The read models from the published events; pass `paused` (RebuildWatch.running) so it
    stands still while a rebuild replaces them, and goes on from its committed offsets after
    (whatever the rebuild wrote, it skips: `project_event`)."""
    handler = _on_service(build, "project_event")
    consumer = EventConsumer(
        bootstrap_servers,
        f"{group_prefix}-projections",
        [topics.MEMBERSHIP_EVENTS],
        handler,
        **options,
    )
    return ConsumerWorker(consumer, handler)
