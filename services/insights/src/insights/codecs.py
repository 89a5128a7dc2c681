"""Records in CloudEvents binary mode (SPEC §8) with protobuf payloads: reading events into
what insights counts (`Observed`), and writing figures into responses and snapshots.

`ce_keysequence` is the dense per-(topic, key) position the relay stamps once on every record
(1, 2, 3, ... per community and topic, kept when the same event is published again); the
state is deduplicated on it. Until the relay stamps it, a record without it is still counted,
only without protection against redelivery.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from community.insights.v1 import events_pb2 as insights_events
from community.insights.v1 import types_pb2 as insights_types
from community_common.envelope import EventEnvelope, KafkaRecord, MalformedEvent, envelope_for
from community_contracts import headers, registry, services

from insights.domain.effects import Space, effects_of
from insights.domain.figures import Figures
from insights.domain.ledger import Observed

RawHeaders = Mapping[str, bytes] | Iterable[tuple[str, bytes]]


def _header_list(raw_headers: RawHeaders | None) -> list[tuple[str, bytes]]:
    if raw_headers is None:
        return []
    if isinstance(raw_headers, Mapping):
        return list(raw_headers.items())
    return list(raw_headers)


def key_sequence(record_headers: list[tuple[str, bytes]]) -> int:
    for name, raw in record_headers:
        if name == headers.KEY_SEQUENCE:
            try:
                sequence = int((raw or b"").decode())
            except ValueError:
                raise MalformedEvent(f"{headers.KEY_SEQUENCE} {raw!r} is not a number") from None
            if sequence < 1:
                raise MalformedEvent(f"{headers.KEY_SEQUENCE} {sequence} is not a position")
            return sequence
    return 0


def observe(
    key: bytes | None, value: bytes | None, record_headers: RawHeaders | None
) -> Observed | None:
    """What a record contributes; None for events outside any community (platform-wide) or
    of a type this contract does not know (a newer producer's); raises `MalformedEvent` for
    a record that can never be read (it belongs in the dead-letter topic)."""
    header_list = _header_list(record_headers)
    envelope = EventEnvelope.from_kafka_record(key, value, header_list)
    return observe_envelope(envelope, key_sequence(header_list))


def observe_envelope(envelope: EventEnvelope, sequence: int | None = None) -> Observed | None:
    """`observe` of a record already read into an envelope (the rebuild's topic sources);
    `sequence` is its ce_keysequence (by default the envelope's own)."""
    try:
        event_type = registry.event_type(envelope.type)
    except registry.UnknownEventType:
        return None
    message = envelope.message()
    community_id = registry.community_id(message)
    if not community_id:
        return None
    source = event_type.service.short_name
    return Observed(
        community_id=community_id,
        source=source,
        key_sequence=(envelope.key_sequence or 0) if sequence is None else sequence,
        at=envelope.occurred_at,
        membership_version=envelope.sequence if source == services.MEMBERSHIP.short_name else 0,
        effects=tuple(effects_of(message)),
    )


def fill_figures(message: Any, figures: Figures) -> None:
    """Set the figure fields GetInsightsResponse and InsightsSnapshot share (same names)."""
    message.range_days = figures.range_days
    message.time_zone = figures.time_zone
    message.member_count = figures.member_count
    for metric, count in figures.totals.items():
        setattr(message, metric, count)
    message.net_growth = figures.net_growth
    for days, count in figures.active_members.items():
        setattr(message, f"active_members_{days}d", count)
    message.engagement_rate = figures.engagement_rate
    message.popular_hours.extend(figures.popular_hours)
    message.popular_days.extend(figures.popular_days)
    message.top_contributors.extend(
        insights_types.TopContributor(user_id=user_id, score=score)
        for user_id, score in figures.top_contributors
    )
    message.top_posts.extend(
        insights_types.TopPost(post_id=post_id, engagement=engagement)
        for post_id, engagement in figures.top_posts
    )
    message.daily.extend(
        insights_types.DailyFigures(date=day, **counts) for day, counts in figures.daily
    )
    if figures.as_of:
        message.as_of.FromDatetime(datetime.fromisoformat(figures.as_of))


def snapshot_record(space: Space, figures: Figures) -> KafkaRecord:
    """A space's snapshot as a CloudEvents record keyed by the space id."""
    snapshot = insights_events.InsightsSnapshot(
        space_id=space.group_id or space.community_id,
        community_id=space.community_id,
        group_id=space.group_id,
    )
    fill_figures(snapshot, figures)
    return envelope_for(snapshot, source=services.INSIGHTS.source).to_kafka_record()
