"""GetInsights' checks, in the platform's order: arguments, consistency token, existence,
role (moderators and above, platform admins), then the more-than-50-members threshold."""

from datetime import UTC, datetime, timedelta

import pytest
from community.insights.v1 import insights_service_pb2 as pb
from community.membership.v1 import events_pb2 as me
from community.membership.v1 import types_pb2 as mt
from community_common.context import Caller
from community_common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from community_contracts import reasons
from insights.api import parse_request
from insights.application.get_insights import InsightsQueries, InsightsRequest
from insights.codecs import observe
from insights.domain.effects import Space
from insights.domain.ledger import apply_batch
from insights_events import EventLog
from insights_memory_view import MemoryServingView

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


async def apply(view: MemoryServingView, log: EventLog) -> None:
    observed = [observe(r.key, r.value, r.headers) for r in log.records]
    changed = apply_batch([o for o in observed if o], lambda t: view.values.get(t))
    await view.save(changed)


def request(cid: str, group: str = "", token: str = "") -> InsightsRequest:
    return parse_request(pb.GetInsightsRequest(community_id=cid, group_id=group,
                                               consistency_token=token))


@pytest.fixture
async def world():
    """A community with 50 members (owner, admin, moderator, 47 members) and a group."""
    view, log = MemoryServingView(), EventLog()
    at = NOW - timedelta(hours=1)
    log.add(me.CommunityCreated(community_id="c", owner_id="owner"), at)
    log.add(me.GroupCreated(community_id="c", group_id="g", creator_id="owner"), at)
    for i in range(49):
        log.add(me.MemberJoined(community_id="c", user_id=f"u{i}", role=mt.ROLE_MEMBER), at)
    log.add(me.MemberRoleChanged(community_id="c", user_id="u0", new_role=mt.ROLE_ADMIN), at)
    log.add(me.MemberRoleChanged(community_id="c", user_id="u1", new_role=mt.ROLE_MODERATOR),
            at)
    await apply(view, log)
    return view, log, InsightsQueries(view, clock=lambda: NOW, consistency_timeout_s=0.2)


async def reason_of(call) -> str:
    try:
        await call
    except (FailedPrecondition, NotFound, PermissionDenied, Unavailable) as error:
        return error.reason
    raise AssertionError("no error")


async def test_threshold_flips_from_50_to_51_members(world):
    view, log, queries = world
    with pytest.raises(FailedPrecondition) as refused:
        await queries.get_insights(Caller("owner"), request("c"))
    assert refused.value.reason == reasons.INSIGHTS_THRESHOLD_NOT_MET
    assert refused.value.metadata == {"member_count": "50", "threshold": "50"}
    log.records.clear()
    log.add(me.MemberJoined(community_id="c", user_id="u51"), NOW)
    await apply(view, log)
    figures = await queries.get_insights(Caller("owner"), request("c"))
    assert figures.member_count == 51


async def test_group_threshold_counts_the_groups_members(world):
    _, _, queries = world
    with pytest.raises(FailedPrecondition) as refused:
        await queries.get_insights(Caller("u1"), request("c", "g"))
    assert refused.value.metadata["member_count"] == "1"


async def test_who_may_read(world):
    _, _, queries = world
    assert await reason_of(queries.get_insights(Caller("u5"), request("c"))) == (
        reasons.ROLE_REQUIRED)
    assert await reason_of(queries.get_insights(Caller("stranger"), request("c"))) == (
        reasons.NOT_A_MEMBER)
    for reader in (Caller("owner"), Caller("u0"), Caller("u1"), Caller("x", True)):
        # allowed: stopped only by the threshold
        assert await reason_of(queries.get_insights(reader, request("c"))) == (
            reasons.INSIGHTS_THRESHOLD_NOT_MET)


async def test_existence_is_checked_before_permission(world):
    _, _, queries = world
    assert await reason_of(queries.get_insights(Caller("stranger"), request("nope"))) == (
        reasons.COMMUNITY_NOT_FOUND)
    assert await reason_of(queries.get_insights(Caller("stranger"), request("c", "nog"))) == (
        reasons.GROUP_NOT_FOUND)


async def test_consistency_token_waits_then_gives_up(world):
    _view, log, queries = world
    version = log.version("c")
    assert await reason_of(queries.get_insights(Caller("owner"), request("c", token=f"c:{version}"))
                           ) == reasons.INSIGHTS_THRESHOLD_NOT_MET
    assert await reason_of(queries.get_insights(
        Caller("owner"), request("c", token=f"c:{version + 1}"))) == reasons.CONSISTENCY_TIMEOUT


