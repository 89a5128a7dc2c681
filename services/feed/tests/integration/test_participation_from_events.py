"""Feed's decisions follow the membership and moderation events on the real topics: join →
may post (at once, with the consistency token), leave / removed / banned → may not, muted
until the expiry passes, ACTION_LIVE restricted → may not go live but may post and watch,
removed post hidden but for moderators, restored post back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import grpc
from community.feed.v1 import feed_service_pb2 as api
from community.membership.v1 import events_pb2 as mem
from community.membership.v1.types_pb2 import Role
from community.moderation.v1 import events_pb2 as mod
from community.moderation.v1.types_pb2 import Action
from community_contracts import reasons

from .conftest import Feed, eventually, refusal, stamp


async def post(
    feed: Feed, user: str, community_id: str, token: str = "", group_id: str = ""
) -> api.Post:
    response = await feed.call(
        "CreatePost",
        api.CreatePostRequest(
            community_id=community_id,
            group_id=group_id,
            body=f"hello from {user}",
            consistency_token=token,
        ),
        user,
    )
    return response.post


async def test_a_user_who_just_joined_can_post_at_once_with_the_token(feed: Feed) -> None:
    community = feed.community()
    bob = feed.ids("bob")
    created = await post(feed, bob, community.id, community.join(bob))
    assert (created.author_id, created.community_id, created.like_count) == (bob, community.id, 0)


async def test_without_membership_posting_is_refused(feed: Feed) -> None:
    community = feed.community()
    stranger = feed.ids("stranger")
    assert await refusal(post(feed, stranger, community.id, community.token)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        reasons.NOT_A_MEMBER,
    )


async def test_leaving_or_being_removed_ends_participation(feed: Feed) -> None:
    community = feed.community()
    bob, carol = feed.ids("bob"), feed.ids("carol")
    community.join(bob)
    await post(feed, carol, community.id, community.join(carol))
    await post(feed, bob, community.id, community.token)
    for user, token in ((bob, community.leave(bob)), (carol, community.remove(carol))):
        assert await refusal(post(feed, user, community.id, token)) == (
            grpc.StatusCode.PERMISSION_DENIED,
            reasons.NOT_A_MEMBER,
        )


async def test_banned_members_are_refused_as_banned(feed: Feed) -> None:
    community = feed.community()
    bob = feed.ids("bob")
    await post(feed, bob, community.id, community.join(bob))
    community.ban(bob)

    async def banned() -> bool:
        code, reason = (
            await refusal(post(feed, bob, community.id, community.token)) if True else (None, "")
        )
        return (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, reasons.MEMBER_BANNED)

    await eventually(banned)


async def test_a_mute_ends_by_itself_at_its_expiry(feed: Feed) -> None:
    community = feed.community()
    bob = feed.ids("bob")
    token = community.join(bob)
    community.mute(bob, seconds=3)

    async def muted() -> bool:
        try:
            await post(feed, bob, community.id, token)
        except grpc.aio.AioRpcError:
            return True
        return False

    await eventually(muted)
    assert await refusal(post(feed, bob, community.id, token)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        reasons.MEMBER_MUTED,
    )
    # No MemberUnmuted is ever sent: the expiry alone lifts it.
    await eventually(lambda: _succeeds(post(feed, bob, community.id, token)), timeout_s=10)


async def _succeeds(call) -> bool:  # type: ignore[no-untyped-def]
    try:
        await call
    except grpc.aio.AioRpcError:
        return False
    return True


async def test_a_live_restriction_blocks_only_going_live(feed: Feed) -> None:
    community = feed.community()
    bob, carol = feed.ids("bob"), feed.ids("carol")
    community.join(bob)
    token = community.join(carol)
    session = (
        await feed.call(
            "StartLiveSession",
            api.StartLiveSessionRequest(
                community_id=community.id, title="t", consistency_token=token
            ),
            carol,
        )
    ).live_session
    until = datetime.now(UTC) + timedelta(hours=1)
    feed.events.emit(
        mod.UserRestricted(user_id=bob, actions=[Action.ACTION_LIVE], expires_at=stamp(until)),
        "u:" + bob,
    )
    start = api.StartLiveSessionRequest(community_id=community.id, title="mine")

    async def restricted() -> bool:
        return not await _succeeds(feed.call("StartLiveSession", start, bob))

    await eventually(restricted)
    assert await refusal(feed.call("StartLiveSession", start, bob)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        reasons.USER_RESTRICTED,
    )
    await post(feed, bob, community.id)
    joined = await feed.call(
        "JoinLiveSession", api.JoinLiveSessionRequest(session_id=session.session_id), bob
    )
    assert joined.live_session.viewer_count == 1


async def test_removed_post_is_hidden_but_from_moderators_and_restored_comes_back(
    feed: Feed,
) -> None:
    community = feed.community()
    bob, mod_user = feed.ids("bob"), feed.ids("mod")
    community.join(bob)
    community.join(mod_user)
    token = community.set_role(mod_user, Role.ROLE_MODERATOR)
    created = await post(feed, bob, community.id, token)
    get = api.GetPostRequest(post_id=created.post_id)
    listing = api.ListPostsRequest(community_id=community.id)
    community.remove_post(created.post_id)

    async def hidden() -> bool:
        return not await _succeeds(feed.call("GetPost", get, bob))

    await eventually(hidden)
    assert await refusal(feed.call("GetPost", get, bob)) == (
        grpc.StatusCode.NOT_FOUND,
        reasons.POST_NOT_FOUND,
    )
    assert [p.post_id for p in (await feed.call("ListPosts", listing, bob)).posts] == []
    seen = (await feed.call("GetPost", get, mod_user)).post
    assert seen.removed
    assert [p.post_id for p in (await feed.call("ListPosts", listing, mod_user)).posts] == [
        created.post_id
    ]
    like = api.LikePostRequest(post_id=created.post_id)
    assert await refusal(feed.call("LikePost", like, mod_user)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        reasons.CONTENT_REMOVED,
    )

    community.remove_post(created.post_id, restore=True)
    await eventually(lambda: _succeeds(feed.call("GetPost", get, bob)))
    assert not (await feed.call("GetPost", get, bob)).post.removed


async def test_private_community_and_group_posts_are_for_members(feed: Feed) -> None:
    community = feed.community(private=True)
    bob, carol, outsider = feed.ids("bob"), feed.ids("carol"), feed.ids("out")
    community.join(bob)
    community.join(carol)
    group = feed.ids("g")
    community.group(group, community.owner)
    token = community.join_group(group, bob)
    in_group = await post(feed, bob, community.id, token, group_id=group)
    assert in_group.group_id == group
    assert await refusal(post(feed, carol, community.id, token, group_id=group)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        reasons.NOT_A_MEMBER,
    )
    for user, request in (
        (outsider, api.ListPostsRequest(community_id=community.id)),
        (carol, api.ListPostsRequest(community_id=community.id, group_id=group)),
        (carol, api.GetPostRequest(post_id=in_group.post_id)),
    ):
        rpc = "ListPosts" if isinstance(request, api.ListPostsRequest) else "GetPost"
        assert await refusal(feed.call(rpc, request, user)) == (
            grpc.StatusCode.PERMISSION_DENIED,
            reasons.NOT_A_MEMBER,
        )
    # The owner (moderator and above) reads every group.
    listed = await feed.call(
        "ListPosts",
        api.ListPostsRequest(community_id=community.id, group_id=group),
        community.owner,
    )
    assert [p.post_id for p in listed.posts] == [in_group.post_id]


async def test_public_posts_are_readable_by_any_signed_in_user(feed: Feed) -> None:
    community = feed.community()
    created = await post(feed, community.owner, community.id, community.token)
    reader = feed.ids("reader")
    got = await feed.call("GetPost", api.GetPostRequest(post_id=created.post_id), reader)
    assert got.post.body == created.body


async def test_an_unreached_consistency_token_times_out_unavailable(feed: Feed) -> None:
    community = feed.community()
    loop = asyncio.get_running_loop()
    started = loop.time()
    request = api.ListPostsRequest(
        community_id=community.id, consistency_token=f"{community.id}:999"
    )
    # The refusal comes once the 2 s wait is over (the deadline leaves room for a loaded
    # machine), and not before (a lower bound, which no load can break).
    unreachable = feed.stub.ListPosts(request, metadata=feed.auth(community.owner))
    assert await asyncio.wait_for(refusal(unreachable), timeout=10) == (
        grpc.StatusCode.UNAVAILABLE,
        reasons.CONSISTENCY_TIMEOUT,
    )
    assert loop.time() - started >= 1.9
    bad = api.ListPostsRequest(community_id=community.id, consistency_token="nonsense")
    assert await refusal(feed.call("ListPosts", bad, community.owner)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        reasons.INVALID_CONSISTENCY_TOKEN,
    )


async def test_request_id_makes_a_retry_return_the_first_result(feed: Feed) -> None:
    community = feed.community()
    request = api.CreatePostRequest(
        community_id=community.id, body="once", request_id="r-1", consistency_token=community.token
    )
    first = await feed.call("CreatePost", request, community.owner)
    again = await feed.call("CreatePost", request, community.owner)
    assert again.post.post_id == first.post.post_id
    listed = await feed.call(
        "ListPosts", api.ListPostsRequest(community_id=community.id), community.owner
    )
    assert [p.post_id for p in listed.posts] == [first.post.post_id]
    # Scoped to the caller: someone else's same request id is their own request.
    bob = feed.ids("bob")
    other = await feed.call(
        "CreatePost",
        request.__class__(
            community_id=community.id,
            body="x",
            request_id="r-1",
            consistency_token=community.join(bob),
        ),
        bob,
    )
    assert other.post.post_id != first.post.post_id


async def test_a_removed_group_and_an_archive_reach_every_members_decision(feed: Feed) -> None:
    """Members' documents carry copies of their community's facts: the consumer rewrites
    every copy when a group goes or the community is archived."""
    community = feed.community()
    bob, carol = feed.ids("bob"), feed.ids("carol")
    community.join(bob)
    community.join(carol)
    community.group("g", bob)
    await post(feed, carol, community.id, community.join_group("g", carol), group_id="g")
    token = community._m(mem.GroupRemoved(community_id=community.id, group_id="g"))
    assert await refusal(post(feed, carol, community.id, token, group_id="g")) == (
        grpc.StatusCode.NOT_FOUND,
        reasons.GROUP_NOT_FOUND,
    )
    await post(feed, bob, community.id, token)
    token = community._m(mem.CommunityArchived(community_id=community.id))
    for user in (bob, carol):
        assert await refusal(post(feed, user, community.id, token)) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            reasons.COMMUNITY_ARCHIVED,
        )
