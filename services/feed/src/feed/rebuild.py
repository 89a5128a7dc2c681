"""`python -m feed.rebuild`: rebuild feed's knowledge of communities and people from scratch.

Drops the read models that membership and moderation events feed (communities, members,
member index, sanctions, restrictions, removals, consistency checkpoints) and replays both
topics from their first record up to their current end, with the same rules the running
consumers apply. Stop the feed service's consumers first (or run it before starting feed):
a consumer writing while the collections are rebuilt could have its newer state skipped.
Feed's own data (posts, likes, announcements, live sessions, timelines) is its event store
and is never dropped.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

from community_common.config import ConfigError, Settings, exit_on_config_error
from community_common.consistency import CHECKPOINTS, ConsistencyCheckpoints
from community_common.envelope import EventEnvelope, MalformedEvent
from community_common.logging import configure_logging
from community_common.mongo import blocking_client
from community_contracts import services, topics
from kafka import KafkaConsumer, TopicPartition
from pymongo.database import Database

from feed.adapters.knowledge_store import COLLECTIONS, KnowledgeWriter
from feed.entrypoints.consumers import MEMBERSHIP_TYPES, MODERATION_TYPES

log = logging.getLogger("feed.rebuild")


def replay(
    database: Database[Any],
    bootstrap_servers: str,
    topic: str,
    types: frozenset[str],
    membership: bool,
) -> int:
    """Apply every event of `topic` of the given types, oldest first; returns how many."""
    writer = KnowledgeWriter(database)
    checkpoints = ConsistencyCheckpoints(database)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    applied = 0
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    try:
                        event = EventEnvelope.from_kafka_record(
                            record.key, record.value, record.headers
                        )
                        if event.type in types:
                            writer.apply(event, event.message())
                            applied += 1
                    except MalformedEvent:
                        continue  # the live consumer already dead-lettered it
                    if membership:  # only membership events move consistency tokens
                        checkpoints.record(event)
    finally:
        consumer.close()
    return applied


def rebuild(
    database: Database[Any],
    bootstrap_servers: str,
    sources: Sequence[tuple[str, frozenset[str], bool]],
) -> int:
    for name in (*COLLECTIONS, CHECKPOINTS):
        database.drop_collection(name)
    return sum(replay(database, bootstrap_servers, *source) for source in sources)


# (topic, event types, whether it is membership's) in the order the consumers apply them.
SOURCES = (
    (topics.MEMBERSHIP_EVENTS, MEMBERSHIP_TYPES, True),
    (topics.MODERATION_EVENTS, MODERATION_TYPES, False),
)


def main() -> None:
    try:
        settings = Settings.from_env(services.FEED.short_name, services.FEED.default_port)
    except ConfigError as error:
        exit_on_config_error(error)
    configure_logging("feed-rebuild", settings.log_level)
    database = blocking_client(settings.mongodb_uri)[settings.mongodb_database]
    applied = rebuild(database, settings.kafka_bootstrap_servers, SOURCES)
    log.info("rebuilt feed's read models from %d events", applied)
    sys.exit(0)


if __name__ == "__main__":
    main()
