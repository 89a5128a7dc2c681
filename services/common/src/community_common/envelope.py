"""CloudEvents 1.0 binary mode over Kafka (SPEC §8): the `EventEnvelope` and its record form.

The Kafka value is the protobuf-encoded event; every CloudEvents attribute travels as a
`ce_*` header; the key is the community id (the user id for platform-wide events), so a
community's events stay in order on one partition.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/protobuf"

H_SPECVERSION = "ce_specversion"
H_ID = "ce_id"
H_SOURCE = "ce_source"
H_TYPE = "ce_type"
H_TIME = "ce_time"
H_SUBJECT = "ce_subject"
H_CONTENT_TYPE = "content-type"
H_COMMUNITY_ID = "ce_communityid"
H_SEQUENCE = "ce_sequence"
H_ACTOR_ID = "ce_actorid"
H_CORRELATION_ID = "ce_correlationid"
H_CAUSATION_ID = "ce_causationid"
H_TRACEPARENT = "traceparent"

Headers = list[tuple[str, bytes]]


class MalformedEvent(ValueError):
    """A record that is not a well-formed event of ours; it can never be handled."""


class KafkaRecord(NamedTuple):
    """What a producer sends: kafka-python's key, value and headers."""

    key: bytes
    value: bytes
    headers: Headers


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with millisecond precision (what MongoDB can store exactly)."""
    if moment.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"ce_time {text!r} has no time zone")
    return moment.astimezone(UTC)


def now_time() -> str:
    return format_time(datetime.now(UTC))


def new_event_id() -> str:
    return str(uuid.uuid4())


def message_class(event_type: str) -> type[Message]:
    """The generated class of an event type, looked up by full name in the descriptor pool.

    Event modules register themselves in the default pool when imported, so importing a
    service's `events_pb2` (or the contracts registry) is what makes its events decodable.
    """
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(event_type)
    except KeyError:
        raise MalformedEvent(f"unknown event type {event_type!r}") from None
    return message_factory.GetMessageClass(descriptor)


@dataclass(frozen=True)
class EventEnvelope:
    """One event as it travels: CloudEvents attributes plus the protobuf payload bytes."""

    id: str
    source: str
    type: str
    time: str
    subject: str
    payload: bytes
    key: str
    community_id: str = ""
    sequence: int = 0
    actor_id: str = ""
    correlation_id: str = ""
    causation_id: str = ""
    traceparent: str | None = None

    @property
    def occurred_at(self) -> datetime:
        return parse_time(self.time)

    def message(self) -> Message:
        """The payload decoded as its `ce_type`; raises `MalformedEvent` if it cannot be."""
        cls = message_class(self.type)
        try:
            return cls.FromString(self.payload)
        except DecodeError as error:
            raise MalformedEvent(f"payload is not a valid {self.type}: {error}") from None

    def to_kafka_record(self) -> KafkaRecord:
        headers: Headers = [
            (H_SPECVERSION, SPEC_VERSION.encode()),
            (H_ID, self.id.encode()),
            (H_SOURCE, self.source.encode()),
            (H_TYPE, self.type.encode()),
            (H_TIME, self.time.encode()),
            (H_SUBJECT, self.subject.encode()),
            (H_CONTENT_TYPE, CONTENT_TYPE.encode()),
            (H_COMMUNITY_ID, self.community_id.encode()),
            (H_SEQUENCE, str(self.sequence).encode()),
            (H_ACTOR_ID, self.actor_id.encode()),
            (H_CORRELATION_ID, self.correlation_id.encode()),
            (H_CAUSATION_ID, self.causation_id.encode()),
        ]
        if self.traceparent:
            headers.append((H_TRACEPARENT, self.traceparent.encode()))
        return KafkaRecord(self.key.encode(), self.payload, headers)

    @classmethod
    def from_kafka_record(
        cls, key: bytes | None, value: bytes | None, headers: Headers | None
    ) -> EventEnvelope:
        """Read a record back; raises `MalformedEvent` when it is not a CloudEvent of ours."""
        found: dict[str, str] = {}
        for name, raw in headers or ():
            try:
                found[name] = (raw or b"").decode()
            except UnicodeDecodeError:
                raise MalformedEvent(f"header {name} is not UTF-8") from None

        def required(name: str) -> str:
            if not found.get(name):
                raise MalformedEvent(f"missing header {name}")
            return found[name]

        if required(H_SPECVERSION) != SPEC_VERSION:
            raise MalformedEvent(f"unsupported {H_SPECVERSION} {found[H_SPECVERSION]!r}")
        content_type = found.get(H_CONTENT_TYPE, CONTENT_TYPE)
        if content_type != CONTENT_TYPE:
            raise MalformedEvent(f"unsupported {H_CONTENT_TYPE} {content_type!r}")
        time = required(H_TIME)
        try:
            parse_time(time)
        except ValueError:
            raise MalformedEvent(f"{H_TIME} {time!r} is not RFC 3339") from None
        try:
            sequence = int(found.get(H_SEQUENCE) or 0)
        except ValueError:
            raise MalformedEvent(f"{H_SEQUENCE} {found[H_SEQUENCE]!r} is not a number") from None
        if value is None:
            raise MalformedEvent("record has no value")
        try:
            record_key = (key or b"").decode()
        except UnicodeDecodeError:
            raise MalformedEvent("record key is not UTF-8") from None
        return cls(
            id=required(H_ID),
            source=required(H_SOURCE),
            type=required(H_TYPE),
            time=time,
            subject=found.get(H_SUBJECT, ""),
            payload=value,
            key=record_key,
            community_id=found.get(H_COMMUNITY_ID, ""),
            sequence=sequence,
            actor_id=found.get(H_ACTOR_ID, ""),
            correlation_id=found.get(H_CORRELATION_ID, ""),
            causation_id=found.get(H_CAUSATION_ID, ""),
            traceparent=found.get(H_TRACEPARENT) or None,
        )


def envelope_for(
    message: Message,
    *,
    source: str,
    subject: str,
    community_id: str = "",
    sequence: int = 0,
    actor_id: str = "",
    key: str | None = None,
    correlation_id: str = "",
    causation_id: str = "",
    traceparent: str | None = None,
    event_id: str | None = None,
    time: str | None = None,
) -> EventEnvelope:
    """An envelope around `message`; the id and time are fresh unless given."""
    return EventEnvelope(
        id=event_id or new_event_id(),
        source=source,
        type=message.DESCRIPTOR.full_name,
        time=time or now_time(),
        subject=subject,
        payload=message.SerializeToString(),
        key=key if key is not None else (community_id or subject),
        community_id=community_id,
        sequence=sequence,
        actor_id=actor_id,
        correlation_id=correlation_id,
        causation_id=causation_id,
        traceparent=traceparent,
    )
