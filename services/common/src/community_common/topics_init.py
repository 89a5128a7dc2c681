"""`python -m community_common.topics_init`: creates every topic of the platform and its
dead-letter twin with the settings the contracts give (idempotent: existing topics are left
alone). Used by `make up` / `make test` and by the docker-compose topic-init step, so the topic
list and settings live only in community_contracts.topics."""

from __future__ import annotations

import os

from community_contracts import topics
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from community_common.config import topic_partitions


def create_topics(bootstrap_servers: str, partitions: int | None = None) -> tuple[int, int]:
    """Creates the missing topics; returns (created, already there)."""
    partitions = partitions or topic_partitions()
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        existing = set(admin.list_topics())
        wanted = [t for name in topics.ALL for t in (name, topics.dlq(name))]
        new = [
            NewTopic(
                t, num_partitions=partitions, replication_factor=1, topic_configs=topics.config(t)
            )
            for t in wanted
            if t not in existing
        ]
        if new:
            admin.create_topics(new)
        return len(new), len(wanted) - len(new)
    finally:
        admin.close()


def main() -> None:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    created, existing = create_topics(bootstrap)
    each = topic_partitions()
    print(f"topics: {created} created, {existing} already there ({each} partitions each)")


if __name__ == "__main__":
    main()
