"""Apply-once bookkeeping: an event is applied unless its stream's sequence is already in."""

from __future__ import annotations

from community_common.envelope import EventEnvelope
from community_common.projection import already_applied, applied_marker, applied_sequence
from community_common.testing.events import event_envelope
from google.protobuf import struct_pb2


def event(subject: str, sequence: int) -> EventEnvelope:
    return event_envelope(
        struct_pb2.Struct(), subject=subject, community_id="c1", sequence=sequence
    )


def test_fresh_document_applies_everything() -> None:
    assert not already_applied(None, event("c1", 1))
    assert not already_applied({"_id": "c1"}, event("c1", 1))


def test_applied_and_older_sequences_are_skipped_per_stream() -> None:
    marker = applied_marker(event("c1", 3))
    document = {"_applied": {key.split(".", 1)[1]: value for key, value in marker.items()}}
    assert already_applied(document, event("c1", 3))
    assert already_applied(document, event("c1", 2))
    assert not already_applied(document, event("c1", 4))
    assert not already_applied(document, event("c2", 1))


def test_stream_ids_with_dots_and_dollars_make_safe_field_names() -> None:
    [field] = applied_marker(event("$weird.id", 1))
    assert field.count(".") == 1 and "$" not in field
    stored = {"_applied": {field.split(".", 1)[1]: 1}}
    assert applied_sequence(stored, "$weird.id") == 1


def test_whole_document_projectors_use_the_same_marks() -> None:
    from community_common.projection import applied_sequence, is_new, with_applied

    doc = with_applied({"role": 1}, "c1", 3)
    assert applied_sequence(doc, "c1") == 3
    assert not is_new(doc, "c1", 3) and not is_new(doc, "c1", 2)
    assert is_new(doc, "c1", 4) and is_new(doc, "other", 1) and is_new(None, "c1", 1)
    assert is_new(doc, "c1", 0)  # an event without a sequence is applied
    assert applied_sequence(with_applied(doc, "c1", 2), "c1") == 3  # never moves back
