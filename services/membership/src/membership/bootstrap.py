"""Wires the membership service process: settings, adapters, use cases, gRPC API, workers.

The one place that decides which adapters the handlers get. Workers: the outbox relay
(publishes stored events), the moderation consumer (bans, restrictions), the projector
(read models from the published events) and the invitation timer. A `RebuildWatch` follows
`python -m membership.rebuild`: while one runs, the projector and the timer pause and reads
of the read models wait (membership.rebuild).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from community.membership.v1 import membership_service_pb2_grpc
from community_common.config import Settings, env_float, env_int, env_str
from community_common.event_store import EventStore
from community_common.logging import configure_logging
from community_common.mongo import async_client, blocking_client
from community_common.rebuild import RebuildWatch
from community_common.relay import OutboxRelay, RelaySettings
from community_common.repository import Repository
from community_common.server import BackgroundWorker, ServiceHost
from community_contracts import services, topics
from grpc import aio
from pymongo import AsyncMongoClient

from membership.adapters.owner_ledger import OwnerLedger
from membership.adapters.read_models import ReadModels
from membership.adapters.sanctions import Sanctions
from membership.application.service import MembershipService
from membership.domain import limits
from membership.domain.limits import Limits
from membership.entrypoints.consumers import moderation_consumer, projector
from membership.entrypoints.grpc_api import MembershipApi
from membership.entrypoints.invitation_timer import DEFAULT_INTERVAL_S, InvitationTimer

SERVICE = services.MEMBERSHIP


def limits_from_env(env: Mapping[str, str] | None = None) -> Limits:
    return Limits(
        max_communities_per_user=env_int(
            "MAX_COMMUNITIES_PER_USER", limits.MAX_COMMUNITIES_PER_USER, minimum=1, env=env
        ),
        max_groups_per_community=env_int(
            "MAX_GROUPS_PER_COMMUNITY", limits.MAX_GROUPS_PER_COMMUNITY, minimum=1, env=env
        ),
        invitation_ttl=timedelta(
            seconds=env_float(
                "INVITATION_TTL_S",
                limits.INVITATION_TTL.total_seconds(),
                minimum=1,
                env=env,
            )
        ),
    )


def membership_service(
    client: AsyncMongoClient[Any],
    database: str,
    service_limits: Limits,
    rebuilds: RebuildWatch | None = None,
) -> MembershipService:
    """The use cases on `database`; with `rebuilds`, reads of the read models wait while a
    rebuild of them runs."""
    db = client[database]
    store = EventStore(db, SERVICE.source)
    return MembershipService(
        store=store,
        repository=Repository(store),
        ledger=OwnerLedger(db),
        sanctions=Sanctions(db),
        read_models=ReadModels(db, rebuilds.settled if rebuilds else None),
        limits=service_limits,
    )


def build(
    settings: Settings | None = None,
    service_limits: Limits | None = None,
    consumer_group_prefix: str | None = None,
) -> ServiceHost:
    settings = settings or Settings.from_env(SERVICE.short_name, SERVICE.default_port)
    service_limits = service_limits or limits_from_env()
    # CONSUMER_GROUP_PREFIX: replicas of one deployment share it (and so share the work).
    groups = consumer_group_prefix or env_str("CONSUMER_GROUP_PREFIX", SERVICE.short_name)
    configure_logging(SERVICE.short_name, settings.log_level)
    mongo = async_client(settings.mongodb_uri)
    # Polled on the server's loop; consumer and timer threads read its `running` flag.
    rebuilds = RebuildWatch(mongo[settings.mongodb_database], SERVICE.short_name)
    service = membership_service(mongo, settings.mongodb_database, service_limits, rebuilds)

    def register_api(server: aio.Server) -> None:
        membership_service_pb2_grpc.add_MembershipServiceServicer_to_server(
            MembershipApi(service), server
        )

    def thread_service() -> MembershipService:
        # Each consumer thread gets its own client, bound to that thread's event loop.
        return membership_service(
            async_client(settings.mongodb_uri), settings.mongodb_database, service_limits, rebuilds
        )

    relay_db = blocking_client(settings.mongodb_uri)[settings.mongodb_database]
    workers: list[BackgroundWorker] = [
        OutboxRelay(
            relay_db,
            settings.kafka_bootstrap_servers,
            RelaySettings.from_env(SERVICE.topic),
            holder=settings.replica_name,
        ),
        moderation_consumer(settings.kafka_bootstrap_servers, thread_service, groups),
        projector(
            settings.kafka_bootstrap_servers,
            thread_service,
            groups,
            paused=lambda: rebuilds.running,
        ),
        InvitationTimer(
            thread_service,
            env_float("INVITATION_TIMER_INTERVAL_S", DEFAULT_INTERVAL_S, minimum=0.1, maximum=60.0),
            paused=lambda: rebuilds.running,
        ),
    ]
    return ServiceHost(
        settings=settings,
        service_full_name=SERVICE.full_name,
        register=[register_api],
        workers=workers,
        indexes=[service.store.ensure_indexes, service.read_models.ensure_indexes],
        mongo=mongo,
        topics=[SERVICE.topic, *(topics.dlq(topic) for topic in SERVICE.consumes)],
        tasks=[rebuilds.watch],
    )
