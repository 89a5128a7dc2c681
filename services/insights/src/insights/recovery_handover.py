"""A Faust app that does not lose input records when a worker hands over from table recovery
to stream processing (faust-streaming 0.15.3, aiokafka 0.14).

After a rebalance Faust pauses the input partitions, reads the changelogs, then resumes the
input partitions and seeks them to their committed offsets while the fetcher keeps running.
Two steps of that handover dropped records that aiokafka had already handed over, so their
partition stalled until the next rebalance (found by the broker smoke test
`test_faust_table_survives_sigkill_with_exact_counts`; see services/insights/README.md):

1. Faust passes its live set of active partitions to the consumer thread, and aiokafka's
   `fetched_records(partitions)` returns every partition when that set is empty. When
   recovery ended it paused the changelogs and emptied the set during a fetch: aiokafka then
   drained the input partitions, still paused in Faust, and Faust's `getmany` skipped those
   records without seeking back. With no committed offset yet (a worker killed before its
   first commit) the seek to committed offsets does nothing either, so nothing fetched them
   again.
2. `FlowControlEvent.resume()` clears every stream queue, also when the flow is already
   running. Recovery resumes it once more after the input partitions were resumed and
   records were queued: those records were dropped, and the consumer had already moved its
   read offset past them (faust-streaming issue #596, open).

The fixes: the consumer thread gets a frozen copy of the active partitions, and the queues
are cleared only when the flow really goes from suspended to running, i.e. before the input
partitions are resumed, as Faust intends. Both keep at-least-once delivery; the agents'
dedupe takes care of redeliveries as before.
"""

from __future__ import annotations

import logging
from typing import Any

import faust
from faust.transport.drivers.aiokafka import Consumer, Transport
from faust.types import TP
from mode.utils.objects import cached_property
from mode.utils.queues import FlowControlEvent

logger = logging.getLogger(__name__)


class HandoverFlowControl(FlowControlEvent):
    """Clears the stream queues when the flow resumes after a suspension, not on every
    `resume()`: a resume of a running flow would drop records already queued."""

    def resume(self) -> None:
        if not self.is_active():
            super().resume()
            return
        queued = sum(queue.qsize() for queue in self._queues)
        if queued:
            logger.info("flow already running: kept %d queued events", queued)


class HandoverConsumer(Consumer):
    """Fetches only the partitions active when the fetch starts."""

    async def _getmany(
        self, active_partitions: set[TP] | None, timeout: float  # noqa: ASYNC109 (Faust's)
    ) -> Any:
        # The fetch runs in the consumer thread while this thread pauses and resumes
        # partitions; an empty set would mean "all partitions" to aiokafka.
        if active_partitions is not None:
            active_partitions = frozenset(active_partitions)  # type: ignore[assignment]
            if not active_partitions:
                return {}
        return await super()._getmany(active_partitions, timeout)


class HandoverTransport(Transport):
    Consumer = HandoverConsumer


class HandoverSafeApp(faust.App):
    """`faust.App` with the two handover fixes above."""

    @cached_property
    def flow_control(self) -> FlowControlEvent:
        return HandoverFlowControl(loop=self.loop)

    def _new_transport(self) -> Any:
        return HandoverTransport(self.conf.broker_consumer, self)
