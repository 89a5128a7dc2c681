"""`python -m community_common.topics_init`: creates every topic of the platform and its
dead-letter twin with the settings the contracts give (idempotent: existing topics are left
alone). Used by `make up` / `make test` and by the docker-compose topic-init step, so the topic
list and settings live only in community_contracts.topics."""

from __future__ import annotations

import os

from community_contracts import topics

from community_common.config import topic_partitions
from community_common.kafka_clients import ensure_topics


def all_topics() -> list[str]:
    return [t for name in topics.ALL for t in (name, topics.dlq(name))]


def main() -> None:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    ensure_topics(bootstrap, all_topics(), topic_partitions())
    print(f"topics: {len(all_topics())} present ({topic_partitions()} partitions each)")


if __name__ == "__main__":
    main()
