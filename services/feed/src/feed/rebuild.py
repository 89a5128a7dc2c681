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
from community_common.mongo import blocking_client, write_in_chunks
from community_contracts import services, topics
from kafka import KafkaConsumer, TopicPartition
from pymongo.database import Database
from pymongo.operations import ReplaceOne

from feed.adapters.knowledge_store import (
    COLLECTIONS,
    COMMUNITIES,
    STANDING,
    STANDING_INDEXES,
    KnowledgeWriter,
    without_id,
)
from feed.domain.knowledge import Doc
from feed.entrypoints.consumers import MEMBERSHIP_TYPES, MODERATION_TYPES

log = logging.getLogger("feed.rebuild")


# Documents written per insert command (new documents: no matched documents, so the
# connection per update that FerretDB holds does not apply); changed ones go through
# `write_in_chunks` (25 per command).
# Large inserts amortise FerretDB's per-command cost: 5,000 per command wrote ~35% more
# documents per second than 1,000 on the loaded reference machine.
INSERT_CHUNK = 5000
# Dirty documents that trigger a write, and held documents above which memory is emptied.
FLUSH_EVERY = 20_000
HOLD_AT_MOST = 200_000


class ReplayedDocuments:
    """The read models while a rebuild replays into freshly dropped collections.

    The rebuild is the only writer, so what it holds in memory is the truth: an event's reads
    cost no round trip, and each changed document is written once per flush (a community's
    document once, not once per member event). Documents already written and no longer held
    (memory is emptied past HOLD_AT_MOST) are read back by `_id`.
    """

    def __init__(self, database: Database[Any]) -> None:
        self.db = database
        self.held: dict[tuple[str, str], Doc] = {}
        self.dirty: set[tuple[str, str]] = set()
        self.stored: set[tuple[str, str]] = set()
        self.flushed: set[str] = set()  # collections with documents written

    def get(self, collection: str, key: str) -> Doc | None:
        name = (collection, key)
        if name not in self.held and name in self.stored:
            found = self.db[collection].find_one({"_id": key})
            if found is not None:
                self.held[name] = without_id(found)
        return self.held.get(name)

    def put(self, collection: str, key: str, doc: Doc) -> None:
        self.held[(collection, key)] = without_id(doc)
        self.dirty.add((collection, key))
        if len(self.dirty) >= FLUSH_EVERY:
            self.flush()

    def add(self, collection: str, key: str, doc: Doc) -> bool:
        if self.get(collection, key) is not None:
            return False
        self.put(collection, key, doc)
        return True

    def keys_in_scope(self, collection: str, scope: str) -> list[str]:
        held = {
            key
            for (name, key), doc in self.held.items()
            if name == collection and doc.get("scope") == scope
        }
        if collection in self.flushed:
            # Written by an earlier flush and perhaps no longer held.
            held.update(d["_id"] for d in self.db[collection].find({"scope": scope}, {"_id": 1}))
        return sorted(held)

    def flush(self) -> None:
        """Write every changed document: communities last, as the live consumer does."""
        by_collection: dict[str, list[str]] = {}
        for collection, key in self.dirty:
            by_collection.setdefault(collection, []).append(key)
        for collection in sorted(by_collection, key=lambda name: name == COMMUNITIES):
            new, changed = [], []
            for key in by_collection[collection]:
                doc = self.held[(collection, key)]
                if (collection, key) in self.stored:
                    changed.append(ReplaceOne({"_id": key}, doc))
                else:
                    new.append({**doc, "_id": key})
                    self.stored.add((collection, key))
                    self.flushed.add(collection)
            for start in range(0, len(new), INSERT_CHUNK):
                self.db[collection].insert_many(new[start : start + INSERT_CHUNK], ordered=False)
            write_in_chunks(self.db[collection], changed)
        self.dirty.clear()
        if len(self.held) > HOLD_AT_MOST:
            self.held.clear()


def replay(
    database: Database[Any],
    bootstrap_servers: str,
    topic: str,
    types: frozenset[str],
    membership: bool,
) -> int:
    """Apply every event of `topic` of the given types, oldest first; returns how many."""
    documents = ReplayedDocuments(database)
    writer = KnowledgeWriter(database, documents)
    # Per community, the newest event that moves its consistency checkpoint (what
    # `ConsistencyCheckpoints.record` counts): recorded once, after its changes are written.
    newest: dict[str, EventEnvelope] = {}
    # kafka-python checks CRC32C in pure Python, which halves its read rate; the broker
    # verified every batch when it was produced, and TCP guards the wire.
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        max_poll_records=10_000,
        check_crcs=False,
    )
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
                    # Only membership events move consistency tokens.
                    if membership and event.community_id and event.subject == event.community_id:
                        kept = newest.get(event.community_id)
                        if kept is None or event.sequence > kept.sequence:
                            newest[event.community_id] = event
        documents.flush()
        checkpoints = ConsistencyCheckpoints(database)
        for event in newest.values():
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
    for keys in STANDING_INDEXES:
        database[STANDING].create_index(keys)
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
