"""CloudEvents binary-mode records: what producers write is exactly what consumers read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from community_common.envelope import (
    EventEnvelope,
    MalformedEvent,
    envelope_for,
    format_time,
    parse_time,
)
from google.protobuf import struct_pb2


def sample_payload() -> struct_pb2.Struct:
    payload = struct_pb2.Struct()
    payload.update({"community_id": "c-1", "user_id": "u-2"})
    return payload


def sample() -> EventEnvelope:
    return envelope_for(
        sample_payload(),
        source="/services/membership",
        subject="c-1",
        community_id="c-1",
        sequence=7,
        actor_id="u-1",
        correlation_id="req-9",
        causation_id="evt-3",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )


def test_record_carries_cloudevents_binary_mode_headers() -> None:
    envelope = sample()
    record = envelope.to_kafka_record()
    headers = dict(record.headers)
    assert record.key == b"c-1"
    assert record.value == sample_payload().SerializeToString()
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"google.protobuf.Struct"
    assert headers["ce_source"] == b"/services/membership"
    assert headers["ce_subject"] == b"c-1"
    assert headers["content-type"] == b"application/protobuf"
    assert headers["ce_communityid"] == b"c-1"
    assert headers["ce_sequence"] == b"7"
    assert headers["ce_actorid"] == b"u-1"
    assert headers["ce_correlationid"] == b"req-9"
    assert headers["ce_causationid"] == b"evt-3"
    assert headers["traceparent"].startswith(b"00-")
    assert headers["ce_time"].endswith(b"Z")
    assert all(isinstance(name, str) and isinstance(value, bytes) for name, value in record.headers)


def test_round_trip_is_lossless() -> None:
    envelope = sample()
    back = EventEnvelope.from_kafka_record(*envelope.to_kafka_record())
    assert back == envelope
    assert back.message() == sample_payload()


def test_ce_time_read_back_is_parsed_once() -> None:
    envelope = sample()
    back = EventEnvelope.from_kafka_record(*envelope.to_kafka_record())
    # Set by the reading (which checks it), not parsed again on each use.
    assert "occurred_at" in vars(back)
    assert back.occurred_at == envelope.occurred_at == parse_time(envelope.time)


def test_traceparent_only_when_present() -> None:
    envelope = envelope_for(sample_payload(), source="/services/feed", subject="p-1")
    names = [name for name, _ in envelope.to_kafka_record().headers]
    assert "traceparent" not in names
    assert EventEnvelope.from_kafka_record(*envelope.to_kafka_record()).traceparent is None


def test_platform_wide_event_is_keyed_by_user() -> None:
    envelope = envelope_for(
        sample_payload(), source="/services/moderation", subject="u-5", key="u-5"
    )
    assert envelope.to_kafka_record().key == b"u-5"
    assert envelope.community_id == ""


def test_times_are_rfc3339_utc() -> None:
    moment = datetime(2025, 3, 1, 14, 30, 5, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert format_time(moment) == "2025-03-01T12:30:05.123Z"
    assert sample().occurred_at.tzinfo == UTC


@pytest.mark.parametrize(
    "mutate",
    [
        lambda h: h.pop("ce_id"),
        lambda h: h.pop("ce_type"),
        lambda h: h.update({"ce_specversion": b"0.3"}),
        lambda h: h.update({"content-type": b"application/json"}),
        lambda h: h.update({"ce_time": b"yesterday"}),
        lambda h: h.update({"ce_sequence": b"seven"}),
        lambda h: h.update({"ce_source": b"\xff\xfe"}),
    ],
    ids=["no-id", "no-type", "old-spec", "json", "bad-time", "bad-sequence", "not-utf8"],
)
def test_malformed_records_are_rejected(mutate) -> None:  # type: ignore[no-untyped-def]
    key, value, headers = sample().to_kafka_record()
    found = dict(headers)
    mutate(found)
    with pytest.raises(MalformedEvent):
        EventEnvelope.from_kafka_record(key, value, list(found.items()))


def test_undecodable_payload_is_malformed() -> None:
    envelope = EventEnvelope.from_kafka_record(
        b"c-1", b"\xff\xff\xff", sample().to_kafka_record().headers
    )
    with pytest.raises(MalformedEvent):
        envelope.message()


def test_unknown_event_type_is_malformed() -> None:
    key, value, headers = sample().to_kafka_record()
    found = dict(headers) | {"ce_type": b"community.nothing.v1.Nope"}
    with pytest.raises(MalformedEvent, match="unknown event type"):
        EventEnvelope.from_kafka_record(key, value, list(found.items())).message()
