"""The insights Faust app: its settings, its table class, and what the agents share.

Faust rules this app follows: one agent per stream with concurrency 1; tables keyed from the
Kafka key (every table key starts with the community id, and lands on that community's
partition); `at_least_once` with the dedupe inside the table values; a short fetch wait for
freshness; no web server; a data directory per worker; the recovery handover fixes of
`insights.recovery_handover`; the drain loop of `insights.drain` (no tasks per record, no
commit inside it) and buffers that never pause the fetch (below); named group members and
short timeouts (`insights.worker_group`). Features register their agents and tables by
being imported (autodiscover).

Several workers share the partitions (same app id). When a rebalance takes partitions away
from a worker, it hands them over clean before it rejoins (`_FreshConsumer`): it counts
nothing more of the partitions it lost (`Runtime.owned`, checked by the agent), waits until
the view writer has saved everything counted so far, and commits only offsets of partitions
it still owns. The next owner gets the partitions only once
every member has rejoined, so its first save comes after the last one of the old owner.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import faust
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread, Transport
from faust.types import TP

from insights.domain.ledger import community_of
from insights.domain.snapshot_schedule import SnapshotSchedule
from insights.drain import DirectDrainConsumer
from insights.engagement.view_writer import ViewWriter
from insights.partitions import partition_of
from insights.ports import ServingView
from insights.recovery_handover import HandoverSafeApp
from insights.settings import WorkerSettings
from insights.worker_group import (
    HANDOVER_TIMEOUT_S,
    HEARTBEAT_INTERVAL_S,
    REBALANCE_TIMEOUT_S,
    SESSION_TIMEOUT_S,
    instance_id,
    leave,
)

log = logging.getLogger("insights.app")

# The agent's batches: they close at this many events, or this long after the previous batch
# (Faust's take_events timer). Each batch costs a changelog record per changed key and a
# copy of each value it changes, so a replay wants large batches (it gets what arrives in the
# window, 2,000 events at 20,000/s); the window is most of a steady stream's freshness (an
# event waits for it to close), 100 ms of the 200 ms p99 asked at 1,000 events/s.
BATCH_MAX = 5000
BATCH_WITHIN_S = 0.1

# Records queued for the agent. Below a batch, the queue filled before a batch closed:
# Faust paused the partitions, and with all of them paused its fetcher slept 1 s.
STREAM_BUFFER = 4 * BATCH_MAX

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

    async def on_thread_stop(self) -> None:
        # The consumer stops here, after the last commit; then a named member leaves, so its
        # partitions move before the rest of the worker has stopped (insights.worker_group).
        await super().on_thread_stop()
        instance = self.app.conf.consumer_group_instance_id
        if instance:
            await asyncio.to_thread(leave, settings.kafka_bootstrap_servers, self.app.conf.id,
                                    instance)


class _FreshConsumer(DirectDrainConsumer):
    def _new_consumer_thread(self) -> AIOKafkaConsumerThread:
        return _FreshConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        # With stream_wait_empty=False a batch taken before the revoke is still counted after
        # it: from here on the agent drops it, or its values would overwrite newer ones of
        # the partitions' next owner, in the tables' changelogs and in the view.
        runtime.owned -= revoked
        await super().on_partitions_revoked(revoked)
        await _hand_over()

    async def seek_to_committed(self) -> Mapping[TP, int]:
        # After an assignment Faust seeks each partition to its committed offset, but aiokafka
        # leaves one without a committed offset (none yet, or 0) wherever its fetcher was.
        # A partition given straight back to this worker was then read on past the events
        # the agent dropped while it was revoked (`_ours`): make chaos found 13 and 8 joins
        # never counted, from rebalances in a group's first seconds. Such a partition of the
        # event topics is read again from its beginning, where the group starts anyway; what
        # was counted already the tables' marks drop.
        committed: Mapping[TP, int] = await super().seek_to_committed()
        unread = [tp for tp, offset in committed.items()
                  if not offset and tp.topic in settings.source_topics]
        if unread:
            consumer = self._thread._ensure_consumer()
            await self._thread.call_thread(consumer.seek_to_beginning, *unread)
        return committed

    async def on_partitions_assigned(self, assigned: set[TP], generation_id: int = 0) -> None:
        runtime.owned = frozenset(assigned)
        await super().on_partitions_assigned(assigned, generation_id)

    async def _commit_offsets(self, offsets: Mapping[Any, int], *args: Any, **kwargs: Any) -> bool:
        # The agent saves the serving view behind its counting (ViewWriter). `offsets` were
        # taken from events already acknowledged, i.e. already handed to the writer: once it
        # has saved everything handed over so far, they are safe to commit.
        if runtime.fenced:
            # A rebuild owns the offsets now (insights.rebuild_fence).
            return False
        if runtime.writer is not None:
            await runtime.writer.saved()
        # A rebalance while the writer saved may have given a partition to another worker,
        # which commits its offsets from now on.
        offsets = {tp: offset for tp, offset in offsets.items() if tp in runtime.owned}
        if not offsets:
            return False
        committed: bool = await super()._commit_offsets(offsets, *args, **kwargs)
        return committed


async def _hand_over() -> None:
    """Before this worker rejoins the group: everything it counted is saved to the view (its
    changelog records were flushed by Faust already). If the view cannot take it within the
    rebalance's bound, the group would go on without this worker while its saves still
    landed: it saves and commits nothing more and starts over (as after a rebuild's fence),
    so the partitions' next owner counts those events again from the committed offsets."""
    if runtime.writer is None:
        return
    try:
        await asyncio.wait_for(runtime.writer.saved(), HANDOVER_TIMEOUT_S)
    except TimeoutError:
        log.error("the serving view did not take the revoked partitions' values within "
                  "%.0f s: starting over", HANDOVER_TIMEOUT_S)
        runtime.fence()
        os.kill(os.getpid(), signal.SIGTERM)


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
    # A rebuild runs, or a handover ran out of time: count, save and commit nothing more,
    # then start over (insights.rebuild_fence, `_hand_over`).
    fenced: bool = False
    # The partitions this worker counts: those of its current assignment, less any revoked
    # since (events fetched from others are dropped, their offsets never committed).
    owned: frozenset[TP] = frozenset()

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
        broker_session_timeout=SESSION_TIMEOUT_S,
        broker_heartbeat_interval=HEARTBEAT_INTERVAL_S,
        broker_rebalance_timeout=REBALANCE_TIMEOUT_S,
        consumer_group_instance_id=instance_id(settings.replica_id),
        # Why this many: insights.settings.WorkerSettings.standby_replicas.
        table_standby_replicas=settings.standby_replicas,
        consumer_auto_offset_reset="earliest",
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        stream_buffer_maxsize=STREAM_BUFFER,
        stream_wait_empty=False,
        web_enabled=False,
        datadir=settings.data_dir,
        autodiscover=["insights.engagement", "insights.snapshots"],
        origin="insights",
    )


settings = WorkerSettings.from_env()
app = create_app(settings)
runtime = Runtime(SnapshotSchedule(settings.snapshot_interval_s))
