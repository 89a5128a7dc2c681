"""The Live tab: active sessions, most watched first (ties newest first), viewer counts that
drop when a viewer leaves or stops sending heartbeats, a user counted once, the host never."""

from __future__ import annotations

import grpc
from community.feed.v1 import feed_service_pb2 as api
from community.membership.v1.types_pb2 import Role
from community_contracts import reasons

from .conftest import Feed, eventually, refusal

# Viewers lapse after 5 s without a join, so the test sees a heartbeat expire quickly.
FEED_ENV = {"LIVE_VIEWER_TTL_S": "5"}


async def tab(feed: Feed, community_id: str, user: str) -> list[tuple[str, int]]:
    response = await feed.call(
        "ListLiveSessions", api.ListLiveSessionsRequest(community_id=community_id), user
    )
    return [(s.title, s.viewer_count) for s in response.live_sessions]


async def test_live_tab_orders_by_viewers_and_counts_each_viewer_once(feed: Feed) -> None:
    community = feed.community()
    hosts = [feed.ids("host") for _ in range(3)]
    viewers = [feed.ids("viewer") for _ in range(3)]
    for user in hosts + viewers:
        community.join(user)
    token = community.token
    sessions = {}
    for host, title in zip(hosts, ("first", "second", "third"), strict=True):
        start = api.StartLiveSessionRequest(
            community_id=community.id, title=title, consistency_token=token
        )
        sessions[title] = (await feed.call("StartLiveSession", start, host)).live_session
    assert await tab(feed, community.id, viewers[0]) == [("third", 0), ("second", 0), ("first", 0)]

    async def join(title: str, user: str) -> api.LiveSession:
        request = api.JoinLiveSessionRequest(session_id=sessions[title].session_id)
        return (await feed.call("JoinLiveSession", request, user)).live_session

    await join("first", viewers[0])
    await join("first", viewers[1])
    await join("first", viewers[1])  # idempotent: the same viewer once
    await join("second", viewers[1])  # watching several sessions at once is fine
    assert (await join("first", hosts[0])).viewer_count == 2  # the host is not a viewer
    assert await tab(feed, community.id, viewers[2]) == [("first", 2), ("second", 1), ("third", 0)]

    left = await feed.call(
        "LeaveLiveSession",
        api.LeaveLiveSessionRequest(session_id=sessions["first"].session_id),
        viewers[0],
    )
    assert left.live_session.viewer_count == 1

    # viewer 1 stops sending heartbeats: after the TTL they no longer count anywhere.
    async def lapsed() -> bool:
        return await tab(feed, community.id, viewers[2]) == [
            ("third", 0),
            ("second", 0),
            ("first", 0),
        ]

    await eventually(lapsed, timeout_s=15)

    ended = await feed.call(
        "EndLiveSession",
        api.EndLiveSessionRequest(session_id=sessions["third"].session_id),
        hosts[2],
    )
    assert ended.live_session.status == api.LIVE_SESSION_STATUS_ENDED
    assert [t for t, _ in await tab(feed, community.id, viewers[2])] == ["second", "first"]
    join_ended = feed.call(
        "JoinLiveSession",
        api.JoinLiveSessionRequest(session_id=sessions["third"].session_id),
        viewers[0],
    )
    assert await refusal(join_ended) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        reasons.LIVE_SESSION_ENDED,
    )


async def test_only_the_host_or_a_moderator_ends_a_session(feed: Feed) -> None:
    community = feed.community()
    host, bob, mod = feed.ids("host"), feed.ids("bob"), feed.ids("mod")
    for user in (host, bob, mod):
        community.join(user)
    token = community.set_role(mod, Role.ROLE_MODERATOR)
    start = api.StartLiveSessionRequest(
        community_id=community.id, title="t", consistency_token=token
    )
    session = (await feed.call("StartLiveSession", start, host)).live_session
    end = api.EndLiveSessionRequest(session_id=session.session_id)
    assert await refusal(feed.call("EndLiveSession", end, bob)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        reasons.ROLE_REQUIRED,
    )
    assert (
        await feed.call("EndLiveSession", end, mod)
    ).live_session.status == api.LIVE_SESSION_STATUS_ENDED
    assert await tab(feed, community.id, bob) == []
