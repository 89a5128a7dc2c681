"""Live sessions: start, watch with heartbeats, leave, end, and the Live tab order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from community.feed.v1 import events_pb2 as ev
from community_common.errors import DomainError
from community_contracts import reasons
from feed.domain import live
from feed.domain.live import LiveSession, ViewerShard

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=60)
T = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def started(host: str = "host") -> LiveSession:
    session = LiveSession("s1")
    session.apply(LiveSession.start("s1", "c1", host, "Live chess"), T)
    return session


def shard() -> ViewerShard:
    return ViewerShard(live.viewer_stream_id("s1", 0))


def test_first_join_is_an_event_heartbeats_are_not() -> None:
    session, viewers = started(), shard()
    events = viewers.join(session, "bob", None, NOW, TTL)
    assert [type(e) for e in events] == [ev.LiveSessionJoined]
    for event in events:
        viewers.apply(event, T)
    assert viewers.join(session, "bob", NOW, NOW + timedelta(seconds=30), TTL) == []


def test_a_lapsed_viewer_rejoining_times_out_first() -> None:
    session, viewers = started(), shard()
    viewers.apply(viewers.join(session, "bob", None, NOW, TTL)[0], T)
    events = viewers.join(session, "bob", NOW, NOW + timedelta(seconds=61), TTL)
    assert [type(e) for e in events] == [ev.LiveSessionLeft, ev.LiveSessionJoined]
    assert events[0].timed_out


def test_the_host_is_never_a_viewer() -> None:
    session = started()
    assert shard().join(session, "host", None, NOW, TTL) == []


def test_viewers_count_until_they_leave_or_their_heartbeat_lapses() -> None:
    session, viewers = started(), shard()
    for user in ("a", "b", "c"):
        viewers.apply(viewers.join(session, user, None, NOW, TTL)[0], T)
    beats = {"a": NOW, "b": NOW - timedelta(seconds=61), "c": NOW}
    assert viewers.counted(beats, NOW, TTL) == 2
    left = viewers.leave(session, "a", NOW, NOW, TTL)
    assert len(left) == 1 and not left[0].timed_out
    viewers.apply(left[0], T)
    assert viewers.counted(beats, NOW, TTL) == 1
    assert viewers.leave(session, "a", NOW, NOW, TTL) == []


def test_end_by_host_or_moderator_only_once() -> None:
    session = started()
    with pytest.raises(DomainError) as caught:
        session.end("bob", actor_is_moderator=False)
    assert caught.value.reason == reasons.ROLE_REQUIRED
    with pytest.raises(DomainError) as outsider:
        session.end("eve", actor_is_moderator=False, actor_is_member=False)
    assert outsider.value.reason == reasons.NOT_A_MEMBER
    session.apply(session.end("mod", actor_is_moderator=True), T)
    assert not session.active
    with pytest.raises(DomainError) as ended:
        session.end("host", actor_is_moderator=False)
    assert ended.value.reason == reasons.LIVE_SESSION_ENDED
    with pytest.raises(DomainError) as joined:
        shard().join(session, "bob", None, NOW, TTL)
    assert joined.value.reason == reasons.LIVE_SESSION_ENDED


def test_live_tab_most_watched_first_ties_newest_first() -> None:
    ordered = live.live_tab_order(
        [
            (1, "2026-01-01T10:00:00.000Z", "a"),
            (3, "2026-01-01T09:00:00.000Z", "b"),
            (1, "2026-01-01T11:00:00.000Z", "c"),
        ]
    )
    assert [s[2] for s in ordered] == ["b", "c", "a"]
