"""The consumer's drain loop without four tasks per record (faust-streaming 0.15.3).

Faust hands every fetched record to the streams with
`wait_first(callback(message), suspend_flow.wait())`: a task for the callback, one for the
flow's event and two for the service's stop and crash events, so that a rebalance
(`stop_flow`) cancels a callback blocked on a full stream queue and the drain loop can go
back to its fetch (faust-streaming PR #223). That costs more than the rest of Faust's path
per record. A callback can only block on the flow control, the producer's buffer, the
conductor's lock or a full queue; when none of those can make it wait (the common case),
it runs straight to its end and is awaited directly, with nothing a rebalance would have to
cancel. Otherwise, and for changelog records (recovery and standbys), the loop goes through
`wait_first` as Faust does.

The loop also never commits: Faust's `broker_commit_every` would commit from inside it, and
this worker's commit waits for the serving view (insights.app), which would hold up every
partition's records meanwhile. Offsets are committed by Faust's interval timer
(`broker_commit_interval`), on a rebalance and at stop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from faust.transport.consumer import CONSUMER_FETCHING
from faust.types import TP

from insights.recovery_handover import HandoverConsumer


class DirectDrainConsumer(HandoverConsumer):
    def _never_waits(self, tp: TP) -> bool:
        """Whether the conductor's callback for a record of `tp` runs to its end without
        waiting (see `faust.transport.conductor.TopicConductor.on_message`)."""
        app = self.app
        conductor: Any = app.topics
        if (not self.flow_active or self.suspend_flow.is_set()
                or not app.flow_control.is_active()
                or app.producer.buffer.size > app.producer.buffer.max_messages
                or conductor._tp_to_callback_lock.locked()):
            return False
        return not any(channel.queue.full() for channel in conductor._tp_index.get(tp, ()))

    async def _drain_messages(self, fetcher: Any) -> None:  # pragma: no cover (Faust's)
        # Faust's loop (faust/transport/consumer.py) with the direct call, less the commit
        # and the debug log of a record below the read offset (skipped, as there).
        callback = self.callback
        getmany = self.getmany
        consumer_should_stop = self._stopped.is_set
        fetcher_should_stop = fetcher._stopped.is_set
        get_read_offset = self._read_offset.__getitem__
        set_read_offset = self._read_offset.__setitem__
        set_flag = self.diag.set_flag
        unset_flag = self.diag.unset_flag
        acks_enabled_for = self.app.topics.acks_enabled_for
        is_changelog = self._is_changelog_tp
        never_waits = self._never_waits
        yield_every = 100
        num_since_yield = 0
        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                set_flag(CONSUMER_FETCHING)
                ait = getmany(timeout=1.0)
                await self.sleep(0)
                if not self.should_stop:
                    async for tp, message in ait:
                        num_since_yield += 1
                        if num_since_yield > yield_every:
                            await asyncio.sleep(0)
                            num_since_yield = 0
                        offset = message.offset
                        r_offset = get_read_offset(tp)
                        if r_offset is not None and offset < r_offset:
                            continue
                        gap = offset - (r_offset or 0)
                        if gap > 1 and r_offset and acks_enabled_for(message.topic):
                            await self._add_gap(tp, r_offset + 1, offset)
                        if not is_changelog(tp) and never_waits(tp):
                            await callback(message)
                        else:
                            await self.wait_first(callback(message), self.suspend_flow.wait())
                        set_read_offset(tp, offset)
                    unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            unset_flag(CONSUMER_FETCHING)
