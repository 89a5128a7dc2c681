"""The idempotent event consumer: a thread that hands each event to a projector or policy.

At-least-once delivery: offsets are committed only after the handler has finished with a
record, so a crash or rebalance re-delivers, and handlers deduplicate by keeping the applied
ce_sequence beside the state it guards (`SequenceGuard`). Three kinds of trouble, three
answers:

- a record that can never be handled (not a CloudEvent of ours, undecodable payload, or a
  handler that keeps failing on it, MAX_HANDLER_ATTEMPTS times) goes to `<topic>.dlq` with the
  error in its headers, and the consumer moves on;
- MongoDB or Kafka being unreachable is not the record's fault: the consumer blocks and
  retries with backoff, never dead-lettering for an outage;
- event types the consumer does not handle are skipped without being decoded.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from community_contracts import headers, topics
from google.protobuf.message import Message
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError
from kafka.structs import OffsetAndMetadata

from community_common.envelope import EventEnvelope, MalformedEvent
from community_common.kafka_clients import KAFKA_OUTAGE_ERRORS, ensure_topics, event_producer
from community_common.mongo import MONGO_OUTAGE_ERRORS

log = logging.getLogger("community_common.consumer")

# A handler that fails this many times on the same record is failing deterministically.
MAX_HANDLER_ATTEMPTS = 3
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (*MONGO_OUTAGE_ERRORS, *KAFKA_OUTAGE_ERRORS)
# Kafka header values are bytes; keep the error short enough to read in a DLQ browser.
MAX_ERROR_TEXT = 2000

EventHandler = Callable[[EventEnvelope, Message], None]


class _Stopping(Exception):
    """Raised inside the loop to abandon a record when the worker is asked to stop."""


class EventConsumer:
    """A background worker consuming `topics` as consumer group `group_id`.

    `handler(event, message)` is called once per record (more after a crash: deduplicate),
    in partition order, from this worker's own thread. `handles` limits it to those ce_types.
    `checkpoint(event)`, if given, runs after every well-formed event, handled or not (e.g.
    `ConsistencyCheckpoints.record`, so consistency tokens advance past skipped types too).
    """

    def __init__(
        self,
        bootstrap_servers: str,
        group_id: str,
        topics: Sequence[str],
        handler: EventHandler,
        *,
        handles: Collection[str] | None = None,
        checkpoint: Callable[[EventEnvelope], None] | None = None,
        max_attempts: int = MAX_HANDLER_ATTEMPTS,
        dlq_partitions: int = 6,
        consumer_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = f"consumer:{group_id}"
        self.bootstrap_servers = bootstrap_servers
        self.group_id = group_id
        self.topics = list(topics)
        self.handler = handler
        self.handles = frozenset(handles) if handles is not None else None
        self.checkpoint = checkpoint
        self.max_attempts = max_attempts
        self.dlq_partitions = dlq_partitions
        self.consumer_options = dict(consumer_options or {})
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumer: KafkaConsumer | None = None
        self._producer: KafkaProducer | None = None
        self._done: dict[TopicPartition, int] = {}

    # --- worker lifecycle ----------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._wait_for(self._prepare)
            while not self._stop.is_set():
                self._consume_once()
        except _Stopping:
            pass
        except Exception:
            log.exception("%s stopped by an unexpected error", self.name)
            raise
        finally:
            self._close()

    def _prepare(self) -> None:
        ensure_topics(
            self.bootstrap_servers, [topics.dlq(t) for t in self.topics], self.dlq_partitions
        )
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "group_id": self.group_id,
            "client_id": self.name,
            # A new projection starts from the first event ever published.
            "auto_offset_reset": "earliest",
            "enable_auto_commit": False,
            # The broker answers a fetch as soon as one record is there (fetch_min_bytes=1), so
            # this wait only bounds how often an idle consumer asks: 20 ms cost each idle
            # consumer ~15% of a core (and the broker as much again) for no fresher delivery
            # (measured p50 publish-to-poll 22 ms at 20 ms, 18 ms at 200 ms).
            "fetch_max_wait_ms": 200,
            "max_poll_records": 200,
        }
        options.update(self.consumer_options)
        self._consumer = KafkaConsumer(*self.topics, **options)
        self._producer = event_producer(self.bootstrap_servers, client_id=f"{self.name}-dlq")

    def _close(self) -> None:
        if self._consumer is not None:
            try:
                self._commit()
            except Exception:
                log.warning("%s: final offset commit failed", self.name, exc_info=True)
            self._consumer.close(autocommit=False)
        if self._producer is not None:
            self._producer.close(timeout=5)

    # --- the loop ------------------------------------------------------------------------

    def _consume_once(self) -> None:
        assert self._consumer is not None
        try:
            batches = self._consumer.poll(timeout_ms=100)
        except KAFKA_OUTAGE_ERRORS as error:
            log.warning("%s: poll failed, retrying: %r", self.name, error)
            self._stop.wait(1.0)
            return
        for partition, records in batches.items():
            for record in records:
                if self._stop.is_set():
                    return
                self._process(record)
                self._done[partition] = record.offset + 1
        self._commit()

    def _commit(self) -> None:
        if not self._done or self._consumer is None:
            return
        offsets = {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in self._done.items()}
        try:
            self._consumer.commit(offsets)
            self._done.clear()
        except CommitFailedError:
            # The group rebalanced while we worked; the new owner re-delivers, handlers dedupe.
            log.info("%s: offsets not committed after a rebalance", self.name)
            self._done.clear()
        except KAFKA_OUTAGE_ERRORS as error:
            log.warning("%s: offset commit failed, will retry: %r", self.name, error)

    def _process(self, record: ConsumerRecord) -> None:
        try:
            event = EventEnvelope.from_kafka_record(record.key, record.value, record.headers)
        except MalformedEvent as error:
            self._dead_letter(record, error, attempts=0)
            return
        if self.handles is None or event.type in self.handles:
            self._handle(record, event)
        if self.checkpoint is not None:
            checkpoint = self.checkpoint
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
                self.handler(event, message)
                return
            except OUTAGE_ERRORS as error:
                # Not the record's fault: wait for the infrastructure, however long it takes.
                log.warning("%s: outage while handling %s: %r", self.name, event.id, error)
                self._pause(1.0)
            except Exception as error:
                attempts += 1
                if attempts >= self.max_attempts:
                    log.exception("%s: giving up on %s %s", self.name, event.type, event.id)
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
            (headers.DLQ_CONSUMER_GROUP, self.group_id.encode()),
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
            self.name,
            record.topic,
            record.partition,
            record.offset,
            dlq,
            error,
            extra={"fields": {"dlq": dlq, "error_type": type(error).__name__}},
        )

    def _wait_for(self, action: Callable[[], None]) -> None:
        """Run `action` until it gets through an outage (or the worker is stopped)."""
        delay = 0.2
        while True:
            try:
                action()
                return
            except OUTAGE_ERRORS as error:
                log.warning("%s: waiting for infrastructure: %r", self.name, error)
                self._pause(delay)
                delay = min(delay * 2, 5.0)

    def _pause(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise _Stopping()
