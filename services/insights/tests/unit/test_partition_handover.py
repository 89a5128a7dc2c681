"""A worker whose partitions a rebalance takes away hands them over clean before it rejoins
the group (`insights.app._FreshConsumer.on_partitions_revoked`): the agent counts nothing
more of them, and everything it counted is in the serving view first; a view that cannot
take it in time fences the worker instead. (The agent dropping a revoked partition's events:
test_engagement_agent; offsets of revoked partitions never committed: test_view_writer.)"""

import asyncio
import os
import signal
from types import SimpleNamespace

from aiokafka import TopicPartition
from faust.transport.drivers.aiokafka import Consumer
from insights.app import _FreshConsumer, runtime, settings
from insights.domain.ledger import Target
from insights.engagement.view_writer import ViewWriter
from insights_memory_view import MemoryServingView

A = Target("rosters", '["a"]')


class GatedView(MemoryServingView):
    """Saves only when the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()  # a save has reached the gate

    async def save(self, changed):
        self.waiting.set()
        await self.gate.wait()
        await super().save(changed)


async def faust_revoke(self, revoked):
    """Faust's own part of a revoke (flushing the changelogs, stopping the streams)."""


async def test_a_revoke_returns_only_once_the_view_has_everything_handed_over(monkeypatch):
    """Faust rejoins the group when `on_partitions_revoked` returns, and the partitions'
    next owner starts counting only then."""
    monkeypatch.setattr(Consumer, "on_partitions_revoked", faust_revoke)
    view = GatedView()
    monkeypatch.setattr(runtime, "writer", ViewWriter(view))
    monkeypatch.setattr(runtime, "owned", frozenset({"kept", "lost"}))
    runtime.writer.add({A: {"v": 1}})
    consumer = object.__new__(_FreshConsumer)
    revoke = asyncio.ensure_future(consumer.on_partitions_revoked({"lost"}))
    await asyncio.wait_for(view.waiting.wait(), 2)  # the writer is saving A
    assert runtime.owned == {"kept"}  # the agent drops what it still holds of "lost"
    assert not revoke.done()
    view.gate.set()
    await asyncio.wait_for(revoke, 2)
    assert view.values == {A: {"v": 1}}


async def test_a_revoke_the_view_cannot_take_in_time_fences_the_worker(monkeypatch):
    """MongoDB down during a rebalance: rather than let its saves land after the next
    owner's, the worker saves and commits nothing more and stops to start over."""
    signals = []
    monkeypatch.setattr(Consumer, "on_partitions_revoked", faust_revoke)
    monkeypatch.setattr("insights.app.HANDOVER_TIMEOUT_S", 0.1)
    monkeypatch.setattr("insights.app.os.kill", lambda pid, sig: signals.append((pid, sig)))
    monkeypatch.setattr(runtime, "writer", ViewWriter(GatedView()))  # never opened
    monkeypatch.setattr(runtime, "owned", frozenset({"lost"}))
    monkeypatch.setattr(runtime, "fenced", False)
    runtime.writer.add({A: {"v": 1}})
    consumer = object.__new__(_FreshConsumer)
    await asyncio.wait_for(consumer.on_partitions_revoked({"lost"}), 2)
    assert runtime.fenced and runtime.writer.fenced
    assert signals == [(os.getpid(), signal.SIGTERM)]


class FakeConsumerThread:
    """What `seek_to_committed` asks of Faust's consumer thread and aiokafka's consumer."""

    def __init__(self, committed):
        self.committed = committed
        self.from_beginning = []

    async def seek_to_committed(self):
        return self.committed

    def _ensure_consumer(self):
        async def seek_to_beginning(*partitions):
            self.from_beginning.extend(partitions)

        return SimpleNamespace(seek_to_beginning=seek_to_beginning)

    async def call_thread(self, fun, *args):
        return await fun(*args)


async def test_a_partition_with_no_committed_offset_is_read_again_from_its_beginning(monkeypatch):
    """make chaos: in a group's first seconds a worker's partition was revoked and given
    straight back before anything was committed; aiokafka seeks only partitions with a
    committed offset, so the fetch went on past the events the agent had dropped while the
    partition was revoked (13 and 8 joins never counted). Event topics' partitions without a
    committed offset start again from the beginning; changelogs are Faust's own business."""
    events = settings.source_topics[0]
    committed = {TopicPartition(events, 0): 42, TopicPartition(events, 3): None,
                 TopicPartition(events, 4): 0, TopicPartition("insights-days-changelog", 3): None}
    consumer = object.__new__(_FreshConsumer)
    consumer._thread = FakeConsumerThread(committed)
    assert await consumer.seek_to_committed() == committed
    assert consumer._thread.from_beginning == [TopicPartition(events, 3),
                                               TopicPartition(events, 4)]
