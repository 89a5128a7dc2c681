"""`python -m insights.worker`: run the insights Faust worker, on uvloop, until SIGTERM
(which commits, leaves the group and stops cleanly: `insights.worker_group`). Settings: see
`insights.settings`. It refuses to start when a topic's partition count differs from
KAFKA_TOPIC_PARTITIONS, and waits for a broker that is down. While `python -m insights.rebuild`
runs, the worker is fenced and waits, then starts over (`insights.rebuild_fence`)."""

from __future__ import annotations

import faust
import uvloop
from community_common.config import ConfigError, exit_on_config_error
from community_common.kafka_clients import ensure_topics, once_reachable
from community_common.logging import configure_logging
from community_common.mongo import async_client
from community_common.rebuild import RebuildWatch
from community_contracts import topics

from insights.adapters.mongo_view import MongoServingView
from insights.domain.ledger import DAYS, ROLES, ROSTERS
from insights.partitions import check_partition_counts
from insights.rebuild import changelog_topic
from insights.rebuild_fence import (
    SERVICE,
    start_over,
    stop_when_rebuilding,
    wait_while_rebuilding,
)


def main() -> None:
    # Before the app and its worker exist: they take the event loop when they are made (the
    # worker's --loop option is never parsed, since it is started here in code).
    uvloop.install()
    from insights.app import app, runtime, settings

    configure_logging("insights-worker", settings.log_level)
    try:
        once_reachable(lambda: check_partition_counts(
            settings.kafka_bootstrap_servers,
            [*settings.source_topics,
             *(changelog_topic(settings.app_id, table) for table in (DAYS, ROSTERS, ROLES))],
            settings.topic_partitions,
        ), "check the partition counts")
    except ConfigError as error:
        exit_on_config_error(error)
    wait_while_rebuilding(settings.mongodb_uri, settings.mongodb_database)
    # Where the worker writes besides its own tables: snapshots and dead letters.
    once_reachable(lambda: ensure_topics(
        settings.kafka_bootstrap_servers,
        [settings.snapshot_topic, *(topics.dlq(name) for name in settings.source_topics)],
        settings.topic_partitions,
    ), "create the snapshot and dead-letter topics")
    database = async_client(settings.mongodb_uri)[settings.mongodb_database]
    runtime.attach(MongoServingView(database))
    watch = RebuildWatch(database, SERVICE)

    @app.task
    async def fence_on_rebuild() -> None:
        await stop_when_rebuilding(watch, runtime.fence)

    worker = faust.Worker(app, loglevel=settings.log_level, override_logging=False)
    try:
        worker.execute_from_commandline()
    except SystemExit:
        if not runtime.fenced:
            raise
    wait_while_rebuilding(settings.mongodb_uri, settings.mongodb_database)
    start_over()


if __name__ == "__main__":
    main()
