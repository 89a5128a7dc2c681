"""The insights Faust app: its settings, its table class, and what the agents share.

Faust rules this app follows: one agent per stream with concurrency 1; tables keyed from the
Kafka key (every table key starts with the community id, and lands on that community's
partition); `at_least_once` with the dedupe inside the table values; a short fetch wait for
freshness; no web server; a data directory per worker; the recovery handover fixes of
`insights.recovery_handover`. Features register their agents and
tables by being imported (autodiscover).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import faust
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread, Transport

from insights.domain.ledger import community_of
from insights.domain.snapshot_schedule import SnapshotSchedule
from insights.engagement.view_writer import ViewWriter
from insights.partitions import partition_of
from insights.ports import ServingView
from insights.recovery_handover import HandoverConsumer, HandoverSafeApp
from insights.settings import WorkerSettings

# aiokafka holds one batch per partition in flight and makes every further send to that
# partition wait until it is acknowledged; with the 16 KB default a batch's changelog
# records (whole table values, several KB each) took a broker round trip per few records.
PRODUCER_BATCH_BYTES = 512 * 1024

# Faust hard-codes aiokafka's fetch wait at 1500 ms: a quiet partition would hold every
# fetch that long. 20 ms keeps the time from publish to figures short.
FETCH_MAX_WAIT_MS = 20


class CommunityTable(faust.Table):
    """A table whose keys start with a community id (see `insights.domain.ledger.Target`).

    Faust would send a changelog record to the partition of the event being processed; a
    batch holds events of several partitions, so the partition is taken from the key's
    community instead: the partition its events come from, whose owner restores it."""

    def partition_for_key(self, key: Any) -> int:
        # Unset, a table's changelog gets the app's default partition count (faust.Topic).
        partitions = self.partitions or self.app.conf.topic_partitions
        return partition_of(community_of(key), partitions)


class _FreshConsumerThread(AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class _FreshConsumer(HandoverConsumer):
    def _new_consumer_thread(self) -> AIOKafkaConsumerThread:
        return _FreshConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _commit_offsets(self, offsets: Mapping[Any, int], *args: Any, **kwargs: Any) -> bool:
        # The agent saves the serving view behind its counting (ViewWriter). `offsets` were
        # taken from events already acknowledged, i.e. already handed to the writer: once it
        # has saved everything handed over so far, they are safe to commit.
        if runtime.fenced:
            # A rebuild owns the offsets now (insights.rebuild_fence).
            return False
        if runtime.writer is not None:
            await runtime.writer.saved()
        committed: bool = await super()._commit_offsets(offsets, *args, **kwargs)
        return committed


class _FreshTransport(Transport):
    Consumer = _FreshConsumer


class InsightsApp(HandoverSafeApp):
    # HandoverSafeApp: a restarted worker must not drop the records it fetched while it
    # handed over from table recovery to stream processing (insights/recovery_handover.py).
    def _new_transport(self) -> Any:
        return _FreshTransport(self.conf.broker_consumer, self)


@dataclass
class Runtime:
    """What the agents need beyond their tables: the serving view and its writer (attached
    when the worker starts, or by a test), which spaces' snapshots are due, and whether a
    rebuild has fenced this worker."""

    snapshots: SnapshotSchedule
    view: ServingView | None = None
    writer: ViewWriter | None = None
    # A rebuild runs: count, save and commit nothing more (insights.rebuild_fence).
    fenced: bool = False

    def attach(self, view: ServingView) -> None:
        self.view = view
        self.writer = ViewWriter(view)

    def fence(self) -> None:
        self.fenced = True
        if self.writer is not None:
            self.writer.fence()


def create_app(settings: WorkerSettings) -> InsightsApp:
    return InsightsApp(
        settings.app_id,
        broker=f"kafka://{settings.kafka_bootstrap_servers}",
        store="memory://",
        Table=CommunityTable,
        topic_partitions=settings.topic_partitions,
        processing_guarantee="at_least_once",
        # A restarted worker is given its partitions back within a few seconds.
        broker_session_timeout=6,
        broker_heartbeat_interval=1,
        consumer_auto_offset_reset="earliest",
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        stream_wait_empty=False,
        web_enabled=False,
        datadir=settings.data_dir,
        autodiscover=["insights.engagement", "insights.snapshots"],
        origin="insights",
    )


settings = WorkerSettings.from_env()
app = create_app(settings)
runtime = Runtime(SnapshotSchedule(settings.snapshot_interval_s))
