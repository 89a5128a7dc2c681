"""The one agent: reads the three event topics in batches, applies each batch to the tables
exactly once (`insights.domain.ledger`), writes every changed value once per batch, and hands
those values to the serving view's writer (`ViewWriter`), which saves them while the next
batches are counted; the batch's offsets are committed only once they are saved.

A record that can never be read goes to `<topic>.dlq` with the error in its headers; a
MongoDB outage blocks the writer (and so the commits), which retries until the view has it.
Events of partitions revoked since they were fetched are not counted (`_ours`): their next
owner counts them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping

from community_common.envelope import MalformedEvent
from community_contracts import headers, topics
from faust.types import EventT, StreamT
from mode import CrashingSupervisor

from insights.app import BATCH_MAX, BATCH_WITHIN_S, app, runtime, settings
from insights.codecs import observe
from insights.domain.ledger import Observed, apply_batch
from insights.domain.snapshot_schedule import spaces_changed
from insights.engagement.tables import TABLES

log = logging.getLogger("insights.engagement")


def _raw_topic(name: str):  # type: ignore[no-untyped-def]
    return app.topic(
        name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )


events_topic = app.topic(
    *settings.source_topics,
    key_type=bytes,
    value_type=bytes,
    key_serializer="raw",
    value_serializer="raw",
)
dead_letters = {name: _raw_topic(topics.dlq(name)) for name in settings.source_topics}


async def _to_dead_letters(event: EventT, error: Exception) -> None:
    message = event.message
    original = event.headers.items() if isinstance(event.headers, Mapping) else event.headers
    extra = {
        headers.DLQ_ERROR: str(error),
        headers.DLQ_ERROR_TYPE: type(error).__name__,
        headers.DLQ_TOPIC: message.topic,
        headers.DLQ_PARTITION: str(message.partition),
        headers.DLQ_OFFSET: str(message.offset),
        headers.DLQ_CONSUMER_GROUP: app.conf.id,
        headers.DLQ_ATTEMPTS: "1",
    }
    log.warning("dead-lettered %s", error, extra={"fields": {"topic": message.topic,
                                                             "offset": message.offset}})
    await dead_letters[message.topic].send(
        key=event.key,
        value=event.value,
        headers=[*original, *((k, v.encode()) for k, v in extra.items())],
    )


def _ours(event: EventT) -> bool:
    """Whether this worker may still count `event`: it owns the event's partition now. A
    revoke takes the partition out of `runtime.owned` until an assignment gives it back; an
    event that comes in between is dropped and marked acknowledged without Faust's offset
    bookkeeping, which would otherwise commit past it. The partition's next owner, perhaps
    this worker again, counts it from the committed offset, or from the partition's beginning
    when nothing was committed yet (`insights.app._FreshConsumer.seek_to_committed`). An
    event of a partition that came back to this worker is counted: the consumer does not
    fetch it again (chaos found 21 joins lost when a second worker joined the group while the
    first had a batch in hand), and one it does fetch again is a duplicate the tables' marks
    drop."""
    message = event.message
    if message.tp in runtime.owned:
        return True
    message.acked = True
    return False


# An unexpected error stops the worker (to be restarted and resume from its last commit)
# rather than leaving a live process whose agent no longer counts.
@app.agent(events_topic, concurrency=1, supervisor_strategy=CrashingSupervisor)
async def count_engagement(stream: StreamT) -> AsyncIterator[int]:
    assert runtime.writer is not None, "the worker attaches the serving view before it starts"
    # faust's StreamT declares `take` but not `take_events`, which its Stream has.
    async for batch in stream.take_events(BATCH_MAX, BATCH_WITHIN_S):  # type: ignore[attr-defined]
        if runtime.fenced:
            # A rebuild owns the state now; the offsets stay uncommitted, so nothing is lost.
            continue
        observed: list[tuple[EventT, Observed]] = []
        for event in [event for event in batch if _ours(event)]:
            try:
                seen = observe(event.key, event.value, event.headers)
            except MalformedEvent as error:
                await _to_dead_letters(event, error)
                continue
            if seen is not None:
                observed.append((event, seen))
        # Checked again after the dead letters' awaits, and no await from here until the
        # values are handed to the writer: a revoke cannot come in between.
        counted = [seen for event, seen in observed if _ours(event)]
        changed = apply_batch(counted, lambda target: TABLES[target.table].get(target.key))
        for target, value in changed.items():
            TABLES[target.table][target.key] = value
        runtime.writer.add(changed)
        runtime.snapshots.changed(spaces_changed(counted))
        yield len(batch)
