"""`communityctl events tail`: the event topics as JSON lines — every CloudEvents attribute
from the headers, and the protobuf payload decoded by its `ce_type`."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from typing import Any, TextIO

from community_common.envelope import EventEnvelope, MalformedEvent
from google.protobuf import json_format
from kafka import KafkaConsumer, TopicPartition


def event_json(envelope: EventEnvelope) -> dict[str, Any]:
    return {
        "id": envelope.id,
        "type": envelope.type,
        "source": envelope.source,
        "time": envelope.time,
        "subject": envelope.subject,
        "key": envelope.key,
        "communityid": envelope.community_id,
        "sequence": envelope.sequence,
        "actorid": envelope.actor_id,
        "data": json_format.MessageToDict(envelope.message(), preserving_proto_field_name=True),
    }


def tail(
    bootstrap: str,
    topics: list[str],
    from_beginning: bool,
    types: set[str],
    limit: int | None = None,
    idle_timeout_s: float | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Prints matching events until `limit` are printed or nothing arrives for `idle_timeout_s`
    (forever when both are None); returns how many were printed. Says on `err` once it is
    reading: without --from-beginning, every event published after that line is printed."""
    printed = 0
    for line in _lines(bootstrap, topics, from_beginning, types, idle_timeout_s, err):
        print(line, file=out, flush=True)
        printed += 1
        if limit is not None and printed >= limit:
            break
    return printed


def _lines(bootstrap: str, topics: list[str], from_beginning: bool, types: set[str],
           idle_timeout_s: float | None, err: TextIO) -> Iterator[str]:
    # No consumer group: tailing commits nothing and waits for no group to form, and "the
    # end" is fixed before it says it is reading (a group's "latest" was only resolved once
    # the group had formed, so the first seconds' events went unseen).
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=100
    )
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        (consumer.seek_to_beginning if from_beginning else consumer.seek_to_end)(*partitions)
        for partition in partitions:
            consumer.position(partition)
        start = "the beginning" if from_beginning else "now"
        print(f"reading {', '.join(topics)} from {start}", file=err, flush=True)
        last_seen = time.monotonic()
        while idle_timeout_s is None or time.monotonic() - last_seen < idle_timeout_s:
            for records in consumer.poll(timeout_ms=200).values():
                for record in records:
                    last_seen = time.monotonic()
                    line = _line(record, types)
                    if line is not None:
                        yield line
    finally:
        consumer.close()


def _line(record: Any, types: set[str]) -> str | None:
    try:
        envelope = EventEnvelope.from_kafka_record(record.key, record.value, record.headers)
        if types and envelope.type not in types and envelope.type.rsplit(".", 1)[-1] not in types:
            return None
        return json.dumps({"topic": record.topic, **event_json(envelope)})
    except MalformedEvent as error:
        return json.dumps({"topic": record.topic, "offset": record.offset, "error": str(error)})
