"""Wires the moderation service process: settings, logging, the gRPC API, the outbox relay and
the three consumers. The one place that decides which adapters the use cases get.

Environment (besides the common KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI, MONGODB_DATABASE,
GRPC_PORT, COMMUNITY_AUTH_HS256_SECRET, LOG_LEVEL and the relay's RELAY_* settings):
- ARRIVAL_WAIT_S (2): how long a request waits for a community, post or comment moderation
  has not heard of yet before answering NOT_FOUND.
- AUTOMOD_MUTE_S (86400): how long AUTOMOD_REMOVE_AND_MUTE mutes the author.
- CONSUMER_GROUP_PREFIX (moderation): prefix of the consumer groups' ids.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from community.moderation.v1 import moderation_service_pb2_grpc
from community_common.config import Settings, env_float, env_str
from community_common.consistency import ConsistencyCheckpoints, ConsistencyGate
from community_common.consumer import EventConsumer
from community_common.envelope import EventEnvelope
from community_common.event_store import EventStore
from community_common.logging import configure_logging
from community_common.mongo import async_client, blocking_client
from community_common.rebuild import RebuildWatch
from community_common.relay import OutboxRelay, RelaySettings
from community_common.server import ServiceHost
from community_common.thread_loop import AsyncEventHandler, ConsumerWorker, ThreadLoopHandler
from community_contracts import registry, services, topics
from grpc import aio
from pymongo.asynchronous.database import AsyncDatabase

from moderation.adapters import membership_view
from moderation.adapters.content_view import ContentView
from moderation.adapters.lists import Lists
from moderation.adapters.membership_view import MembershipView
from moderation.adapters.moderation_lists import ModerationLists, RebuildGate
from moderation.adapters.repository import Repository
from moderation.application import automod
from moderation.application.automod import Automod
from moderation.application.lookups import Lookups
from moderation.application.moderation import Moderation
from moderation.domain.limits import MAX_MUTE, MIN_MUTE
from moderation.entrypoints.grpc_api import ModerationServicer

SERVICE = services.MODERATION
# Every event type moderation publishes: the lists consumer re-projects them all.
OWN_EVENTS = frozenset(kind.name for kind in registry.in_topic(SERVICE.topic))


@dataclass(frozen=True)
class ModerationSettings:
    arrival_wait_s: float
    automod_mute: timedelta
    consumer_group: str

    @classmethod
    def from_env(cls) -> ModerationSettings:
        return cls(
            arrival_wait_s=env_float("ARRIVAL_WAIT_S", 2.0, minimum=0.0, maximum=30.0),
            automod_mute=timedelta(
                seconds=env_float(
                    "AUTOMOD_MUTE_S",
                    86400,
                    minimum=MIN_MUTE.total_seconds(),
                    maximum=MAX_MUTE.total_seconds(),
                )
            ),
            consumer_group=env_str("CONSUMER_GROUP_PREFIX", "moderation"),
        )


def moderation_use_cases(
    database: AsyncDatabase[Any],
    options: ModerationSettings,
    gate: RebuildGate | None = None,
    *,
    api: bool = False,
) -> tuple[Moderation, Automod, MembershipView, ModerationLists]:
    """The use cases over one database (per event loop: the API's, or a consumer thread's).
    `gate`: the process's view of a rebuild of the lists; the API (`api`) keeps its commands'
    entries aside while one runs, a consumer thread waits for it."""
    store = EventStore(database, SERVICE.source)
    repository = Repository(store)
    generation = (lambda: gate.generation) if gate is not None else (lambda: 0)
    lists = ModerationLists(Lists(database, generation), gate, hold=api)
    members = MembershipView(database)
    content = ContentView(database)
    lookups = Lookups(members, content, ConsistencyGate(database), options.arrival_wait_s)
    moderation = Moderation(repository, store, lists, lookups)
    automod_step = Automod(repository, lists, content, options.automod_mute)
    return moderation, automod_step, members, lists


def _thread_handler(
    settings: Settings, options: ModerationSettings, gate: RebuildGate, pick: str
) -> ThreadLoopHandler:
    async def build() -> tuple[AsyncEventHandler, Callable[[], Awaitable[None]]]:
        client = async_client(settings.mongodb_uri)
        _, automod_step, members, lists = moderation_use_cases(
            client[settings.mongodb_database], options, gate
        )
        handlers: dict[str, AsyncEventHandler] = {
            "membership": members.apply,
            "feed": automod_step.on_feed_event,
            "lists": lambda event, message: lists.project_all([event]),
        }
        if pick in ("feed", "lists"):
            # They append to lists, whose unique marker index makes an append idempotent; the
            # service also builds it before it serves, but consumers may start first.
            try:
                await lists.ensure_indexes()
            except Exception:
                await client.close()
                raise
        return handlers[pick], client.close

    return ThreadLoopHandler(build)


def build(
    settings: Settings | None = None, options: ModerationSettings | None = None
) -> ServiceHost:
    settings = settings or Settings.from_env(SERVICE.short_name, SERVICE.default_port)
    options = options or ModerationSettings.from_env()
    configure_logging(SERVICE.short_name, settings.log_level)
    mongo = async_client(settings.mongodb_uri)
    database = mongo[settings.mongodb_database]
    # Polled on the API's loop; the consumer threads read its answer.
    gate = RebuildGate(RebuildWatch(database, SERVICE.short_name))
    moderation, _, _, lists = moderation_use_cases(database, options, gate, api=True)
    threads_database = blocking_client(settings.mongodb_uri)[settings.mongodb_database]
    checkpoints = ConsistencyCheckpoints(threads_database)
    bootstrap_servers = settings.kafka_bootstrap_servers

    def paused() -> bool:
        return gate.running

    def consumer(name: str, topic: str, handles: frozenset[str], **extra: Any) -> ConsumerWorker:
        handler = _thread_handler(settings, options, gate, name)
        return ConsumerWorker(
            EventConsumer(
                bootstrap_servers,
                f"{options.consumer_group}-{name}",
                [topic],
                handler,
                handles=handles,
                dlq_partitions=settings.kafka_topic_partitions,
                **extra,
            ),
            handler,
        )

    def checkpoint(event: EventEnvelope) -> None:
        checkpoints.record(event)

    workers: list[Any] = [
        OutboxRelay(
            threads_database,
            bootstrap_servers,
            RelaySettings.from_env(SERVICE.topic),
            holder=settings.replica_name,
        ),
        consumer(
            "membership",
            topics.MEMBERSHIP_EVENTS,
            membership_view.HANDLED,
            checkpoint=checkpoint,
        ),
        # They read and write the lists: paused while a rebuild of them runs. The membership
        # consumer goes on: it writes only documents a rebuild keeps.
        consumer("feed", topics.FEED_EVENTS, automod.HANDLED, paused=paused),
        consumer("lists", topics.MODERATION_EVENTS, OWN_EVENTS, paused=paused),
    ]

    def register_api(server: aio.Server) -> None:
        moderation_service_pb2_grpc.add_ModerationServiceServicer_to_server(
            ModerationServicer(moderation), server
        )

    return ServiceHost(
        settings=settings,
        service_full_name=SERVICE.full_name,
        register=[register_api],
        workers=workers,
        tasks=[gate.watch.watch],
        indexes=[moderation.store.ensure_indexes, lists.ensure_indexes],
        mongo=mongo,
        topics=[SERVICE.topic, *(topics.dlq(topic) for topic in SERVICE.consumes)],
    )
