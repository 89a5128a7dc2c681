"""Kafka clients as every service uses them: the producer settings, topic creation, outages.

kafka-python blocks, so these are only ever used from threads, never on an asyncio loop.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from community_contracts import topics as contract_topics
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError, TopicAlreadyExistsError

log = logging.getLogger("community_common.kafka")

# Every Kafka client error means "the broker is unreachable or busy right now": the work is
# retried later, never given up on.
KAFKA_OUTAGE_ERRORS: tuple[type[BaseException], ...] = (KafkaError,)

# Every client of ours retries a lost broker at least once a second. kafka-python backs off
# exponentially to 30 s, so after a broker restart its clients slept up to that long on a broker
# that was long back (measured 27 s until writes flowed again).
RECONNECT_BACKOFF_MAX_MS = 1000

T = TypeVar("T")


def once_reachable(step: Callable[[], T], what: str, pause_s: float = 1.0) -> T:
    """`step()` once the broker answers it. A process starting while the broker is down or
    restarting waits for it, as its running consumers do, instead of exiting: nothing would
    start it again but a supervisor."""
    waiting = False
    while True:
        try:
            return step()
        except KAFKA_OUTAGE_ERRORS as error:
            if not waiting:
                log.warning("waiting for Kafka to %s: %r", what, error)
                waiting = True
            time.sleep(pause_s)


def topic_config(name: str) -> dict[str, str]:
    """The contract's settings for our topics; tests' own scratch topics keep everything."""
    try:
        return contract_topics.config(name)
    except KeyError:
        return {"retention.ms": "-1"}


def event_producer(bootstrap_servers: str, client_id: str) -> KafkaProducer:
    """A producer whose acknowledged sends are on every in-sync replica, in order, once."""
    return KafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        # Idempotence keeps per-partition order and drops broker-side duplicates on retry.
        enable_idempotence=True,
        # The default partitioner is murmur2 over the key, like every other Kafka client
        # (SPEC §8), so a community's events land on the same partition whoever produced them.
        linger_ms=5,
        max_block_ms=10_000,
        request_timeout_ms=10_000,
        delivery_timeout_ms=30_000,
        reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
    )


def admin_client(bootstrap_servers: str, client_id: str) -> KafkaAdminClient:
    """An admin client that, like the others, retries a broker that is down at least once a
    second (kafka-python's own backoff grew to 22 s while an insights worker started)."""
    return KafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
    )


def ensure_topics(bootstrap_servers: str, names: Iterable[str], partitions: int) -> None:
    """Create the topics that do not exist yet (topic auto-creation is off on our brokers)."""
    admin = admin_client(bootstrap_servers, "topic-admin")
    try:
        existing = set(admin.list_topics())
        missing = [name for name in names if name not in existing]
        if not missing:
            return
        for name in missing:
            spec = {"num_partitions": partitions, "configs": topic_config(name)}
            # One at a time so a topic another replica just created does not fail the rest.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics({name: spec}, wait_for_metadata=True)
                log.info("created topic %s", name, extra={"fields": {"topic": name}})
    finally:
        admin.close()
