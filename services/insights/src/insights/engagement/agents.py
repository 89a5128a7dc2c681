"""The one agent: reads the three event topics in batches, applies each batch to the tables
exactly once (`insights.domain.ledger`), writes every changed value once per batch, then
materialises those values into the serving view before the batch's offsets are committed.

A record that can never be read goes to `<topic>.dlq` with the error in its headers; a
MongoDB outage blocks the agent, which retries until the view has the batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping

from community_common.envelope import MalformedEvent
from community_common.mongo import MONGO_OUTAGE_ERRORS
from community_contracts import headers, topics
from faust.types import EventT, StreamT
from mode import CrashingSupervisor

from insights.app import app, runtime, settings
from insights.codecs import observe
from insights.domain.ledger import Observed, Target, Value, apply_batch
from insights.domain.snapshot_schedule import spaces_changed
from insights.engagement.tables import TABLES

log = logging.getLogger("insights.engagement")

# A batch closes at this many events, or this long after its first one.
BATCH_MAX = 1000
BATCH_WITHIN_S = 0.02
RETRY_BACKOFF_S = (0.1, 0.5, 1.0, 2.0)


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


async def _save(changed: Mapping[Target, Value]) -> None:
    """An outage blocks and retries: the batch is not acknowledged until the view has it."""
    assert runtime.view is not None, "the worker sets runtime.view before it starts"
    attempt = 0
    while True:
        try:
            await runtime.view.save(changed)
            return
        except MONGO_OUTAGE_ERRORS as error:
            log.warning("serving view unavailable, retrying: %r", error)
            await asyncio.sleep(RETRY_BACKOFF_S[min(attempt, len(RETRY_BACKOFF_S) - 1)])
            attempt += 1


# An unexpected error stops the worker (to be restarted and resume from its last commit)
# rather than leaving a live process whose agent no longer counts.
@app.agent(events_topic, concurrency=1, supervisor_strategy=CrashingSupervisor)
async def count_engagement(stream: StreamT) -> AsyncIterator[int]:
    async for batch in stream.take_events(BATCH_MAX, BATCH_WITHIN_S):
        observed: list[Observed] = []
        for event in batch:
            try:
                seen = observe(event.key, event.value, event.headers)
            except MalformedEvent as error:
                await _to_dead_letters(event, error)
                continue
            if seen is not None:
                observed.append(seen)
        changed = apply_batch(observed, lambda target: TABLES[target.table].get(target.key))
        for target, value in changed.items():
            TABLES[target.table][target.key] = value
        await _save(changed)
        runtime.snapshots.changed(spaces_changed(observed))
        yield len(batch)
