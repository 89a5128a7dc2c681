"""`python -m feed.rebuild` against a running feed process: a varied history through the real
API (communities and groups from membership's events on the real topic, concurrent posts,
likes and unlikes, comments with replies, shares, announcements to groups and to everyone,
live sessions, a moderator's removal, a mute, a ban), every list and get captured; the
rebuild is killed after its first checkpoint, run again to the end (it resumes), and every
answer is the same, in the same order; a command while it runs lands, and a home-feed read
waits for its end. Lost timeline entries and like marks come back from
the events, and a position claimed by a command that died before storing its event gets a
placeholder that lists skip."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import pytest
from community.feed.v1 import feed_service_pb2 as api
from community.feed.v1 import feed_service_pb2_grpc
from community.membership.v1.types_pb2 import Role
from community_common.mongo import blocking_client
from community_common.rebuild import REBUILDS, RUNNING
from community_common.testing.polling import eventually, refusal_reason
from community_common.testing.service_process import ServiceProcess
from community_contracts import reasons, topics
from feed.adapters.liked_posts import LIKED_POSTS
from feed.adapters.timelines import SLOTS
from feed.entrypoints.consumers import MEMBERSHIP_GROUP, MODERATION_GROUP
from google.protobuf.message import Message
from pymongo.database import Database

from .conftest import SECRET, Community, Events, Feed, start_groups_at_end

FEED = "feed"


@pytest.fixture
def database(mongo_uri: str) -> Iterator[Database[Any]]:
    client = blocking_client(mongo_uri)
    name = f"feed_rebuild_api_{uuid.uuid4().hex[:10]}"
    yield client[name]
    client.drop_database(name)
    client.close()


def ids(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class Client:
    """The feed process as a client calls it: UNAVAILABLE `REBUILDING` (a read that waited
    for a rebuild in vain) is safe to retry, and is; a consistency token not reached within
    the contract's 2 s fails the test."""

    def __init__(self, process: ServiceProcess) -> None:
        self.stub = process.stub

    def __call__(self, rpc: str, request: Message, user: str) -> Any:
        def answer() -> Any:
            try:
                return getattr(self.stub, rpc)(request, metadata=Feed.auth(user), timeout=30)
            except grpc.RpcError as error:
                if refusal_reason(error) == reasons.REBUILDING:
                    return None
                raise

        return eventually(answer, timeout_s=60, what=f"{rpc} after the rebuild")

    def until(self, check: Callable[[], bool], timeout_s: float = 20) -> None:
        eventually(check, timeout_s)

    def refused(self, rpc: str, request: Message, user: str) -> grpc.StatusCode | None:
        try:
            getattr(self.stub, rpc)(request, metadata=Feed.auth(user), timeout=30)
        except grpc.RpcError as error:
            return error.code()  # type: ignore[no-any-return]
        return None


def pages(call: Client, rpc: str, request: Any, user: str) -> list[bytes]:
    """Every page of a list, serialized (deterministically), in order."""
    found = []
    while True:
        response = call(rpc, request, user)
        found.append(response.SerializeToString(deterministic=True))
        if not response.next_page_token:
            return found
        request.page_token = response.next_page_token


