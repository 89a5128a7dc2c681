"""The worker's stall-free settings (insights.app) and its drain loop's direct call
(insights.drain): a record goes to the streams without Faust's per-record tasks only when
nothing can make the callback wait, so a rebalance never has a blocked callback to cancel."""

import asyncio
from types import SimpleNamespace

from faust.types import TP
from insights.app import BATCH_MAX, app
from insights.drain import DirectDrainConsumer
from mode.utils.queues import FlowControlEvent, FlowControlQueue

IN0 = TP("in", 0)


def test_a_batch_fits_the_stream_buffer():
    # Below a batch, Faust paused the partitions before the batch closed (and slept 1 s
    # once all were paused).
    assert app.conf.stream_buffer_maxsize >= 2 * BATCH_MAX


class _World:
    """The parts of a Faust app the direct call depends on."""

    def __init__(self) -> None:
        self.flow = FlowControlEvent()
        self.flow.resume()
        self.queue = FlowControlQueue(maxsize=2, flow_control=self.flow)
        self.lock = asyncio.Lock()
        self.buffer = SimpleNamespace(size=0, max_messages=100)
        conductor = SimpleNamespace(_tp_to_callback_lock=self.lock,
                                    _tp_index={IN0: [SimpleNamespace(queue=self.queue)]})
        self.consumer = object.__new__(DirectDrainConsumer)
        self.consumer.app = SimpleNamespace(topics=conductor, flow_control=self.flow,
                                            producer=SimpleNamespace(buffer=self.buffer))
        self.consumer.flow_active = True
        self.consumer.suspend_flow = asyncio.Event()


async def test_the_callback_is_called_directly_only_when_nothing_can_make_it_wait():
    world = _World()
    consumer = world.consumer
    assert consumer._never_waits(IN0)
    assert consumer._never_waits(TP("unknown", 0))

    world.queue.put_nowait(1)
    world.queue.put_nowait(2)
    assert not consumer._never_waits(IN0), "a full stream queue"
    world.queue.get_nowait()
    assert consumer._never_waits(IN0)

    world.buffer.size = 101
    assert not consumer._never_waits(IN0), "the producer's buffer past its bound"
    world.buffer.size = 0

    async with world.lock:
        assert not consumer._never_waits(IN0), "the conductor's lock held"

    world.flow.suspend()
    assert not consumer._never_waits(IN0), "the app's flow suspended"
    world.flow.resume()

    consumer.suspend_flow.set()
    consumer.flow_active = False
    assert not consumer._never_waits(IN0), "a rebalance stopped the consumer's flow"
    consumer.suspend_flow.clear()
    consumer.flow_active = True
    assert consumer._never_waits(IN0)
