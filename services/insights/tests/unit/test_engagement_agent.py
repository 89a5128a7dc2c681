"""The engagement agent driven with `test_context()` and Faust's memory store: each SPEC §7
figure, as GetInsights would compute it from what the agent materialised."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from community.feed.v1 import events_pb2 as fe
from community.membership.v1 import events_pb2 as me
from community.membership.v1 import types_pb2 as mt
from community.moderation.v1 import events_pb2 as mo
from insights.app import app, runtime
from insights.application.get_insights import InsightsQueries
from insights.domain.effects import Space
from insights.engagement.agents import count_engagement
from insights_events import EventLog, Record
from insights_memory_view import MemoryServingView

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture(scope="module")
async def agent():
    app.finalize()
    app.conf.store = "memory://"
    app.flow_control.resume()
    runtime.attach(MemoryServingView())
    async with count_engagement.test_context() as context:
        # The agent counts only events of partitions assigned to it, as in a worker.
        runtime.owned = frozenset({context.to_message(b"", b"").tp})
        yield context


async def process(agent, records: list[Record]) -> None:
    before = sum(agent.results.values())
    for record in records:
        await agent.put(record.value, key=record.key, headers=record.headers)
    deadline = time.monotonic() + 5
    while sum(agent.results.values()) < before + len(records):
        assert time.monotonic() < deadline, "agent did not process the batch"
        await asyncio.sleep(0.01)
    await runtime.writer.saved()


async def figures(community_id, group_id="", range_days=28, zone=UTC_ZONE, now=NOW):
    view = runtime.view
    roster = await view.roster(community_id)
    return await InsightsQueries(view, clock=lambda: now).figures(
        Space(community_id, group_id), roster, range_days, zone)


def community(log: EventLog, cid: str, members: int, at: datetime, groups=()) -> list[str]:
    """A community with its owner and `members - 1` joined members; returns the user ids."""
    users = [f"{cid}-owner"]
    log.add(me.CommunityCreated(community_id=cid, name=cid, owner_id=users[0]), at)
    for g in groups:
        log.add(me.GroupCreated(community_id=cid, group_id=g, creator_id=users[0]), at)
    for i in range(1, members):
        users.append(f"{cid}-u{i}")
        log.add(me.MemberJoined(community_id=cid, user_id=users[-1], role=mt.ROLE_MEMBER), at)
    return users


async def test_members_joins_and_leaves_with_bans_lowering_counts(agent, unique):
    cid, g = unique("c"), unique("g")
    log = EventLog()
    day = NOW - timedelta(days=2)
    users = community(log, cid, 10, day, groups=[g])
    for u in users[1:5]:
        log.add(me.GroupMemberJoined(community_id=cid, group_id=g, user_id=u), day)
    log.add(me.MemberLeft(community_id=cid, user_id=users[1], group_ids=[g]), NOW)
    log.add(me.MemberRemoved(community_id=cid, user_id=users[2], group_ids=[g],
                             cause=mt.REMOVAL_CAUSE_BANNED), NOW)
    log.add(mo.MemberBanned(community_id=cid, user_id=users[2]), NOW)
    log.add(me.MemberRemoved(community_id=cid, user_id=users[6],
                             cause=mt.REMOVAL_CAUSE_REMOVED), NOW)
    log.add(me.GroupMemberLeft(community_id=cid, group_id=g, user_id=users[3]), NOW)
    await process(agent, log.records)

    whole = await figures(cid)
    assert whole.member_count == 7
    assert (whole.totals["joins"], whole.totals["leaves"], whole.net_growth) == (10, 3, 7)
    assert whole.totals["members_banned"] == 1
    assert [d[1]["joins"] for d in whole.daily][-3:] == [10, 0, 0]
    assert [d[1]["leaves"] for d in whole.daily][-1] == 3
    group = await figures(cid, g)
    # creator + 4 joined - left - banned - left the group
    assert group.member_count == 2
    assert (group.totals["joins"], group.totals["leaves"]) == (5, 3)
    assert group.totals["members_banned"] == 1


async def test_events_of_a_partition_revoked_since_their_fetch_are_not_counted(agent, unique):
    """A batch taken before a rebalance revoked its partition: the next owner counts it."""
    cid = unique("c")
    log = EventLog()
    community(log, cid, 3, NOW)
    owned, runtime.owned = runtime.owned, frozenset()
    try:
        await process(agent, log.records)
    finally:
        runtime.owned = owned
    assert await runtime.view.roster(cid) is None
    await process(agent, log.records)  # fetched again once owned
    assert (await figures(cid)).member_count == 3


async def test_engagement_counts_in_its_space_and_its_community(agent, unique):
    cid, g = unique("c"), unique("g")
    log = EventLog()
    users = community(log, cid, 5, NOW - timedelta(days=1), groups=[g])
    log.add(fe.PostCreated(post_id="p1", community_id=cid, group_id=g, author_id=users[1]), NOW)
    log.add(fe.PostCreated(post_id="p2", community_id=cid, author_id=users[2]), NOW)
    log.add(fe.CommentAdded(comment_id="k1", post_id="p1", community_id=cid, group_id=g,
                            author_id=users[2]), NOW)
    log.add(fe.PostLiked(post_id="p1", community_id=cid, group_id=g, user_id=users[3]), NOW)
    log.add(fe.PostUnliked(post_id="p1", community_id=cid, group_id=g, user_id=users[3]), NOW)
    log.add(fe.PostShared(post_id="p2", community_id=cid, user_id=users[4],
                          target_community_id="elsewhere"), NOW)
    log.add(fe.AnnouncementPublished(announcement_id="a1", community_id=cid), NOW)
    log.add(fe.AnnouncementPublished(announcement_id="a2", community_id=cid, group_ids=[g]),
            NOW)
    log.add(fe.LiveSessionStarted(session_id="s1", community_id=cid, host_id=users[0]), NOW)
    log.add(fe.LiveSessionJoined(session_id="s1", community_id=cid, user_id=users[1]), NOW)
    log.add(mo.ContentRemoved(community_id=cid, group_id=g, post_id="p1"), NOW)
    log.add(fe.PostDeleted(post_id="p2", community_id=cid, author_id=users[2]), NOW)
    log.add(mo.ReportFiled(report_id="r1", community_id=cid, group_id=g, post_id="p1"), NOW)
    log.add(mo.MemberMuted(community_id=cid, user_id=users[4]), NOW)
    await process(agent, log.records)

    whole = await figures(cid)
    counted = {m: whole.totals[m] for m in ("posts", "comments", "likes", "shares",
                                            "announcements", "live_sessions", "live_joins",
                                            "content_removed", "reports", "members_muted")}
    assert counted == {"posts": 2, "comments": 1, "likes": 1, "shares": 1, "announcements": 2,
                       "live_sessions": 1, "live_joins": 1, "content_removed": 1,
                       "reports": 1, "members_muted": 1}
    # score 3 per post, 2 per comment, 1 per like or share; live makes active, scores 0
    assert whole.top_contributors == [(users[2], 3 + 2), (users[1], 3), (users[3], 1),
                                      (users[4], 1)]
    assert whole.top_posts == [("p1", 2), ("p2", 1)]
    assert whole.active_members == {1: 5, 7: 5, 28: 5}
    assert whole.engagement_rate == 1.0
    group = await figures(cid, g)
    assert (group.totals["posts"], group.totals["comments"], group.totals["likes"],
            group.totals["shares"], group.totals["announcements"],
            group.totals["live_sessions"]) == (1, 1, 1, 0, 1, 0)
    assert (group.totals["content_removed"], group.totals["reports"],
            group.totals["members_muted"]) == (1, 1, 0)
    assert group.active_members[28] == 3


async def test_time_zones_with_half_and_quarter_hour_offsets_and_day_boundaries(agent, unique):
    cid = unique("c")
    log = EventLog()
    users = community(log, cid, 2, NOW - timedelta(days=3))
    # 18:20 UTC is 23:50 in Kolkata (+05:30) and 00:05 the next day in Kathmandu (+05:45);
    # 18:35 UTC is the next day in both.
    day = datetime(2025, 6, 14, tzinfo=UTC)
    for hour, minute in ((18, 20), (18, 35), (23, 59), (0, 0)):
        at = day.replace(hour=hour, minute=minute) + (timedelta(days=1) if hour == 0 else
                                                      timedelta())
        log.add(fe.PostCreated(post_id=f"p{hour}{minute}", community_id=cid,
                               author_id=users[1]), at)
    await process(agent, log.records)

    def posts_per_day(f):
        return {d: counts["posts"] for d, counts in f.daily if counts["posts"]}

    utc = await figures(cid, range_days=7)
    assert posts_per_day(utc) == {"2025-06-14": 3, "2025-06-15": 1}
    assert utc.popular_hours[18] == 2 and utc.popular_hours[23] == 1 and utc.popular_hours[0] == 1
    assert utc.popular_days[5] == 3 and utc.popular_days[6] == 1  # Saturday, Sunday
    kolkata = await figures(cid, range_days=7, zone=ZoneInfo("Asia/Kolkata"))
    assert posts_per_day(kolkata) == {"2025-06-14": 1, "2025-06-15": 3}
    assert kolkata.popular_hours[23] == 1 and kolkata.popular_hours[0] == 1
    kathmandu = await figures(cid, range_days=7, zone=ZoneInfo("Asia/Kathmandu"))
    assert posts_per_day(kathmandu) == {"2025-06-15": 4}
    assert kathmandu.popular_hours[0] == 2 and kathmandu.popular_hours[5] == 2
    new_york = await figures(cid, range_days=7, zone=ZoneInfo("America/New_York"))  # -04:00
    assert posts_per_day(new_york) == {"2025-06-14": 4}


async def test_the_28_day_window_slides_with_the_clock(agent, unique):
    cid = unique("c")
    log = EventLog()
    users = community(log, cid, 3, NOW - timedelta(days=40))
    log.add(fe.PostCreated(post_id="old", community_id=cid, author_id=users[1]),
            NOW - timedelta(days=27, hours=11))  # 27 days ago, 01:00 UTC: day 1 of 28
    log.add(fe.PostCreated(post_id="new", community_id=cid, author_id=users[2]),
            NOW - timedelta(days=6))
    await process(agent, log.records)

    today = await figures(cid)
    assert today.totals["posts"] == 2 and today.active_members == {1: 0, 7: 1, 28: 2}
    assert today.daily[0][1]["posts"] == 1 and len(today.daily) == 28
    tomorrow = await figures(cid, now=NOW + timedelta(days=1))
    assert tomorrow.totals["posts"] == 1 and tomorrow.active_members == {1: 0, 7: 0, 28: 1}
    assert tomorrow.daily[0][0] == (NOW - timedelta(days=26)).date().isoformat()
    week = await figures(cid, range_days=7)
    assert week.totals["posts"] == 1 and week.active_members[28] == 2
    sixty = await figures(cid, range_days=60)
    assert sixty.totals["posts"] == 2 and sixty.totals["joins"] == 3


async def test_redelivered_events_change_nothing_and_order_across_topics_does_not_matter(
    agent, unique
):
    cid = unique("c")
    log = EventLog()
    late_joiner = f"{cid}-late"
    users = community(log, cid, 3, NOW - timedelta(days=1))
    like = log.add(fe.PostLiked(post_id="p", community_id=cid, user_id=late_joiner), NOW)
    join = log.add(me.MemberJoined(community_id=cid, user_id=late_joiner), NOW)
    post = log.add(fe.PostCreated(post_id="p", community_id=cid, author_id=users[1]), NOW)
    # The like (feed topic) arrives before the liker's join (membership topic).
    await process(agent, [r for r in log.records if r not in (join, post)] + [join, post])
    first = await figures(cid)
    await process(agent, log.records)  # all of it again
    await process(agent, [like, post, like])
    again = await figures(cid)
    assert again == first
    assert first.member_count == 4 and first.totals["likes"] == 1
    assert first.top_contributors == [(users[1], 3), (late_joiner, 1)]


async def test_ties_rank_by_id_and_lists_are_capped(agent, unique):
    cid = unique("c")
    log = EventLog()
    users = community(log, cid, 13, NOW - timedelta(days=1))
    for i, user in enumerate(sorted(users, reverse=True)):
        log.add(fe.PostCreated(post_id=f"p{i:02}", community_id=cid, author_id=user), NOW)
        log.add(fe.PostLiked(post_id=f"p{i:02}", community_id=cid, user_id=user), NOW)
    await process(agent, log.records)
    result = await figures(cid)
    assert result.top_contributors == [(u, 4) for u in sorted(users)[:10]]
    assert result.top_posts == [(f"p{i:02}", 1) for i in range(5)]
