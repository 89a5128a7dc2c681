"""`python -m insights.worker`: run the insights Faust worker until SIGTERM (which commits
and stops cleanly). Settings: see `insights.settings`."""

from __future__ import annotations

import faust
from community_common.kafka_clients import ensure_topics
from community_common.logging import configure_logging
from community_common.mongo import async_client
from community_contracts import topics

from insights.adapters.mongo_view import MongoServingView


def main() -> None:
    from insights.app import app, runtime, settings

    configure_logging("insights-worker", settings.log_level)
    # Where the worker writes besides its own tables: snapshots and dead letters.
    ensure_topics(
        settings.kafka_bootstrap_servers,
        [settings.snapshot_topic, *(topics.dlq(name) for name in settings.source_topics)],
        settings.topic_partitions,
    )
    runtime.attach(MongoServingView(
        async_client(settings.mongodb_uri)[settings.mongodb_database]
    ))
    worker = faust.Worker(app, loglevel=settings.log_level, override_logging=False)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
