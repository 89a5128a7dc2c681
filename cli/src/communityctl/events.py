"""`communityctl events tail`: the event topics as JSON lines — every CloudEvents attribute
from the headers, and the protobuf payload decoded by its `ce_type`."""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any, TextIO

from community_common.envelope import EventEnvelope, MalformedEvent
from google.protobuf import json_format
from kafka import KafkaConsumer


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
) -> int:
    """Prints matching events until `limit` are printed or nothing arrives for `idle_timeout_s`
    (forever when both are None); returns how many were printed."""
    printed = 0
    for line in _lines(bootstrap, topics, from_beginning, types, idle_timeout_s):
        print(line, file=out, flush=True)
        printed += 1
        if limit is not None and printed >= limit:
            break
    return printed


def _lines(bootstrap: str, topics: list[str], from_beginning: bool, types: set[str],
           idle_timeout_s: float | None) -> Iterator[str]:
    # A throwaway group: tailing never moves anybody's committed offsets.
    consumer = KafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=f"communityctl-tail-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
        fetch_max_wait_ms=100,
    )
    last_seen = time.monotonic()
    try:
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
