"""Test event builders give exactly the record the relay would publish for a contract event."""

from __future__ import annotations

from community.membership.v1 import events_pb2 as membership_events
from community.moderation.v1 import events_pb2 as moderation_events
from community_common.envelope import EventEnvelope
from community_common.event_store import NewEvent, Provenance, _event_documents
from community_common.testing.events import event_envelope, event_record, topic_of


def test_contract_event_gets_its_source_subject_key_and_topic() -> None:
    joined = membership_events.MemberJoined(community_id="c-7", user_id="u-1")
    envelope = event_envelope(joined, sequence=4)
    assert envelope.source == "/services/membership"
    assert (envelope.subject, envelope.key, envelope.community_id) == ("c-7", "c-7", "c-7")
    assert envelope.type == "community.membership.v1.MemberJoined"
    assert envelope.sequence == 4
    assert topic_of(joined) == "community.membership.events.v1"
    decoded = EventEnvelope.from_kafka_record(*event_record(joined)).message()
    assert decoded == joined


def test_platform_wide_event_is_keyed_by_its_user() -> None:
    restricted = moderation_events.UserRestricted(user_id="u-9")
    envelope = event_envelope(restricted)
    assert (envelope.subject, envelope.key, envelope.community_id) == ("u-9", "u-9", "")
    assert topic_of(restricted) == "community.moderation.events.v1"


def test_stored_events_take_community_and_key_from_the_contract() -> None:
    joined = membership_events.MemberJoined(community_id="c-7", user_id="u-1")
    restricted = moderation_events.UserRestricted(user_id="u-9")
    stored = _event_documents("c-7", "c-7", 2, [NewEvent(joined)], Provenance())
    assert (stored[0]["community_id"], stored[0]["key"], stored[0]["sequence"]) == ("c-7", "c-7", 3)
    stored = _event_documents("u-9", "u-9", 0, [NewEvent(restricted)], Provenance())
    assert (stored[0]["community_id"], stored[0]["key"]) == ("", "u-9")