@pytest.mark.parametrize(("fields", "bad"), [
    ({"community_id": ""}, "community_id"),
    ({"range_days": 30}, "range_days"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"time_zone": "../../etc/passwd"}, "time_zone"),
    ({"time_zone": "Europe/" + "x" * 300}, "time_zone"),
    ({"consistency_token": "nonsense"}, "consistency_token"),
])
def test_bad_arguments_name_the_field(fields, bad):
    with pytest.raises(InvalidArgument) as refused:
        parse_request(pb.GetInsightsRequest(**{"community_id": "c", **fields}))
    assert [field for field, _ in refused.value.violations] == [bad]


def test_defaults_are_28_days_in_utc():
    parsed = parse_request(pb.GetInsightsRequest(community_id="c", group_id="g"))
    assert (parsed.space, parsed.range_days, parsed.zone.key) == (Space("c", "g"), 28, "UTC")


@pytest.mark.parametrize(("as_of_date", "zone", "why"), [
    ("yesterday", "", "YYYY-MM-DD"),
    ("20250614", "", "YYYY-MM-DD"),
    ("2025-W24-6", "", "YYYY-MM-DD"),
    ("2025-6-14", "", "YYYY-MM-DD"),
    ("2025-02-30", "", "YYYY-MM-DD"),
    ("2025-06-16", "", "after today"),
    # At NOW it is already the 16th in Kiritimati (UTC+14), the 15th in Honolulu (UTC-10).
    ("2025-06-17", "Pacific/Kiritimati", "after today"),
    ("2025-06-16", "Pacific/Honolulu", "after today"),
    ("2024-06-14", "", "365 days back"),
    ("2024-06-15", "Pacific/Kiritimati", "365 days back"),
])
def test_as_of_date_in_the_future_malformed_or_too_old_is_refused(as_of_date, zone, why):
    with pytest.raises(InvalidArgument) as refused:
        parse_request(pb.GetInsightsRequest(community_id="c", as_of_date=as_of_date,
                                            time_zone=zone), NOW)
    [(field, description)] = refused.value.violations
    assert field == "as_of_date" and why in description


@pytest.mark.parametrize(("as_of_date", "zone"), [
    ("2025-06-15", ""), ("2024-06-15", ""), ("2025-06-16", "Pacific/Kiritimati"),
    ("2024-06-16", "Pacific/Kiritimati"), ("2024-06-15", "Pacific/Honolulu"),
])
def test_as_of_date_from_365_days_back_to_today_in_the_zone(as_of_date, zone):
    parsed = parse_request(pb.GetInsightsRequest(community_id="c", as_of_date=as_of_date,
                                                 time_zone=zone), NOW)
    assert parsed.as_of_date is not None and parsed.as_of_date.isoformat() == as_of_date


def on(cid: str, day: datetime, group: str = "") -> InsightsRequest:
    return parse_request(pb.GetInsightsRequest(community_id=cid, group_id=group,
                                               as_of_date=day.date().isoformat()), NOW)


async def test_a_past_day_is_checked_against_that_days_member_count(world):
    """51 members three days ago, 50 since one left yesterday: the day before yesterday is
    served, yesterday and today are refused with 50, a day before the community existed
    with 0; its existence and the caller's role are today's."""
    view, log, _ = world
    queries = InsightsQueries(view, clock=lambda: NOW)
    log.records.clear()
    log.add(me.CommunityCreated(community_id="old", owner_id="owner"), NOW - timedelta(days=3))
    for i in range(50):
        log.add(me.MemberJoined(community_id="old", user_id=f"o{i}"), NOW - timedelta(days=3))
    log.add(me.MemberLeft(community_id="old", user_id="o7"), NOW - timedelta(days=1))
    await apply(view, log)

    figures = await queries.get_insights(Caller("owner"), on("old", NOW - timedelta(days=2)))
    assert (figures.member_count, figures.totals["joins"], figures.totals["leaves"]) == (
        51, 51, 0)
    for day, members in ((NOW - timedelta(days=1), "50"), (NOW, "50"),
                         (NOW - timedelta(days=4), "0")):
        with pytest.raises(FailedPrecondition) as refused:
            await queries.get_insights(Caller("owner"), on("old", day))
        assert refused.value.metadata == {"member_count": members, "threshold": "50"}
    # o7 was a member that day, but is not now.
    assert await reason_of(queries.get_insights(
        Caller("o7"), on("old", NOW - timedelta(days=2)))) == reasons.NOT_A_MEMBER
    assert await reason_of(queries.get_insights(
        Caller("owner"), on("old", NOW - timedelta(days=2), group="g"))) == (
        reasons.GROUP_NOT_FOUND)
