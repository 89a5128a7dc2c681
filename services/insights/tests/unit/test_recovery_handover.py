"""The recovery handover fixes (insights.recovery_handover): a fetch sees only the partitions
active when it started, and resuming a running flow keeps the queued events."""

import asyncio

from faust.types import TP
from insights.recovery_handover import HandoverConsumer, HandoverFlowControl
from mode.utils.queues import FlowControlQueue

IN0, IN1 = TP("in", 0), TP("in", 1)
CHANGELOG = TP("t-changelog", 0)


class _Thread:
    """Stands in for the consumer thread: holds the fetch open while the test changes the
    consumer's active partitions, as recovery does."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.seen: list[set[TP]] = []

    async def getmany(self, active_partitions, _timeout):
        self.entered.set()
        await self.release.wait()
        self.seen.append(set(active_partitions))
        return {}


def _consumer(thread: _Thread) -> HandoverConsumer:
    consumer = object.__new__(HandoverConsumer)
    consumer._thread = thread
    return consumer


async def test_a_fetch_keeps_the_partitions_it_started_with():
    thread = _Thread()
    active = {CHANGELOG}
    fetch = asyncio.ensure_future(_consumer(thread)._getmany(active, 1.0))
    await asyncio.wait_for(thread.entered.wait(), 5)
    # Recovery ends: the changelog is paused (the set empties, which aiokafka would take
    # for "all partitions"), then the input partitions are resumed.
    active.clear()
    active.update({IN0, IN1})
    thread.release.set()
    assert await fetch == {}
    assert thread.seen == [{CHANGELOG}]


async def test_no_fetch_without_active_partitions():
    thread = _Thread()
    thread.release.set()
    assert await _consumer(thread)._getmany(set(), 1.0) == {}
    assert thread.seen == []


async def test_resuming_a_running_flow_keeps_the_queued_events():
    flow = HandoverFlowControl(loop=asyncio.get_running_loop())
    queue = FlowControlQueue(flow_control=flow, clear_on_resume=True)
    flow.resume()
    queue.put_nowait("fetched after the input partitions were resumed")
    flow.resume()
    assert queue.qsize() == 1


async def test_resuming_a_suspended_flow_clears_the_queues():
    flow = HandoverFlowControl(loop=asyncio.get_running_loop())
    queue = FlowControlQueue(flow_control=flow, clear_on_resume=True)
    flow.resume()
    queue.put_nowait("fetched before the rebalance")
    flow.suspend()
    flow.resume()
    assert queue.qsize() == 0
    assert flow.is_active()
