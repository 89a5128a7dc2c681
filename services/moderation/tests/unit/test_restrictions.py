"""Platform restrictions per action, set and lifted."""

from datetime import UTC, datetime, timedelta

import pytest
from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import types_pb2 as types
from community_common.errors import InvalidArgument
from moderation.domain.restrictions import UserRestrictions

NOW = datetime(2025, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("actions", "duration", "field"),
    [
        ([], HOUR, "actions"),
        ([types.ACTION_UNSPECIFIED], HOUR, "actions"),
        ([42], HOUR, "actions"),
        ([types.ACTION_POST], None, "duration"),
        ([types.ACTION_POST], timedelta(0), "duration"),
    ],
)
def test_restricting_needs_actions_and_a_duration(actions, duration, field):
    with pytest.raises(InvalidArgument) as refused:
        UserRestrictions("u").restrict(actions, duration, "staff", "", NOW)
    assert field in [f for f, _ in refused.value.violations]


def test_restricting_replaces_the_listed_actions_expiry_only():
    user = UserRestrictions("u")
    user.restrict([types.ACTION_POST, types.ACTION_LIVE], 2 * HOUR, "staff", "spam", NOW)
    user.restrict([types.ACTION_POST], HOUR, "staff", "", NOW)
    event = user.recorded[-1]
    assert isinstance(event, events.UserRestricted)
    assert list(event.actions) == [types.ACTION_POST]
    assert user.active(NOW + HOUR + timedelta(minutes=1)) == [types.ACTION_LIVE]


def test_lifting_names_exactly_the_actions_no_longer_restricted():
    user = UserRestrictions("u")
    user.restrict([types.ACTION_POST, types.ACTION_INVITE], HOUR, "staff", "", NOW)
    user.lift([types.ACTION_INVITE, types.ACTION_LIKE], "staff", "", NOW)
    assert list(user.recorded[-1].actions) == [types.ACTION_INVITE]
    user.lift([], "staff", "", NOW)
    assert list(user.recorded[-1].actions) == [types.ACTION_POST]
    count = len(user.recorded)
    user.lift([], "staff", "", NOW)
    assert len(user.recorded) == count  # nothing in force: nothing recorded


def test_snapshot_restores_restrictions():
    user = UserRestrictions("u")
    user.restrict([types.ACTION_SHARE], HOUR, "staff", "", NOW)
    copy = UserRestrictions("u")
    copy.restore_snapshot(user.snapshot())
    assert copy.active(NOW) == [types.ACTION_SHARE]
