"""A retried mutation returns the first result and changes nothing (SPEC §9), however the
retry comes: eight concurrent calls with one request id on one replica or split across two,
or a call cut off by a client deadline and sent again at once. The effect is counted where
it is real: the events stored (each one is published and counted downstream)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from community.feed.v1 import feed_service_pb2 as api
from community_common.testing.stored import stored_events
from community_contracts import topics
from feed.bootstrap import build
from feed.entrypoints.consumers import MEMBERSHIP_GROUP, MODERATION_GROUP
from grpc import aio

from .conftest import SECRET, Feed, start_groups_at_end

TWINS = 8


@pytest.fixture(scope="module")
async def replica(feed: Feed, kafka_bootstrap: str, mongo_uri: str) -> AsyncIterator[Feed]:
    """A second feed process on the same database, as a second replica would run."""
    prefix = f"test-replica-{uuid.uuid4().hex[:8]}-"
    await asyncio.to_thread(
        start_groups_at_end,
        kafka_bootstrap,
        {
            prefix + MEMBERSHIP_GROUP: topics.MEMBERSHIP_EVENTS,
            prefix + MODERATION_GROUP: topics.MODERATION_EVENTS,
        },
    )
    host = build(
        env={
            "COMMUNITY_AUTH_HS256_SECRET": SECRET,
            "GRPC_PORT": "0",
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "MONGODB_URI": mongo_uri,
            "MONGODB_DATABASE": feed.db.name,
            "LOG_LEVEL": "WARNING",
        },
        consumer_group_prefix=prefix,
    )
    host.grace_s = 1
    port = await host.start()
    channel = aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield Feed(channel, feed.events, feed.db, feed.ids)
    finally:
        await channel.close()
        await host.stop()


async def setup(feed: Feed) -> dict[str, Any]:
    community = feed.community()
    author = feed.ids("author")
    token = community.join(author)
    post = await feed.call(
        "CreatePost",
        api.CreatePostRequest(community_id=community.id, body="hi", consistency_token=token),
        author,
    )
    return {"community": community, "author": author, "post_id": post.post.post_id}


CREATING = {
    # rpc: (request builder, event it stores, response id)
    "CreatePost": (
        lambda s: api.CreatePostRequest(community_id=s["community"].id, body="once"),
        "PostCreated",
        lambda r: r.post.post_id,
    ),
    "AddComment": (
        lambda s: api.AddCommentRequest(post_id=s["post_id"], body="once"),
        "CommentAdded",
        lambda r: r.comment.comment_id,
    ),
    "SharePost": (
        lambda s: api.SharePostRequest(post_id=s["post_id"]),
        "PostShared",
        lambda r: r.post.share_count,
    ),
    "PublishAnnouncement": (
        lambda s: api.PublishAnnouncementRequest(community_id=s["community"].id, body="once"),
        "AnnouncementPublished",
        lambda r: r.announcement.announcement_id,
    ),
    "StartLiveSession": (
        lambda s: api.StartLiveSessionRequest(community_id=s["community"].id, title="once"),
        "LiveSessionStarted",
        lambda r: r.live_session.session_id,
    ),
}


def caller_of(rpc: str, s: dict[str, Any]) -> tuple[str, bool]:
    # Announcements are an admin's; the platform admin may publish anywhere.
    if rpc == "PublishAnnouncement":
        return s["community"].owner, False
    return s["author"], False


@pytest.mark.parametrize("rpc", sorted(CREATING))
@pytest.mark.parametrize("replicas", [1, 2])
async def test_concurrent_twins_take_effect_once(
    feed: Feed, replica: Feed, rpc: str, replicas: int
) -> None:
    s = await setup(feed)
    build_request, event_type, identity = CREATING[rpc]
    request = build_request(s)
    request.request_id = f"once-{uuid.uuid4().hex}"
    user, admin = caller_of(rpc, s)
    before = await stored_events(feed.db, f"community.feed.v1.{event_type}", user)
    targets = [feed, replica][:replicas]
    responses = await asyncio.gather(
        *(targets[n % replicas].call(rpc, request, user, admin) for n in range(TWINS))
    )
    assert len({identity(r) for r in responses}) == 1
    assert len({r.SerializeToString() for r in responses}) == 1
    assert await stored_events(feed.db, f"community.feed.v1.{event_type}", user) == before + 1


@pytest.mark.parametrize("rpc", sorted(CREATING))
async def test_a_retry_after_a_client_deadline_takes_effect_once(feed: Feed, rpc: str) -> None:
    s = await setup(feed)
    build_request, event_type, identity = CREATING[rpc]
    request = build_request(s)
    request.request_id = f"deadline-{uuid.uuid4().hex}"
    user, admin = caller_of(rpc, s)
    before = await stored_events(feed.db, f"community.feed.v1.{event_type}", user)
    rpc_method = getattr(feed.stub, rpc)
    try:
        await rpc_method(request, metadata=feed.auth(user, admin), timeout=0.005)
    except aio.AioRpcError as error:
        assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    retried = await feed.call(rpc, request, user, admin)
    again = await feed.call(rpc, request, user, admin)
    assert identity(retried) == identity(again)
    assert await stored_events(feed.db, f"community.feed.v1.{event_type}", user) == before + 1
