"""CloudEvents 1.0 binary mode over Kafka (SPEC §8): the `EventEnvelope` and its record form.

The Kafka value is the protobuf-encoded event; every CloudEvents attribute travels as a
`ce_*` header; the key is the community id (the user id for platform-wide events), so a
community's events stay in order on one partition.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import NamedTuple

from community_contracts import headers, registry
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message

SPEC_VERSION = headers.SPECVERSION_VALUE
CONTENT_TYPE = headers.CONTENT_TYPE_PROTOBUF

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
    """The generated class of an event type: the contracts registry's, else any message known
    to the default descriptor pool (tests use well-known types such as Struct as payloads)."""
    try:
        return registry.message_class(event_type)
    except registry.UnknownEventType:
        pass
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
    # ce_keysequence: position among the topic's records with this key, stamped by the relay.
    key_sequence: int | None = None

    @cached_property
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
        record_headers: Headers = [
            (headers.SPECVERSION, SPEC_VERSION.encode()),
            (headers.ID, self.id.encode()),
            (headers.SOURCE, self.source.encode()),
            (headers.TYPE, self.type.encode()),
            (headers.TIME, self.time.encode()),
            (headers.SUBJECT, self.subject.encode()),
            (headers.CONTENT_TYPE, CONTENT_TYPE.encode()),
            (headers.COMMUNITY_ID, self.community_id.encode()),
            (headers.SEQUENCE, str(self.sequence).encode()),
            (headers.ACTOR_ID, self.actor_id.encode()),
            (headers.CORRELATION_ID, self.correlation_id.encode()),
            (headers.CAUSATION_ID, self.causation_id.encode()),
        ]
        if self.key_sequence is not None:
            record_headers.append((headers.KEY_SEQUENCE, str(self.key_sequence).encode()))
        if self.traceparent:
            record_headers.append((headers.TRACEPARENT, self.traceparent.encode()))
        return KafkaRecord(self.key.encode(), self.payload, record_headers)

    @classmethod
    def from_kafka_record(
        cls, key: bytes | None, value: bytes | None, record_headers: Headers | None
    ) -> EventEnvelope:
        """Read a record back; raises `MalformedEvent` when it is not a CloudEvent of ours."""
        found: dict[str, str] = {}
        for name, raw in record_headers or ():
            try:
                found[name] = (raw or b"").decode()
            except UnicodeDecodeError:
                raise MalformedEvent(f"header {name} is not UTF-8") from None

        def required(name: str) -> str:
            if not found.get(name):
                raise MalformedEvent(f"missing header {name}")
            return found[name]

        for name in headers.REQUIRED:
            required(name)
        if found[headers.SPECVERSION] != SPEC_VERSION:
            raise MalformedEvent(
                f"unsupported {headers.SPECVERSION} {found[headers.SPECVERSION]!r}"
            )
        content_type = found[headers.CONTENT_TYPE]
        if content_type != CONTENT_TYPE:
            raise MalformedEvent(f"unsupported {headers.CONTENT_TYPE} {content_type!r}")
        time = required(headers.TIME)
        try:
            occurred_at = parse_time(time)
        except ValueError:
            raise MalformedEvent(f"{headers.TIME} {time!r} is not RFC 3339") from None
        try:
            sequence = int(found.get(headers.SEQUENCE) or 0)
        except ValueError:
            raise MalformedEvent(
                f"{headers.SEQUENCE} {found[headers.SEQUENCE]!r} is not a number"
            ) from None
        key_sequence = None
        if found.get(headers.KEY_SEQUENCE):
            text = found[headers.KEY_SEQUENCE]
            if not text.isdigit() or int(text) < 1:
                raise MalformedEvent(f"{headers.KEY_SEQUENCE} {text!r} is not a position")
            key_sequence = int(text)
        if value is None:
            raise MalformedEvent("record has no value")
        try:
            record_key = (key or b"").decode()
        except UnicodeDecodeError:
            raise MalformedEvent("record key is not UTF-8") from None
        envelope = cls(
            id=required(headers.ID),
            source=required(headers.SOURCE),
            type=required(headers.TYPE),
            time=time,
            subject=found[headers.SUBJECT],
            payload=value,
            key=record_key,
            community_id=found.get(headers.COMMUNITY_ID, ""),
            sequence=sequence,
            actor_id=found.get(headers.ACTOR_ID, ""),
            correlation_id=found.get(headers.CORRELATION_ID, ""),
            causation_id=found.get(headers.CAUSATION_ID, ""),
            traceparent=found.get(headers.TRACEPARENT) or None,
            key_sequence=key_sequence,
        )
        # Parsed once: the check above already did it (cached_property's slot, which the
        # frozen dataclass's __setattr__ does not guard).
        envelope.__dict__["occurred_at"] = occurred_at
        return envelope


def envelope_for(
    message: Message,
    *,
    source: str,
    subject: str | None = None,
    community_id: str | None = None,
    sequence: int = 0,
    actor_id: str = "",
    key: str | None = None,
    correlation_id: str = "",
    causation_id: str = "",
    traceparent: str | None = None,
    event_id: str | None = None,
    time: str | None = None,
    key_sequence: int | None = None,
) -> EventEnvelope:
    """An envelope around `message`; the id and time are fresh unless given.

    Subject, key and community id default to what the event's contract says (its
    `subject_field` / `key_field` options); for other messages give them explicitly.
    """
    routing = event_routing(message)
    subject = subject if subject is not None else routing.subject
    community_id = community_id if community_id is not None else routing.community_id
    if not subject:
        raise ValueError(f"{message.DESCRIPTOR.full_name}: no subject given or in the contract")
    return EventEnvelope(
        id=event_id or new_event_id(),
        source=source,
        type=message.DESCRIPTOR.full_name,
        time=time or now_time(),
        subject=subject,
        payload=message.SerializeToString(),
        key=key if key is not None else (routing.key or community_id or subject),
        community_id=community_id,
        sequence=sequence,
        actor_id=actor_id,
        correlation_id=correlation_id,
        causation_id=causation_id,
        traceparent=traceparent,
        key_sequence=key_sequence,
    )


class EventRouting(NamedTuple):
    """Where an event goes, per its contract: ce_subject, Kafka key and ce_communityid."""

    subject: str
    key: str
    community_id: str


def event_routing(message: Message) -> EventRouting:
    """Subject / key / community id from the registry; empty for messages not in it."""
    try:
        return EventRouting(
            registry.subject(message), registry.key(message), registry.community_id(message)
        )
    except registry.UnknownEventType:
        return EventRouting("", "", "")