class World:
    """The history, and what every list and get answers about it."""

    def __init__(self, call: Client, events: Events) -> None:
        self.call = call
        self.events = events
        self.a = Community(events, ids("ca"), ids("owner-a"))
        self.b = Community(events, ids("cb"), ids("owner-b"))
        # Where a command lands while the rebuild runs (no captured list shows it).
        self.c = Community(events, ids("cc"), ids("owner-c"))
        self.zed = ids("zed")
        self.users = {name: ids(name) for name in ("ann", "bob", "cid", "dee", "eve", "mod")}
        self.groups = {name: ids(name) for name in ("a1", "a2", "b1")}
        self.posts: list[str] = []
        self.commented: list[str] = []
        self.readers: list[str] = []

    def build(self, claim_orphan: Callable[[str], None]) -> None:
        a, b, u, g = self.a, self.b, self.users, self.groups
        a.group(g["a1"], a.owner)
        a.group(g["a2"], a.owner)
        b.group(g["b1"], b.owner)
        for name in ("ann", "bob", "cid", "dee", "mod"):
            a.join(u[name])
        a.set_role(u["mod"], Role.ROLE_MODERATOR)
        a.join_group(g["a1"], u["ann"])
        a.join_group(g["a1"], u["bob"])
        a.join_group(g["a2"], u["cid"])
        for name in ("ann", "dee", "eve"):
            b.join(u[name])
        token_b = b.join_group(g["b1"], u["eve"])
        token_a = a.token
        call = self.call
        self.c.join(self.zed)
        # The consumers have joined their groups once zed's join shows (the first rebalance
        # can take longer than a consistency token's 2 s).
        joined = api.ListPostsRequest(community_id=self.c.id)
        call.until(lambda: call.refused("ListPosts", joined, self.zed) is None, timeout_s=60)

        def post(community: Community, user: str, body: str, group: str = "") -> str:
            request = api.CreatePostRequest(
                community_id=community.id,
                group_id=group,
                body=body,
                consistency_token=community.token,
            )
            return call("CreatePost", request, user).post.post_id  # type: ignore[no-any-return]

        async def concurrently(count: int, community: Community, group: str = "") -> list[str]:
            authors = [u["ann"], u["bob"], u["cid"], u["dee"]]
            return await asyncio.gather(
                *(
                    asyncio.to_thread(post, community, authors[n % 4], f"hello {n}", group)
                    for n in range(count)
                )
            )

        # Concurrent posts, a claim whose command died, then more of them.
        first = asyncio.run(concurrently(6, a))
        claim_orphan(a.id)
        self.posts += first + asyncio.run(concurrently(4, a))
        self.posts += [post(a, u["ann"], f"group {n}", g["a1"]) for n in range(3)]
        self.posts.append(post(a, u["cid"], "a2 only", g["a2"]))
        self.posts += [post(b, u["dee"], f"b {n}") for n in range(3)]
        self.posts.append(post(b, u["eve"], "b1 only", g["b1"]))

        # Likes and unlikes.
        for post_id in self.posts[:5]:
            for name in ("ann", "bob", "dee"):
                call("LikePost", api.LikePostRequest(post_id=post_id), u[name])
        call("UnlikePost", api.UnlikePostRequest(post_id=self.posts[0]), u["bob"])
        call("LikePost", api.LikePostRequest(post_id=self.posts[-1]), u["eve"])

        # Comments with replies.
        for post_id in self.posts[1:4]:
            top = call(
                "AddComment", api.AddCommentRequest(post_id=post_id, body="first"), u["bob"]
            ).comment
            call(
                "AddComment",
                api.AddCommentRequest(
                    post_id=post_id, body="reply", parent_comment_id=top.comment_id
                ),
                u["cid"],
            )
            call("AddComment", api.AddCommentRequest(post_id=post_id, body="more"), u["ann"])
            self.commented.append(post_id)

        # Shares, within a community and into another.
        call("SharePost", api.SharePostRequest(post_id=self.posts[2]), u["dee"])
        call(
            "SharePost",
            api.SharePostRequest(post_id=self.posts[3], target_community_id=b.id),
            u["ann"],
        )

        # Announcements: to everyone, to chosen groups.
        call(
            "PublishAnnouncement",
            api.PublishAnnouncementRequest(
                community_id=a.id, body="to all", consistency_token=token_a
            ),
            a.owner,
        )
        call(
            "PublishAnnouncement",
            api.PublishAnnouncementRequest(community_id=a.id, group_ids=[g["a1"]], body="to a1"),
            a.owner,
        )
        call(
            "PublishAnnouncement",
            api.PublishAnnouncementRequest(
                community_id=b.id, group_ids=[g["b1"]], body="to b1", consistency_token=token_b
            ),
            b.owner,
        )
        self.posts.append(post(a, u["dee"], "after the announcements"))

        # Live sessions: started, joined, left, ended.
        sessions = [
            call(
                "StartLiveSession",
                api.StartLiveSessionRequest(community_id=community.id, title=title),
                host,
            ).live_session.session_id
            for community, host, title in (
                (a, u["ann"], "one"),
                (a, u["bob"], "two"),
                (a, u["cid"], "three"),
                (b, u["dee"], "four"),
            )
        ]
        for session, viewers in zip(
            sessions, (["bob", "cid", "dee"], ["ann"], ["dee", "mod"], ["eve"]), strict=True
        ):
            for name in viewers:
                call("JoinLiveSession", api.JoinLiveSessionRequest(session_id=session), u[name])
        call("LeaveLiveSession", api.LeaveLiveSessionRequest(session_id=sessions[2]), u["mod"])
        call("EndLiveSession", api.EndLiveSessionRequest(session_id=sessions[3]), u["dee"])

        # Moderation: a post removed, a mute, a ban.
        removed = self.posts[4]
        a.remove_post(removed)
        call.until(
            lambda: (
                call.refused("GetPost", api.GetPostRequest(post_id=removed), u["ann"])
                == grpc.StatusCode.NOT_FOUND
            )
        )
        a.mute(u["cid"], 3600)
        muted = api.CreatePostRequest(community_id=a.id, body="muted?")
        call.until(
            lambda: call.refused("CreatePost", muted, u["cid"]) == grpc.StatusCode.PERMISSION_DENIED
        )
        b.ban(u["eve"])
        banned = api.ListPostsRequest(
            community_id=b.id, group_id=g["b1"], consistency_token=b.token
        )
        call.until(
            lambda: call.refused("ListPosts", banned, u["eve"]) == grpc.StatusCode.PERMISSION_DENIED
        )
        self.readers = [a.owner, b.owner, *(u[n] for n in ("ann", "bob", "cid", "dee", "mod"))]

    def answers(self) -> dict[str, list[bytes]]:
        """Every list and get, as each reader sees it, in order."""
        call, a, b, g, u = self.call, self.a, self.b, self.groups, self.users
        seen: dict[str, list[bytes]] = {}
        lists = [
            (a.owner, a.id, ""),
            (u["mod"], a.id, ""),
            (u["ann"], a.id, ""),
            (u["ann"], a.id, g["a1"]),
            (u["cid"], a.id, g["a2"]),
            (b.owner, b.id, ""),
            (b.owner, b.id, g["b1"]),
        ]
        for user, community, group in lists:
            request = api.ListPostsRequest(community_id=community, group_id=group, page_size=3)
            seen[f"ListPosts {user} {community} {group}"] = pages(call, "ListPosts", request, user)
        for post_id in self.posts:
            for user in (a.owner, u["mod"], u["ann"]):
                if call.refused("GetPost", api.GetPostRequest(post_id=post_id), user) is None:
                    response = call("GetPost", api.GetPostRequest(post_id=post_id), user)
                    seen[f"GetPost {user} {post_id}"] = [
                        response.SerializeToString(deterministic=True)
                    ]
        for post_id in self.commented:
            request = api.ListCommentsRequest(post_id=post_id, page_size=2)
            seen[f"ListComments {post_id}"] = pages(call, "ListComments", request, u["ann"])
        for user in self.readers:
            request = api.GetHomeFeedRequest(page_size=4)
            seen[f"GetHomeFeed {user}"] = pages(call, "GetHomeFeed", request, user)
        for community, user in ((a.id, a.owner), (b.id, b.owner)):
            request = api.ListLiveSessionsRequest(community_id=community, page_size=2)
            seen[f"ListLiveSessions {community}"] = pages(call, "ListLiveSessions", request, user)
        return seen


