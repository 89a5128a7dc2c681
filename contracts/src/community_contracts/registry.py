"""Every message published to Kafka, by `ce_type` (its protobuf full name), with what a
producer or consumer needs to know about it.

Built from the generated events modules' descriptors: every top-level message in a
`community/<service>/v1/events.proto` is an event type, published by that service to its
topic, and carries the `subject_field` / `key_field` options that say which payload field is
its `ce_subject` and its Kafka key.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from community.events.v1 import options_pb2
from community.feed.v1 import events_pb2 as feed_events
from community.insights.v1 import events_pb2 as insights_events
from community.membership.v1 import events_pb2 as membership_events
from community.moderation.v1 import events_pb2 as moderation_events
from community_contracts import services

EVENT_MODULES: tuple[ModuleType, ...] = (
    membership_events,
    feed_events,
    moderation_events,
    insights_events,
)


class UnknownEventType(LookupError):
    """A `ce_type` that is not one of ours (or from a newer contract than this one)."""


@dataclass(frozen=True)
class EventType:
    # The `ce_type`: the message's full name, e.g. "community.membership.v1.MemberJoined".
    name: str
    message_class: type[Message]
    service: services.Service
    # Payload field whose value is the `ce_subject`.
    subject_field: str
    # Payload field whose value is the Kafka key (the subject when that field is empty).
    key_field: str

    @property
    def descriptor(self) -> Descriptor:
        return self.message_class.DESCRIPTOR

    @property
    def short_name(self) -> str:
        return self.descriptor.name

    @property
    def topic(self) -> str:
        return self.service.topic

    @property
    def source(self) -> str:
        return self.service.source


def _event_types() -> dict[str, EventType]:
    found: dict[str, EventType] = {}
    for module in EVENT_MODULES:
        service = services.by_package(module.DESCRIPTOR.package)
        for descriptor in module.DESCRIPTOR.message_types_by_name.values():
            options = descriptor.GetOptions()
            subject_field = options.Extensions[options_pb2.subject_field]
            key_field = options.Extensions[options_pb2.key_field]
            for option, field in (("subject_field", subject_field), ("key_field", key_field)):
                if field not in descriptor.fields_by_name:
                    raise RuntimeError(f"{descriptor.full_name}: {option} names no field")
            found[descriptor.full_name] = EventType(
                name=descriptor.full_name,
                message_class=getattr(module, descriptor.name),
                service=service,
                subject_field=subject_field,
                key_field=key_field,
            )
    return found


EVENT_TYPES: dict[str, EventType] = _event_types()


def event_type(ce_type: str) -> EventType:
    try:
        return EVENT_TYPES[ce_type]
    except KeyError:
        raise UnknownEventType(ce_type) from None


def event_type_of(event: Message) -> EventType:
    return event_type(event.DESCRIPTOR.full_name)


def message_class(ce_type: str) -> type[Message]:
    return event_type(ce_type).message_class


def decode(ce_type: str, data: bytes) -> Message:
    """The event a record's value holds. Raises UnknownEventType for a type that is not ours
    and google.protobuf.message.DecodeError for bytes that are not that message."""
    event = message_class(ce_type)()
    event.ParseFromString(data)
    return event


def ce_type(event: Message) -> str:
    return event_type_of(event).name


def subject(event: Message) -> str:
    """The event's `ce_subject`: the id of the aggregate whose stream it belongs to."""
    return getattr(event, event_type_of(event).subject_field)


def key(event: Message) -> str:
    """The event's Kafka key: its community (the user or rule for platform-wide events, the
    space for insights snapshots)."""
    kind = event_type_of(event)
    return getattr(event, kind.key_field) or getattr(event, kind.subject_field)


def community_id(event: Message) -> str:
    """The event's `ce_communityid`; empty for platform-wide events."""
    return getattr(event, "community_id", "")


def in_topic(topic: str) -> list[EventType]:
    """The event types published to a topic, in their declaration order."""
    return [kind for kind in EVENT_TYPES.values() if kind.topic == topic]
