"""One run of an event consumer: a kafka-python consumer from subscribe to close, on a thread.

`EventConsumer` (community_common.consumer) starts a run, watches the `RunProgress` it
publishes, and replaces it with a fresh run when it wedges. A run:

1. subscribes, then waits until its own client's metadata lists every subscribed topic with
   partitions, and only then polls (and so joins the group). kafka-python 3.0.12 can lose an
   assignment for good when a member joins before that metadata arrives: see "Why a consumer
   waits for its topics' metadata" in services/common/README.md;
2. polls and hands each record to the handler, committing offsets only after the handler has
   finished with a record (at-least-once; handlers deduplicate);
3. on close, commits what it finished and leaves the group at once, so the partitions move to
   another member without waiting out the session timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from community_contracts import headers, topics
from google.protobuf.message import Message
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError
from kafka.structs import OffsetAndMetadata

from community_common.envelope import EventEnvelope, MalformedEvent
from community_common.kafka_clients import (
    KAFKA_OUTAGE_ERRORS,
    RECONNECT_BACKOFF_MAX_MS,
    ensure_topics,
    event_producer,
)
from community_common.mongo import MONGO_OUTAGE_ERRORS, storage_down

log = logging.getLogger("community_common.consumer")

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (*MONGO_OUTAGE_ERRORS, *KAFKA_OUTAGE_ERRORS)
# Kafka header values are bytes; keep the error short enough to read in a DLQ browser.
MAX_ERROR_TEXT = 2000
# How often a run asks again for the metadata of a topic that has no partitions yet.
METADATA_RETRY_S = 0.5
# A member that stops heartbeating (SIGKILL, a frozen host) loses its partitions after this
# long; kafka-python's default, 45 s, held a dead replica's partitions (and so every read
# waiting for a consistency token) that long, and a restarted replica waited as long for the
# rebalance its join started. 6 s is the broker's default minimum; the heartbeat thread beats
# every second, so a busy machine has room for a few missed beats. (Not static membership:
# with kafka-python 3.0.12 a restarted static member that led its group was left holding
# nothing while the broker listed it as the owner, until the watchdog replaced it.)
SESSION_TIMEOUT_MS = 6000
HEARTBEAT_INTERVAL_MS = 1000
# A commit waits this long for the broker, then is retried after the next poll (kafka-python
# would wait for a lost broker for ever, a loop that stops moving).
COMMIT_TIMEOUT_MS = 5000
# Closing a run gives up after this long on an unreachable broker (commit, then leave), so a
# stop never hangs for kafka-python's 30 s request timeout.
CLOSE_TIMEOUT_MS = 3000

EventHandler = Callable[[EventEnvelope, Message], None]


class Stopping(Exception):
    """Raised inside a run to abandon its work when it is asked to stop."""


@dataclass(frozen=True)
class ConsumerSpec:
    """What every run of one consumer does: the same group, topics and handler."""

    name: str
    bootstrap_servers: str
    group_id: str
    topics: Sequence[str]
    handler: EventHandler
    handles: Collection[str] | None
    checkpoint: Callable[[EventEnvelope], None] | None
    max_attempts: int
    dlq_partitions: int
    consumer_options: Mapping[str, Any]
    # While this says True the run keeps polling (it stays in the group) with every assigned
    # partition paused, so nothing is handled; it resumes from its committed positions after
    # (e.g. a projector while its service's read models rebuild: RebuildWatch.running).
    paused: Callable[[], bool] | None = None


@dataclass
class RunProgress:
    """What a run last did, written by its thread and read by the watchdog and health.

    Each field is replaced whole (never mutated in place), so a reader on another thread sees
    either the old or the new value of each one.
    """

    started_at: float = field(default_factory=time.monotonic)
    # The last moment the run finished a poll or a record: a loop that stops moving is stuck.
    moved_at: float = field(default_factory=time.monotonic)
    # The record being handled (topic:partition@offset), if any: a run stuck there is stuck in
    # the service's own handler, which a new run would call again on the same record.
    handling: str | None = None
    # What the run is blocked on (topics' metadata, an outage), and since when.
    waiting_for: str | None = None
    waiting_since: float = 0.0
    # The partitions this member holds, and since when it holds none.
    assignment: frozenset[TopicPartition] = frozenset()
    unassigned_since: float = field(default_factory=time.monotonic)
    ever_assigned: bool = False
    member_id: str = ""
    # Partitions of the subscribed topics, as the run's metadata listed them before joining.
    partitions: int = 0

    def moved(self) -> None:
        self.moved_at = time.monotonic()

    def wait_for(self, what: str) -> None:
        if self.waiting_for is None:
            self.waiting_since = time.monotonic()
        self.waiting_for = what

    def done_waiting(self) -> None:
        self.waiting_for = None

    def assigned(self, partitions: frozenset[TopicPartition], member_id: str) -> None:
        if partitions and not self.assignment:
            self.ever_assigned = True
        elif not partitions and self.assignment:
            self.unassigned_since = time.monotonic()
        self.assignment = partitions
        self.member_id = member_id


class ConsumerRun:
    """One kafka-python consumer's life on its own thread; see the module docstring."""

    # How long one poll waits for records before the run looks at its stop flag again.
    poll_timeout_ms = 100

    def __init__(self, spec: ConsumerSpec, generation: int) -> None:
        self.spec = spec
        self.progress = RunProgress()
        self._stop = threading.Event()
        self._consumer: KafkaConsumer | None = None
        self._producer: KafkaProducer | None = None
        self._done: dict[TopicPartition, int] = {}
        self._thread = threading.Thread(
            target=self._run, name=f"{spec.name}#{generation}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float) -> bool:
        """Ask the run to finish (commit, leave the group); True once its thread has ended."""
        self._stop.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._wait_for(self._connect)
            while not self._stop.is_set():
                self._consume_once()
        except Stopping:
            pass
        except Exception:
            log.exception("%s stopped by an unexpected error", self.spec.name)
        finally:
            self._close()

    # --- connecting ----------------------------------------------------------------------

    def _connect(self) -> None:
        spec = self.spec
        if self._producer is None:
            ensure_topics(
                spec.bootstrap_servers, [topics.dlq(t) for t in spec.topics], spec.dlq_partitions
            )
            self._producer = event_producer(spec.bootstrap_servers, client_id=f"{spec.name}-dlq")
        if self._consumer is None:
            options: dict[str, Any] = {
                "bootstrap_servers": spec.bootstrap_servers,
                "group_id": spec.group_id,
                "client_id": spec.name,
                # A new projection starts from the first event ever published.
                "auto_offset_reset": "earliest",
                "enable_auto_commit": False,
                # The broker answers a fetch as soon as one record is there (fetch_min_bytes=1),
                # so this wait only bounds how often an idle consumer asks: 20 ms cost each idle
                # consumer ~15% of a core (and the broker as much again) for no fresher delivery
                # (measured p50 publish-to-poll 22 ms at 20 ms, 18 ms at 200 ms).
                "fetch_max_wait_ms": 200,
                "max_poll_records": 200,
                "session_timeout_ms": SESSION_TIMEOUT_MS,
                "heartbeat_interval_ms": HEARTBEAT_INTERVAL_MS,
                "reconnect_backoff_max_ms": RECONNECT_BACKOFF_MAX_MS,
            }
            options.update(spec.consumer_options)
            self._consumer = KafkaConsumer(**options)
            self._consumer.subscribe(list(spec.topics))
        self._await_topic_metadata(self._consumer)

    def _await_topic_metadata(self, consumer: KafkaConsumer) -> None:
        """Block until this client's metadata lists every subscribed topic with partitions.

        Subscribing first and asking afterwards matters: the metadata that answers is then
        taken with the subscription in place, so the group coordinator's snapshot of the
        topics already has their partitions when the first poll joins the group, and no
        metadata change can later trigger the rejoin that kafka-python can lose.
        """
        while True:
            counts = {t: len(consumer.partitions_for_topic(t)) for t in self.spec.topics}
            missing = sorted(t for t, n in counts.items() if n == 0)
            if not missing:
                self.progress.partitions = sum(counts.values())
                self.progress.done_waiting()
                return
            self.progress.wait_for(f"metadata of {', '.join(missing)} (no partitions yet)")
            self._pause(METADATA_RETRY_S)

    def _close(self) -> None:
        if self._consumer is not None:
            try:
                self._commit(timeout_ms=CLOSE_TIMEOUT_MS)
            except Exception:
                log.warning("%s: final offset commit failed", self.spec.name, exc_info=True)
            try:
                # Leaves the group now, so the partitions move without a session timeout.
                self._consumer.close(autocommit=False, timeout_ms=CLOSE_TIMEOUT_MS)
            except Exception:
                log.warning("%s: leaving the group failed", self.spec.name, exc_info=True)
        if self._producer is not None:
            self._producer.close(timeout=5)

    # --- the loop ------------------------------------------------------------------------

    def _consume_once(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        self._pause_or_resume(consumer)
        try:
            batches = consumer.poll(timeout_ms=self.poll_timeout_ms)
        except KAFKA_OUTAGE_ERRORS as error:
            log.warning("%s: poll failed, retrying: %r", self.spec.name, error)
            self.progress.wait_for(f"Kafka: {error!r}")
            self._pause(1.0)
            return
        self.progress.done_waiting()
        member_id = consumer.group_metadata().member_id
        self.progress.assigned(frozenset(consumer.assignment()), member_id)
        self.progress.moved()
        for partition, records in batches.items():
            for record in records:
                if self._stop.is_set():
                    return
                self.progress.handling = f"{record.topic}:{record.partition}@{record.offset}"
                self._process(record)
                self.progress.handling = None
                self._done[partition] = record.offset + 1
                self.progress.moved()
        self._commit()

    def _pause_or_resume(self, consumer: KafkaConsumer) -> None:
        """Partitions assigned while paused are paused too, before the next poll; records
        already fetched for a paused partition are dropped and fetched again on resume."""
        if self.spec.paused is not None and self.spec.paused():
            if assigned := consumer.assignment():
                consumer.pause(*assigned)
        elif paused := consumer.paused():
            consumer.resume(*paused)

    def _commit(self, timeout_ms: int = COMMIT_TIMEOUT_MS) -> None:
        if not self._done or self._consumer is None:
            return
        offsets = {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in self._done.items()}
        try:
            self._consumer.commit(offsets, timeout_ms=timeout_ms)
            self._done.clear()
            self.progress.done_waiting()
        except CommitFailedError:
            # The group rebalanced while we worked; the new owner re-delivers, handlers dedupe.
            log.info("%s: offsets not committed after a rebalance", self.spec.name)
            self._done.clear()
        except KAFKA_OUTAGE_ERRORS as error:
            log.warning("%s: offset commit failed, will retry: %r", self.spec.name, error)
            self.progress.wait_for(f"Kafka: {error!r}")

    def _process(self, record: ConsumerRecord) -> None:
        try:
            event = EventEnvelope.from_kafka_record(record.key, record.value, record.headers)
        except MalformedEvent as error:
            self._dead_letter(record, error, attempts=0)
            return
        if self.spec.handles is None or event.type in self.spec.handles:
            self._handle(record, event)
        if self.spec.checkpoint is not None:
            checkpoint = self.spec.checkpoint
            self._wait_for(lambda: checkpoint(event))

    def _handle(self, record: ConsumerRecord, event: EventEnvelope) -> None:
        try:
            message = event.message()
        except MalformedEvent as error:
            self._dead_letter(record, error, attempts=0)
            return
        attempts = 0
        while True:
            try:
                self.spec.handler(event, message)
                self.progress.done_waiting()
                return
            except Exception as error:
                if isinstance(error, OUTAGE_ERRORS) or storage_down(error):
                    # Not the record's fault: wait for the infrastructure, however long.
                    log.warning("%s: outage while handling %s: %r", self.spec.name, event.id,
                                error)
                    self.progress.wait_for(f"infrastructure: {error!r}")
                    self._pause(1.0)
                    continue
                attempts += 1
                if attempts >= self.spec.max_attempts:
                    log.exception("%s: giving up on %s %s", self.spec.name, event.type, event.id)
                    self._dead_letter(record, error, attempts)
                    return
                self._pause(0.05 * 2**attempts)

    def _dead_letter(self, record: ConsumerRecord, error: BaseException, attempts: int) -> None:
        extra = [
            (headers.DLQ_ERROR, str(error)[:MAX_ERROR_TEXT].encode()),
            (headers.DLQ_ERROR_TYPE, type(error).__name__.encode()),
            (headers.DLQ_TOPIC, record.topic.encode()),
            (headers.DLQ_PARTITION, str(record.partition).encode()),
            (headers.DLQ_OFFSET, str(record.offset).encode()),
            (headers.DLQ_CONSUMER_GROUP, self.spec.group_id.encode()),
            (headers.DLQ_ATTEMPTS, str(attempts).encode()),
        ]
        dlq = topics.dlq(record.topic)

        def send() -> None:
            assert self._producer is not None
            future = self._producer.send(
                dlq, key=record.key, value=record.value, headers=[*(record.headers or []), *extra]
            )
            future.get(timeout=30)

        self._wait_for(send)
        log.warning(
            "%s: sent %s:%d@%d to %s: %s",
            self.spec.name,
            record.topic,
            record.partition,
            record.offset,
            dlq,
            error,
            extra={"fields": {"dlq": dlq, "error_type": type(error).__name__}},
        )

    def _wait_for(self, action: Callable[[], None]) -> None:
        """Run `action` until it gets through an outage (or the run is stopped)."""
        delay = 0.2
        while True:
            try:
                action()
                self.progress.done_waiting()
                return
            except OUTAGE_ERRORS as error:
                log.warning("%s: waiting for infrastructure: %r", self.spec.name, error)
                self.progress.wait_for(f"infrastructure: {error!r}")
                self._pause(delay)
                # At least once a second, so infrastructure back is used at once.
                delay = min(delay * 2, 1.0)

    def _pause(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise Stopping()
