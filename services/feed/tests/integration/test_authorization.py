# ruff: noqa: E501  (the table reads best one RPC per two lines)
"""Authorization of every FeedService RPC, enumerated from the service descriptor: a new RPC
without a row here fails `test_every_rpc_has_a_row`. Each row says who is refused with
PERMISSION_DENIED and which reason, and what NOT_FOUND looks like; every RPC refuses a call
without a valid token with UNAUTHENTICATED before anything else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from community.feed.v1 import feed_service_pb2 as api
from community_common.auth import mint_token
from community_contracts import reasons, services
from google.protobuf.message import Message

from .conftest import SECRET, Feed, refusal

METHODS = services.FEED.descriptor.methods_by_name
# RPCs that can refuse nobody, or name nothing that could be missing (their rows say why), so
# they have no PERMISSION_DENIED or NOT_FOUND case; test_every_rpc_has_a_row keeps these exact.
NOBODY_REFUSED = {"GetHomeFeed", "LeaveLiveSession"}
NOTHING_NAMED = {"GetHomeFeed"}


@dataclass(frozen=True)
class Row:
    # (who, request) refused with PERMISSION_DENIED and `reason`; None = nobody can be refused
    # (the RPC only shows or touches the caller's own things), with the reason why in `why`.
    denied: Any
    reason: str
    # A request naming something that does not exist, and its NOT_FOUND reason.
    missing: Message | None
    missing_reason: str
    why: str = ""


@pytest.fixture(scope="module")
async def world(feed: Feed) -> dict[str, Any]:
    public, private = feed.community(), feed.community(private=True)
    bob, eve = feed.ids("bob"), feed.ids("eve")
    public.join(bob)
    group = feed.ids("g")
    public.group(group, public.owner)
    owner = public.owner

    async def call(rpc: str, request: Message, user: str = owner) -> Any:
        return await feed.call(rpc, request, user)

    token = public.token
    await call(
        "ListPosts",
        api.ListPostsRequest(community_id=private.id, consistency_token=private.token),
        private.owner,
    )
    post = (
        await call(
            "CreatePost",
            api.CreatePostRequest(community_id=public.id, body="p", consistency_token=token),
        )
    ).post
    group_post = (
        await call(
            "CreatePost", api.CreatePostRequest(community_id=public.id, group_id=group, body="g")
        )
    ).post
    session = (
        await call(
            "StartLiveSession", api.StartLiveSessionRequest(community_id=public.id, title="t")
        )
    ).live_session
    return {
        "public": public,
        "private": private,
        "bob": bob,
        "eve": eve,
        "post": post,
        "group_post": group_post,
        "session": session,
    }


def rows(w: dict[str, Any]) -> dict[str, Row]:
    public, private, bob, eve = w["public"].id, w["private"].id, w["bob"], w["eve"]
    post, group_post, session = w["post"].post_id, w["group_post"].post_id, w["session"].session_id
    nope = "no-such-id"
    return {
        "CreatePost": Row((eve, api.CreatePostRequest(community_id=public, body="x")), reasons.NOT_A_MEMBER,
                          api.CreatePostRequest(community_id=nope, body="x"), reasons.COMMUNITY_NOT_FOUND),
        "GetPost": Row((eve, api.GetPostRequest(post_id=group_post)), reasons.NOT_A_MEMBER,
                       api.GetPostRequest(post_id=nope), reasons.POST_NOT_FOUND),
        "ListPosts": Row((eve, api.ListPostsRequest(community_id=private)), reasons.NOT_A_MEMBER,
                         api.ListPostsRequest(community_id=nope), reasons.COMMUNITY_NOT_FOUND),
        "DeletePost": Row((bob, api.DeletePostRequest(post_id=post)), reasons.NOT_AUTHOR,
                          api.DeletePostRequest(post_id=nope), reasons.POST_NOT_FOUND),
        "AddComment": Row((eve, api.AddCommentRequest(post_id=post, body="x")), reasons.NOT_A_MEMBER,
                          api.AddCommentRequest(post_id=nope, body="x"), reasons.POST_NOT_FOUND),
        "ListComments": Row((eve, api.ListCommentsRequest(post_id=group_post)), reasons.NOT_A_MEMBER,
                            api.ListCommentsRequest(post_id=nope), reasons.POST_NOT_FOUND),
        "LikePost": Row((eve, api.LikePostRequest(post_id=post)), reasons.NOT_A_MEMBER,
                        api.LikePostRequest(post_id=nope), reasons.POST_NOT_FOUND),
        "UnlikePost": Row((eve, api.UnlikePostRequest(post_id=post)), reasons.NOT_A_MEMBER,
                          api.UnlikePostRequest(post_id=nope), reasons.POST_NOT_FOUND),
        "SharePost": Row((bob, api.SharePostRequest(post_id=post, target_community_id=private)), reasons.NOT_A_MEMBER,
                         api.SharePostRequest(post_id=nope), reasons.POST_NOT_FOUND),
        "PublishAnnouncement": Row((bob, api.PublishAnnouncementRequest(community_id=public, body="x")), reasons.ROLE_REQUIRED,
                                   api.PublishAnnouncementRequest(community_id=nope, body="x"), reasons.COMMUNITY_NOT_FOUND),
        "GetHomeFeed": Row(None, "", None, "", why="shows only the caller's own communities and groups"),
        "StartLiveSession": Row((eve, api.StartLiveSessionRequest(community_id=public, title="x")), reasons.NOT_A_MEMBER,
                                api.StartLiveSessionRequest(community_id=nope, title="x"), reasons.COMMUNITY_NOT_FOUND),
        "JoinLiveSession": Row((eve, api.JoinLiveSessionRequest(session_id=session)), reasons.NOT_A_MEMBER,
                               api.JoinLiveSessionRequest(session_id=nope), reasons.LIVE_SESSION_NOT_FOUND),
        "LeaveLiveSession": Row(None, "", api.LeaveLiveSessionRequest(session_id=nope), reasons.LIVE_SESSION_NOT_FOUND,
                                why="anyone may stop watching; not watching changes nothing"),
        "EndLiveSession": Row((bob, api.EndLiveSessionRequest(session_id=session)), reasons.ROLE_REQUIRED,
                              api.EndLiveSessionRequest(session_id=nope), reasons.LIVE_SESSION_NOT_FOUND),
        "ListLiveSessions": Row((eve, api.ListLiveSessionsRequest(community_id=private)), reasons.NOT_A_MEMBER,
                                api.ListLiveSessionsRequest(community_id=nope), reasons.COMMUNITY_NOT_FOUND),
    }  # fmt: skip


async def test_every_rpc_has_a_row(world: dict[str, Any]) -> None:
    table = rows(world)
    assert set(table) == set(METHODS)
    assert {rpc for rpc, row in table.items() if row.denied is None} == NOBODY_REFUSED
    assert {rpc for rpc, row in table.items() if row.missing is None} == NOTHING_NAMED
    assert all(row.why for rpc, row in table.items() if rpc in NOBODY_REFUSED | NOTHING_NAMED)


@pytest.mark.parametrize("rpc", sorted(METHODS))
async def test_unauthenticated_without_a_valid_token(feed: Feed, rpc: str) -> None:
    method = METHODS[rpc]
    request_type = type(getattr(api, method.input_type.name)())
    call = getattr(feed.stub, rpc)
    assert (await refusal(call(request_type())))[0] == grpc.StatusCode.UNAUTHENTICATED
    forged = mint_token(b"another-secret-another-secret-0123456789", "bob")
    refused = await refusal(call(request_type(), metadata=[("authorization", f"Bearer {forged}")]))
    assert refused == (grpc.StatusCode.UNAUTHENTICATED, reasons.TOKEN_INVALID)
    expired = mint_token(SECRET, "bob", ttl=-120)
    refused = await refusal(call(request_type(), metadata=[("authorization", f"Bearer {expired}")]))
    assert refused == (grpc.StatusCode.UNAUTHENTICATED, reasons.TOKEN_EXPIRED)


@pytest.mark.parametrize("rpc", sorted(set(METHODS) - NOBODY_REFUSED))
async def test_permission_denied_with_its_reason(
    feed: Feed, world: dict[str, Any], rpc: str
) -> None:
    row = rows(world)[rpc]
    user, request = row.denied
    assert await refusal(feed.call(rpc, request, user)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        row.reason,
    )


@pytest.mark.parametrize("rpc", sorted(set(METHODS) - NOTHING_NAMED))
async def test_not_found_with_its_reason(feed: Feed, world: dict[str, Any], rpc: str) -> None:
    row = rows(world)[rpc]
    assert await refusal(feed.call(rpc, row.missing, world["bob"])) == (
        grpc.StatusCode.NOT_FOUND,
        row.missing_reason,
    )


async def test_a_platform_admin_acts_as_a_community_admin_everywhere(
    feed: Feed, world: dict[str, Any]
) -> None:
    admin = feed.ids("platform")
    listed = await feed.call(
        "ListPosts",
        api.ListPostsRequest(community_id=world["private"].id),
        admin,
        platform_admin=True,
    )
    assert list(listed.posts) == []
    end = api.EndLiveSessionRequest(session_id=world["session"].session_id)
    ended = await feed.call("EndLiveSession", end, admin, platform_admin=True)
    assert ended.live_session.status == api.LIVE_SESSION_STATUS_ENDED
