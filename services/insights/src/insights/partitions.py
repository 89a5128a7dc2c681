"""Where a community's records go: its events (put there by the producers) and its tables'
changelog records (so the worker that owns the community's partition restores them); and
the start-up check that every one of those topics has the same number of partitions."""

from __future__ import annotations

from collections.abc import Iterable

from community_common.config import ConfigError
from community_common.kafka_clients import admin_client
from kafka.partitioner.default import murmur2


def partition_of(community_id: str, partitions: int) -> int:
    """The partition the producers put a community's events on (Kafka's murmur2)."""
    return (murmur2(community_id.encode()) & 0x7FFFFFFF) % partitions


def check_partition_counts(bootstrap_servers: str, names: Iterable[str], partitions: int) -> None:
    """Refuse to start unless each of these topics that exists has `partitions` partitions.

    A community's events and its table values must be on the same partition number, owned
    by the same worker: with another count on one topic, two workers would count a
    community's events into two copies of its values, each saving its own to the view.
    Faust checks only the changelogs against the source topics, and only once a table is
    made. Topics that do not exist yet are left to whoever creates them (stack.py for the
    event topics, Faust for the changelogs, with `partitions`). Blocks (kafka-python):
    call it before the worker's loop runs."""
    admin = admin_client(bootstrap_servers, "insights-check")
    try:
        existing = set(admin.list_topics())
        wanted = sorted(name for name in names if name in existing)
        counts = {topic["name"]: len(topic["partitions"])
                  for topic in admin.describe_topics(wanted)} if wanted else {}
    finally:
        admin.close()
    wrong = {name: count for name, count in sorted(counts.items()) if count != partitions}
    if wrong:
        listed = ", ".join(f"{name} has {count}" for name, count in wrong.items())
        raise ConfigError(
            f"KAFKA_TOPIC_PARTITIONS is {partitions} but {listed}: every event topic and "
            "table changelog of insights must have that many partitions (a community's "
            "events and its table values are kept by partition number); set "
            "KAFKA_TOPIC_PARTITIONS to the topics' count or recreate the topics")
