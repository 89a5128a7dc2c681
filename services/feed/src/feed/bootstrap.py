"""Wires the feed service process: settings, logging, gRPC host and background workers.

The one place that decides which adapters the handlers get. Workers: the outbox relay
(publishes feed's events to `community.feed.events.v1`), the two consumers of membership
and moderation events (entrypoints/consumers.py) and the watch on `python -m feed.rebuild`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from community.feed.v1 import feed_service_pb2_grpc
from community_common.config import Settings, env_float, env_str
from community_common.consistency import ConsistencyGate
from community_common.event_store import EventStore
from community_common.logging import configure_logging
from community_common.mongo import async_client, blocking_client
from community_common.relay import OutboxRelay, RelaySettings
from community_common.server import ServiceHost
from community_contracts import services, topics
from grpc import aio

from feed.adapters import knowledge_store
from feed.adapters.knowledge_store import Knowledge
from feed.adapters.timelines import Timelines
from feed.application.deps import DEFAULT_LIVE_VIEWER_TTL_S, Deps
from feed.entrypoints.consumers import consumers
from feed.entrypoints.grpc_api import FeedApi

SERVICE = services.FEED


def build(
    settings: Settings | None = None,
    env: Mapping[str, str] | None = None,
    consumer_group_prefix: str = "",
) -> ServiceHost:
    """`env` defaults to the process environment; tests give their own, and a consumer group
    prefix so their consumers never share offsets with a running service."""
    settings = settings or Settings.from_env(SERVICE.short_name, SERVICE.default_port, env)
    configure_logging(SERVICE.short_name, settings.log_level)
    mongo = async_client(settings.mongodb_uri)
    database = mongo[settings.mongodb_database]
    deps = Deps(
        store=EventStore(database, SERVICE.source),
        knowledge=Knowledge(database),
        timelines=Timelines(database),
        gate=ConsistencyGate(database),
        live_viewer_ttl=timedelta(
            seconds=env_float("LIVE_VIEWER_TTL_S", DEFAULT_LIVE_VIEWER_TTL_S, minimum=1, env=env)
        ),
    )
    api = FeedApi(deps)

    def register_api(server: aio.Server) -> None:
        feed_service_pb2_grpc.add_FeedServiceServicer_to_server(api, server)

    blocking = blocking_client(settings.mongodb_uri)[settings.mongodb_database]
    relay = OutboxRelay(
        blocking,
        settings.kafka_bootstrap_servers,
        RelaySettings.from_env(SERVICE.topic),
        holder=settings.replica_name,
    )
    return ServiceHost(
        settings=settings,
        service_full_name=SERVICE.full_name,
        register=[register_api],
        workers=[
            relay,
            *consumers(
                blocking,
                settings.kafka_bootstrap_servers,
                settings.kafka_topic_partitions,
                # Replicas of one deployment share it (and so share the work).
                consumer_group_prefix or env_str("CONSUMER_GROUP_PREFIX", "", env=env),
                rebuilding=lambda: deps.rebuilds.running,
            ),
        ],
        indexes=[deps.store.ensure_indexes, lambda: knowledge_store.ensure_indexes(database)],
        # Pauses the membership consumer and holds home-feed and Live-tab reads while
        # `python -m feed.rebuild` runs.
        tasks=[deps.rebuilds.watch],
        mongo=mongo,
        topics=[SERVICE.topic, *(topics.dlq(topic) for topic in SERVICE.consumes)],
    )
