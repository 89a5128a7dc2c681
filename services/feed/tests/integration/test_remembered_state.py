"""What a feed process remembers (aggregates, timeline tops, liked posts) never hides another
process's writes: two processes are two sets of adapters on one database."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from community.feed.v1.events_pb2 import PostLiked
from community_common.commands import run_once
from community_common.event_store import COMMITS, ConcurrencyConflict, EventStore
from community_common.mongo import CLIENT_OPTIONS, async_client
from community_common.repository import Repository
from feed.adapters.liked_posts import LikedPosts
from feed.adapters.timelines import SLOTS, Timelines
from feed.domain.likes import LikeShard
from feed.domain.post import Post
from google.protobuf import empty_pb2
from pymongo import AsyncMongoClient, monitoring


async def no_response(_: Any) -> empty_pb2.Empty:
    return empty_pb2.Empty()


@pytest.fixture
async def db(mongo_uri: str) -> AsyncIterator[Any]:
    client = async_client(mongo_uri)
    database = client[f"feed_remembered_{uuid.uuid4().hex[:10]}"]
    try:
        yield database
    finally:
        await client.drop_database(database.name)
        await client.close()


async def test_a_kept_aggregate_catches_up_with_other_writers(db: Any) -> None:
    here, there = Repository(EventStore(db, "/services/feed")), Repository(EventStore(db, "/test"))
    post = Post("p1")
    await here.save("p1", post, [Post.create("p1", "c1", "", "alice", "hi")], None, no_response)
    stale = await here.load(Post, "p1")  # kept at version 1
    theirs = await there.load(Post, "p1")
    await there.save("p1", theirs, [theirs.comment("k1", "bob", "first", "")], None, no_response)

    fresh = await here.load(Post, "p1")
    assert (fresh.version, fresh.comment_count, fresh.created_at) == (2, 1, post.created_at)
    # A copy loaded before their write can only lose the race, never overwrite it.
    with pytest.raises(ConcurrencyConflict):
        await here.save(
            "p1", stale, [stale.comment("k2", "carol", "me too", "")], None, no_response
        )
    # And what a caller changes is not what is kept.
    fresh.apply(fresh.comment("k3", "dan", "not stored", ""), datetime.now(UTC))
    assert (await here.load(Post, "p1")).comment_count == 1


async def test_a_command_on_a_stale_kept_copy_runs_again_on_the_stored_state(db: Any) -> None:
    here, there = Repository(EventStore(db, "/services/feed")), Repository(EventStore(db, "/test"))
    await here.save(
        "p1", Post("p1"), [Post.create("p1", "c1", "", "alice", "hi")], None, no_response
    )
    theirs = await there.load(Post, "p1")
    await there.save("p1", theirs, [theirs.comment("k1", "bob", "first", "")], None, no_response)

    async def comment(key: Any) -> Any:
        post = await here.load(Post, "p1", appending=True)  # the kept copy, at version 1
        return await here.save(
            "p1", post, [post.comment("k2", "carol", "hi", "")], key, no_response
        )

    await run_once(here.store, None, empty_pb2.Empty, comment)  # collides once, then lands
    assert (await there.load(Post, "p1")).comment_count == 2


async def test_a_refusal_on_a_stale_kept_copy_is_decided_again(db: Any) -> None:
    here, there = Repository(EventStore(db, "/services/feed")), Repository(EventStore(db, "/test"))
    assert not (await here.load(Post, "p2")).exists  # kept: no such post
    await there.save(
        "p2", Post("p2"), [Post.create("p2", "c1", "", "alice", "hi")], None, no_response
    )

    async def comment(key: Any) -> Any:
        post = await here.load(Post, "p2", appending=True)
        post.require_exists()  # NOT_FOUND on the kept copy; the stored post exists
        return await here.save("p2", post, [post.comment("k1", "bob", "hi", "")], key, no_response)

    await run_once(here.store, None, empty_pb2.Empty, comment)
    assert (await there.load(Post, "p2")).comment_count == 1


async def test_nothing_to_change_on_a_stale_kept_copy_is_decided_again(db: Any) -> None:
    here, there = Repository(EventStore(db, "/services/feed")), Repository(EventStore(db, "/test"))
    post = Post("p3")
    post.apply(Post.create("p3", "c1", "", "alice", "hi"), datetime.now(UTC))
    shard = LikeShard("p3:likes:0")
    await here.save(shard.stream_id, shard, [shard.like(post, "bob")], None, no_response)
    theirs = await there.load(LikeShard, shard.stream_id)
    await there.save(shard.stream_id, theirs, [theirs.unlike(post, "bob")], None, no_response)

    async def like(key: Any) -> Any:
        kept = await here.load(LikeShard, shard.stream_id, appending=True)  # bob likes it
        event = kept.like(post, "bob")
        if event is None:
            return empty_pb2.Empty(), None  # "already liked", on the kept copy
        return await here.save(shard.stream_id, kept, [event], key, no_response)

    await run_once(here.store, None, empty_pb2.Empty, like)
    assert (await there.load(LikeShard, shard.stream_id)).likers == {"bob"}


async def test_a_remembered_top_still_claims_dense_slots_after_other_writers(db: Any) -> None:
    here, there = Timelines(db), Timelines(db)
    assert await here.append("c:x", {"n": 1}) == 1
    for n in range(2, 12):  # another process appends ten more
        assert await there.append("c:x", {"n": n}) == n
    assert await here.append("c:x", {"n": 12}) == 12
    assert await here.top("c:x") == await there.top("c:x") == 12
    entries = await there.read_below("c:x", 13, 12)
    assert [e["n"] for e in entries] == list(range(12, 0, -1))


async def test_entries_claimed_together_skip_slots_another_process_took(db: Any) -> None:
    here, there = Timelines(db), Timelines(db)
    assert await here.append("c:x", {"n": 1}) == 1
    assert [await there.append("c:x", {"n": n}) for n in (2, 3)] == [2, 3]
    # `here` still believes 1 is the top: its group collides at 2, then at 3.
    slots = await asyncio.gather(*(here.append("c:x", {"n": n}) for n in range(4, 9)))
    assert sorted(slots) == list(range(4, 9))
    entries = await there.read_below("c:x", 9, 8)
    assert [e["slot"] for e in entries] == list(range(8, 0, -1))
    assert {e["n"]: e["slot"] for e in entries if e["n"] < 4} == {1: 1, 2: 2, 3: 3}


async def test_a_like_marked_elsewhere_is_seen(db: Any) -> None:
    here, there = LikedPosts(db), LikedPosts(db)
    assert not await here.ever_liked("p1")
    liked = PostLiked(post_id="p1", user_id="u1")
    await there.mark(liked)
    assert await here.ever_liked("p1")
    await here.mark(liked)  # already marked: no error


class Inserts(monitoring.CommandListener):
    """Counts insert commands per collection."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "insert":
            self.count[event.command["insert"]] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_concurrent_writers_in_one_process_take_turns_instead_of_colliding(
    mongo_uri: str,
) -> None:
    inserts = Inserts()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongo_uri, event_listeners=[inserts], **CLIENT_OPTIONS
    )
    db = client[f"feed_turns_{uuid.uuid4().hex[:10]}"]
    try:
        timelines = Timelines(db)
        slots = await asyncio.gather(*(timelines.append("c:x", {"n": n}) for n in range(20)))
        assert sorted(slots) == list(range(1, 21))
        assert inserts.count[SLOTS] < 5  # those waiting go in one insert; no collisions
        assert await Timelines(db).top("c:x") == 20  # another process, from a lagging head

        streams = Repository(EventStore(db, "/services/feed"))
        await streams.save(
            "p1", Post("p1"), [Post.create("p1", "c1", "", "alice", "hi")], None, no_response
        )

        async def comment(n: int) -> None:
            async with streams.one_at_a_time("p1"):
                post = await streams.load(Post, "p1")
                await streams.save(
                    "p1", post, [post.comment(f"k{n}", "bob", "hi", "")], None, no_response
                )

        await asyncio.gather(*(comment(n) for n in range(10)))
        assert (await streams.load(Post, "p1")).comment_count == 10
        assert inserts.count[COMMITS] == 11  # no lost race, so no retry
    finally:
        await client.drop_database(db.name)
        await client.close()