def rebuild(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feed.rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_rebuild_killed_mid_way_and_run_again_leaves_every_answer_the_same(
    kafka_bootstrap: str, mongo_uri: str, database: Database[Any], tmp_path: Path
) -> None:
    prefix = f"test-rebuild-{uuid.uuid4().hex[:8]}-"
    start_groups_at_end(
        kafka_bootstrap,
        {
            prefix + MEMBERSHIP_GROUP: topics.MEMBERSHIP_EVENTS,
            prefix + MODERATION_GROUP: topics.MODERATION_EVENTS,
        },
    )
    env = os.environ | {
        "COMMUNITY_AUTH_HS256_SECRET": SECRET,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database.name,
        "CONSUMER_GROUP_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
        # Viewers count for the whole test (heartbeats are not events: see the README).
        "LIVE_VIEWER_TTL_S": "600",
    }
    events = Events(kafka_bootstrap)
    process = ServiceProcess(
        FEED, feed_service_pb2_grpc.FeedServiceStub, env, tmp_path / "feed.log"
    )
    orphans: list[str] = []

    def claim_orphan(community_id: str) -> None:
        """What a CreatePost that died between its claim and its event leaves behind."""
        slots = database[SLOTS]
        top = slots.count_documents({"timeline": f"c:{community_id}"})
        orphan = {
            "kind": "post",
            "post_id": "never-stored",
            "created_at": "2026-01-01T00:00:00.000Z",
        }
        key = f"c:{community_id}:{top + 1:012d}"
        slots.insert_one({**orphan, "_id": key, "timeline": f"c:{community_id}", "slot": top + 1})
        orphans.append(key)

    try:
        process.wait_serving()
        call = Client(process)
        world = World(call, events)
        world.build(claim_orphan)
        before = world.answers()
        assert len(before) > 60
        entries = sorted(database[SLOTS].find({"_id": {"$nin": orphans}}), key=lambda d: d["_id"])

        # Lost: an orphaned claim, two timeline entries, every like mark.
        lost = [e["_id"] for e in entries if e["timeline"] == f"c:{world.a.id}"][2:4]
        database[SLOTS].delete_many({"_id": {"$in": [*orphans, *lost]}})
        database[LIKED_POSTS].delete_many({})

        rebuild_env = env | {
            "REBUILD_CHECKPOINT_EVERY": "20",
            "REBUILD_LEASE_S": "1",
            "LOG_LEVEL": "WARNING",
        }
        killed = rebuild(rebuild_env | {"COMMUNITY_FAILPOINTS": "rebuild-checkpointed"})
        assert killed.returncode == -9, killed.stderr
        state = database[REBUILDS].find_one({"_id": FEED})
        assert state is not None and state["state"] == RUNNING and state["checkpoints"]

        # A command while the rebuild runs; a home-feed read waits for its end.
        zed = world.zed
        during = call(
            "CreatePost", api.CreatePostRequest(community_id=world.c.id, body="during"), zed
        ).post
        with ThreadPoolExecutor(1) as pool:
            home = pool.submit(call, "GetHomeFeed", api.GetHomeFeedRequest(), zed)
            finished = rebuild(rebuild_env)
            home_during = home.result(timeout=60)
        assert finished.returncode == 0, finished.stderr
        assert [item.post.post_id for item in home_during.items] == [during.post_id]
        listed = call("ListPosts", api.ListPostsRequest(community_id=world.c.id), zed)
        assert [post.post_id for post in listed.posts] == [during.post_id]
        assert "resumed and finished" in finished.stdout
        assert process.process.poll() is None  # it served throughout

        after = world.answers()
        assert list(after) == list(before)
        for name, answer in before.items():
            assert after[name] == answer, name
        rebuilt = sorted(
            database[SLOTS].find(
                {"_id": {"$nin": orphans}, "timeline": {"$ne": f"c:{world.c.id}"}}
            ),
            key=lambda d: d["_id"],
        )
        assert rebuilt == entries
        [placeholder] = database[SLOTS].find({"_id": {"$in": orphans}})
        assert placeholder["kind"] == "empty"
        assert database[LIKED_POSTS].count_documents({}) == 6

        # A fresh run (it reads every position) finds the same gap.
        database[SLOTS].delete_many({"_id": {"$in": orphans}})
        again = rebuild(rebuild_env)
        assert again.returncode == 0 and "rebuilt the feed read models" in again.stdout, (
            again.stderr
        )
        assert [d["kind"] for d in database[SLOTS].find({"_id": {"$in": orphans}})] == ["empty"]
        assert world.answers() == before
    finally:
        process.stop()
        events.close()
