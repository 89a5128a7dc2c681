"""Reading records (what is counted, what is ignored, what is dead-lettered), the partition a
table key lands on, and when snapshots are due."""

from datetime import UTC, datetime

import pytest
from aiokafka.partitioner import DefaultPartitioner
from community.moderation.v1 import events_pb2 as mo
from community_common.envelope import MalformedEvent
from insights.app import partition_of
from insights.codecs import observe
from insights.domain.effects import Space
from insights.domain.snapshot_schedule import SnapshotSchedule
from insights_events import EventLog

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def test_platform_wide_events_are_not_counted():
    record = EventLog().add(mo.UserRestricted(user_id="u"), NOW)
    assert observe(record.key, record.value, record.headers) is None


def test_key_sequence_and_source_are_read_from_the_record():
    log = EventLog()
    log.add(mo.MemberMuted(community_id="c", user_id="u"), NOW)
    record = log.add(mo.MemberMuted(community_id="c", user_id="v"), NOW)
    seen = observe(record.key, record.value, record.headers)
    assert (seen.source, seen.key_sequence, seen.community_id, seen.at) == (
        "moderation", 2, "c", NOW)


@pytest.mark.parametrize("bad", [b"x", b"0", b"-3"])
def test_a_broken_key_sequence_is_malformed(bad):
    record = EventLog().add(mo.MemberMuted(community_id="c", user_id="u"), NOW)
    headers = [(n, bad if n == "ce_keysequence" else v) for n, v in record.headers]
    with pytest.raises(MalformedEvent):
        observe(record.key, record.value, headers)


def test_garbage_is_malformed():
    with pytest.raises(MalformedEvent):
        observe(b"c", b"\xff", [("ce_type", b"nonsense")])


def test_table_keys_land_on_their_communitys_partition_like_the_producers_do():
    for community_id in ("c-1", "abc", "x" * 40):
        assert partition_of(community_id, 6) == DefaultPartitioner()(
            community_id.encode(), list(range(6)), list(range(6)))


def test_snapshots_are_due_after_a_change_at_most_once_per_interval():
    schedule = SnapshotSchedule(interval_s=5)
    a, b = Space("c"), Space("c", "g")
    assert schedule.due(now=0) == []
    schedule.changed([a, b])
    assert schedule.due(now=0) == [a, b]
    schedule.published(a, now=0)
    schedule.published(b, now=0)
    schedule.changed([a])
    assert schedule.due(now=4.9) == []
    assert schedule.due(now=5) == [a]
