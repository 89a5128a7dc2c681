"""Mutes (60 s to 28 days) and bans (timed or permanent), repeated and lifted."""

from datetime import UTC, datetime, timedelta

import pytest
from community.moderation.v1 import events_pb2 as events
from community_common.errors import InvalidArgument
from moderation.domain.sanctions import CommunitySanctions

NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "duration", [timedelta(seconds=59), timedelta(days=28, seconds=1), timedelta(0)]
)
def test_mutes_last_from_60_seconds_to_28_days(duration):
    with pytest.raises(InvalidArgument) as refused:
        CommunitySanctions("c1").mute("u", duration, NOW, actor_id="mod")
    assert refused.value.violations[0][0] == "duration"


@pytest.mark.parametrize("duration", [timedelta(seconds=60), timedelta(days=28)])
def test_mute_bounds_are_inclusive(duration):
    sanctions = CommunitySanctions("c1")
    assert sanctions.mute("u", duration, NOW, actor_id="mod") == NOW + duration


def test_muting_again_replaces_the_expiry():
    sanctions = CommunitySanctions("c1")
    sanctions.mute("u", timedelta(days=2), NOW, actor_id="mod")
    sanctions.mute("u", timedelta(hours=1), NOW, actor_id="mod")
    assert len(sanctions.recorded) == 2
    assert sanctions.is_muted("u", NOW + timedelta(minutes=59))
    assert not sanctions.is_muted("u", NOW + timedelta(hours=2))


def test_unmuting_lifts_a_mute_and_records_nothing_when_none_is_in_force():
    sanctions = CommunitySanctions("c1")
    sanctions.unmute("u", "mod", "", NOW)
    assert sanctions.recorded == []
    sanctions.mute("u", timedelta(hours=1), NOW, actor_id="mod")
    sanctions.unmute("u", "mod", "sorry", NOW)
    assert isinstance(sanctions.recorded[-1], events.MemberUnmuted)
    assert not sanctions.is_muted("u", NOW)
    sanctions.mute("v", timedelta(minutes=1), NOW, actor_id="mod")
    sanctions.unmute("v", "mod", "", NOW + timedelta(minutes=2))  # expired by itself
    assert not isinstance(sanctions.recorded[-1], events.MemberUnmuted)


def test_a_ban_without_duration_is_permanent():
    sanctions = CommunitySanctions("c1")
    assert sanctions.ban("u", None, NOW, actor_id="mod") is None
    event = sanctions.recorded[-1]
    assert isinstance(event, events.MemberBanned)
    assert not event.HasField("expires_at") and not event.HasField("duration")
    assert sanctions.is_banned("u", NOW + timedelta(days=3650))


def test_a_timed_ban_ends_by_itself_and_can_be_lifted_early():
    sanctions = CommunitySanctions("c1")
    expires_at = sanctions.ban("u", timedelta(days=7), NOW, actor_id="mod", report_id="rep")
    assert expires_at == NOW + timedelta(days=7)
    assert sanctions.recorded[-1].report_id == "rep"
    assert not sanctions.is_banned("u", expires_at)
    sanctions.unban("u", "mod", "", NOW)
    assert isinstance(sanctions.recorded[-1], events.MemberUnbanned)
    assert not sanctions.is_banned("u", NOW)


def test_a_ban_duration_must_be_positive():
    with pytest.raises(InvalidArgument):
        CommunitySanctions("c1").ban("u", timedelta(seconds=-1), NOW, actor_id="mod")


def test_snapshot_restores_mutes_and_bans():
    sanctions = CommunitySanctions("c1")
    sanctions.mute("a.b$c", timedelta(hours=1), NOW, actor_id="mod")
    sanctions.ban("d", None, NOW, actor_id="mod")
    copy = CommunitySanctions("c1")
    copy.restore_snapshot(sanctions.snapshot())
    assert copy.is_muted("a.b$c", NOW) and copy.is_banned("d", NOW)
