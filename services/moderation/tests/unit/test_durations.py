"""Durations as clients send them: a Duration that is not one, or that would overflow the
calendar, names the field (INVALID_ARGUMENT) instead of failing deep inside (INTERNAL); the
mute range is exact to the nanosecond."""

from __future__ import annotations

from datetime import timedelta

import pytest
from community.moderation.v1 import moderation_service_pb2 as api
from community_common.errors import InvalidArgument
from google.protobuf.duration_pb2 import Duration
from moderation.application.pipeline import duration_of
from moderation.domain import limits, validation


@pytest.mark.parametrize(
    ("seconds", "nanos"),
    [
        (315_576_000_000, 0),  # the largest Duration: ~10,000 years
        (2**63 - 1, 0),  # not a Duration at all
        (60, -1),  # signs differ
        (-60, 1),
        (60, 1_000_000_000),  # nanos past a second
    ],
)
def test_a_duration_that_is_not_a_sane_one_names_the_field(seconds: int, nanos: int) -> None:
    request = api.BanMemberRequest(community_id="c", user_id="u")
    request.duration.CopyFrom(Duration(seconds=seconds, nanos=nanos))
    with pytest.raises(InvalidArgument) as refused:
        duration_of(request)
    assert [field for field, _ in refused.value.violations] == ["duration"]


def test_the_longest_sanction_is_a_hundred_years_and_none_means_no_duration() -> None:
    longest = api.BanMemberRequest(duration=Duration(seconds=36_525 * 86_400))
    assert duration_of(longest) == limits.MAX_SANCTION
    assert duration_of(api.BanMemberRequest()) is None


def test_a_mute_of_28_days_and_one_nanosecond_is_too_long() -> None:
    exact = api.MuteMemberRequest(duration=Duration(seconds=28 * 86_400))
    over = api.MuteMemberRequest(duration=Duration(seconds=28 * 86_400, nanos=1))
    assert validation.mute_duration("duration", duration_of(exact)) == []
    assert duration_of(over) == timedelta(days=28, microseconds=1)
    assert validation.mute_duration("duration", duration_of(over)) != []
