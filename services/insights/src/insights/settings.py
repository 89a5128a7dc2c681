"""The insights processes' own settings, from environment variables with working local
defaults: the worker's, and the API process's dashboard port.

The gRPC API reads the common service settings (community_common.config.Settings); the
worker needs no JWT secret, so it reads only what it uses.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass

from community_common.config import env_float, env_int, env_str, topic_partitions
from community_contracts import services, topics

SERVICE = services.INSIGHTS
# SPEC §7: where the dashboard is served unless INSIGHTS_HTTP_PORT says otherwise.
DEFAULT_HTTP_PORT = 50080
# Copies of each partition's tables on other workers (WorkerSettings.standby_replicas).
DEFAULT_STANDBY_REPLICAS = 1


@dataclass(frozen=True)
class WorkerSettings:
    kafka_bootstrap_servers: str
    mongodb_uri: str
    mongodb_database: str
    # Faust's app id: the consumer group, and the prefix of the tables' changelog topics.
    app_id: str
    # The event topics consumed (the contract's three; another set only for a shadow replay
    # or a test's own topics).
    source_topics: tuple[str, ...]
    snapshot_topic: str
    snapshot_interval_s: float
    # Same as the event topics' partition count: Faust refuses a table whose changelog
    # partitions differ from its source topics' (PartitionsMismatch).
    topic_partitions: int
    # Faust's local data directory: one per worker process.
    data_dir: str
    log_level: str
    # REPLICA_ID of the stack's replicas ("" for one unnamed worker): names this worker's
    # member of the group (insights.worker_group).
    replica_id: str = ""
    # Faust's table_standby_replicas: how many other workers keep a copy of each partition's
    # tables (memory store, fed from the changelogs), so that a worker taking a partition
    # over reads only the changelog's tail instead of the whole changelog, within the
    # recovery bound. A copy costs its holder the decoding of the owner's changelog records
    # (one per changed value per batch, far less than counting). One, chosen for the 2-core
    # machine: Faust puts each copy on another worker, so with the stack's two workers one
    # is all there can be, and more workers on the same two cores add no CPU to pay for a
    # second copy (measured: services/insights/README.md, "Several workers"). A single
    # worker has no other to hold a copy.
    standby_replicas: int = DEFAULT_STANDBY_REPLICAS

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WorkerSettings:
        env = os.environ if env is None else env
        sources = env_str("INSIGHTS_SOURCE_TOPICS", ",".join(SERVICE.consumes), env)
        return cls(
            kafka_bootstrap_servers=env_str("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", env),
            mongodb_uri=env_str("MONGODB_URI", "mongodb://127.0.0.1:27017", env),
            mongodb_database=env_str("MONGODB_DATABASE", SERVICE.short_name, env),
            app_id=env_str("INSIGHTS_APP_ID", SERVICE.short_name, env),
            source_topics=tuple(t.strip() for t in sources.split(",") if t.strip()),
            snapshot_topic=env_str("INSIGHTS_SNAPSHOT_TOPIC", topics.INSIGHTS_SNAPSHOTS, env),
            snapshot_interval_s=env_float("INSIGHTS_SNAPSHOT_INTERVAL_S", 5.0, minimum=0, env=env),
            topic_partitions=topic_partitions(env),
            data_dir=env_str("INSIGHTS_DATA_DIR", "", env)
            or tempfile.mkdtemp(prefix="insights-worker-"),
            log_level=env_str("LOG_LEVEL", "INFO", env).upper(),
            replica_id=env_str("REPLICA_ID", "", env),
            standby_replicas=env_int("INSIGHTS_STANDBY_REPLICAS", DEFAULT_STANDBY_REPLICAS,
                                     minimum=0, env=env),
        )


# INSIGHTS_HTTP_PORT's value for an API process that serves no dashboard.
DASHBOARD_OFF = "off"


@dataclass(frozen=True)
class DashboardSettings:
    """The web dashboard the insights API process serves beside gRPC (SPEC §7 Dashboard)."""

    # None: no dashboard (INSIGHTS_HTTP_PORT=off); 0: any free port (tests).
    http_port: int | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DashboardSettings:
        env = os.environ if env is None else env
        if env_str("INSIGHTS_HTTP_PORT", "", env).lower() == DASHBOARD_OFF:
            return cls(http_port=None)
        return cls(http_port=env_int("INSIGHTS_HTTP_PORT", DEFAULT_HTTP_PORT, minimum=0,
                                     maximum=65535, env=env))
