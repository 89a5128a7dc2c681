"""The post aggregate, likes kept per shard, and announcement targeting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from community.feed.v1 import events_pb2 as ev
from community_common.errors import DomainError
from community_contracts import reasons
from feed.domain import announcement, likes
from feed.domain.post import Post

T = datetime(2026, 1, 1, tzinfo=UTC)


def created(post_id: str = "p1", author: str = "alice") -> Post:
    post = Post(post_id)
    post.apply(Post.create(post_id, "c1", "g1", author, "hello"), T)
    return post


def test_created_post_carries_its_facts() -> None:
    post = created()
    assert (post.exists, post.community_id, post.group_id, post.author_id, post.created_at) == (
        True,
        "c1",
        "g1",
        "alice",
        "2026-01-01T00:00:00.000Z",  # its PostCreated's ce_time, as the API shows it
    )


def test_comments_count_and_replies_need_a_parent_on_this_post() -> None:
    post = created()
    first = post.comment("k1", "bob", "nice", "")
    assert first.post_author_id == "alice" and first.group_id == "g1"
    post.apply(first, T)
    post.apply(post.comment("k2", "carol", "agreed", "k1"), T)
    assert post.comment_count == 2
    with pytest.raises(DomainError) as caught:
        post.comment("k3", "dan", "?", "missing")
    assert caught.value.reason == reasons.COMMENT_NOT_FOUND


def test_shares_count_on_the_shared_post() -> None:
    post = created()
    shared = post.share("bob", "c2")
    assert (shared.community_id, shared.target_community_id, shared.post_author_id) == (
        "c1",
        "c2",
        "alice",
    )
    post.apply(shared, T)
    assert post.share_count == 1


def test_only_the_author_deletes_and_a_deleted_post_is_gone() -> None:
    post = created()
    with pytest.raises(DomainError) as caught:
        post.delete("bob")
    assert caught.value.reason == reasons.NOT_AUTHOR
    post.apply(post.delete("alice"), T)
    assert not post.exists
    with pytest.raises(DomainError) as gone:
        post.require_exists()
    assert gone.value.reason == reasons.POST_NOT_FOUND


def test_snapshot_round_trip() -> None:
    post = created()
    post.apply(post.comment("k1", "bob", "nice", ""), T)
    again = Post.from_snapshot("p1", post.version, post.snapshot())
    assert again == post


def test_likes_are_idempotent_per_user() -> None:
    post = created()
    shard = likes.LikeShard(likes.stream_id("p1", likes.shard_of("bob")))
    liked = shard.like(post, "bob")
    assert isinstance(liked, ev.PostLiked) and liked.post_author_id == "alice"
    shard.apply(liked, T)
    assert shard.like(post, "bob") is None
    assert shard.count == 1
    unliked = shard.unlike(post, "bob")
    assert isinstance(unliked, ev.PostUnliked)
    shard.apply(unliked, T)
    assert shard.unlike(post, "bob") is None and shard.count == 0


def test_likers_spread_over_shards() -> None:
    shards = {likes.shard_of(f"user-{n}") for n in range(100)}
    assert shards == set(range(likes.LIKE_SHARDS))
    assert likes.shard_of("bob") == likes.shard_of("bob")


def test_announcement_targeting() -> None:
    event = announcement.publish("a1", "c1", ["g1", "g2", "g1"], "admin", "hi")
    assert list(event.group_ids) == ["g1", "g2"]
    assert announcement.reaches([], [])
    assert announcement.reaches(["g1"], ["g1", "g9"])
    assert not announcement.reaches(["g1"], ["g2"])
    assert not announcement.reaches(["g1"], [])
