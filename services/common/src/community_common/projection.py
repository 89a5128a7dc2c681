"""Apply-once bookkeeping for read models fed by events.

A read-model document has one writer (the consumer owning its community's partition), so a
projector reads it by `_id`, skips the event if the document already holds that stream's
sequence, and otherwise writes its change and the new sequence in ONE update:

    doc = members.find_one({"_id": community_id})
    if already_applied(doc, event):
        return
    members.update_one(
        {"_id": community_id},
        {"$inc": {"member_count": 1}, "$set": applied_marker(event)},
        upsert=True,
    )

Redelivered and re-published events (same ce_subject and ce_sequence) then change nothing.
A projector that computes whole documents (read, change, replace) uses the same marks through
`is_new` and `with_applied`. Append-only entries are the other half of the one rule: their
`_id` derives from the event's stream and sequence, so writing one twice collides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from community_common.envelope import EventEnvelope

APPLIED_FIELD = "_applied"


def _stream_key(subject: str) -> str:
    # Field names must not contain "." or start with "$"; escape those (and the escape char).
    return subject.replace("%", "%25").replace(".", "%2E").replace("$", "%24")


def applied_sequence(document: Mapping[str, Any] | None, subject: str) -> int:
    """The last sequence of stream `subject` applied to `document` (0 if none)."""
    if not document:
        return 0
    return int(document.get(APPLIED_FIELD, {}).get(_stream_key(subject), 0))


def already_applied(document: Mapping[str, Any] | None, event: EventEnvelope) -> bool:
    """True if `document` already reflects `event` (or a later event of the same stream)."""
    return event.sequence <= applied_sequence(document, event.subject)


def applied_marker(event: EventEnvelope) -> dict[str, int]:
    """`$set` fields recording that `event` is applied; merge into the same update."""
    return {f"{APPLIED_FIELD}.{_stream_key(event.subject)}": event.sequence}


def is_new(document: Mapping[str, Any] | None, subject: str, sequence: int) -> bool:
    """Whether event `sequence` of stream `subject` is new to `document` (0: unknown, apply)."""
    return sequence == 0 or sequence > applied_sequence(document, subject)


def with_applied(document: dict[str, Any], subject: str, sequence: int) -> dict[str, Any]:
    """`document` (changed in place and returned) marked as reflecting that event."""
    marks = dict(document.get(APPLIED_FIELD, {}))
    key = _stream_key(subject)
    marks[key] = max(sequence, int(marks.get(key, 0)))
    document[APPLIED_FIELD] = marks
    return document
