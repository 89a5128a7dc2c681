"""Removing and restoring posts and comments, and remembering what automod acted on."""

from datetime import UTC, datetime

from community.moderation.v1 import events_pb2 as events
from moderation.domain.content import Content, PostModeration

NOW = datetime(2025, 1, 1, tzinfo=UTC)
POST = Content("c1", "p1", "author", "g1")
COMMENT = Content("c1", "p1", "commenter", "g1", "k1")


def test_removal_names_the_content_and_its_author():
    post = PostModeration("p1")
    assert post.remove(COMMENT, NOW, actor_id="mod", reason="rude")
    assert post.recorded == [
        events.ContentRemoved(
            community_id="c1",
            group_id="g1",
            post_id="p1",
            comment_id="k1",
            author_id="commenter",
            actor_id="mod",
            reason="rude",
        )
    ]
    assert post.is_removed(COMMENT) and not post.is_removed(POST)


def test_removing_twice_or_restoring_what_is_not_removed_records_nothing():
    post = PostModeration("p1")
    assert not post.restore(POST, "mod", "", NOW)
    post.remove(POST, NOW, actor_id="mod")
    assert not post.remove(POST, NOW, actor_id="mod2")
    assert post.restore(POST, "mod", "", NOW)
    assert isinstance(post.recorded[-1], events.ContentRestored)
    assert len(post.recorded) == 2


def test_automod_removals_are_remembered_even_after_a_restore():
    post = PostModeration("p1")
    post.remove(POST, NOW, automod_rule_id="am1")
    post.restore(POST, "mod", "false positive", NOW)
    assert "" in post.automod_acted
    copy = PostModeration("p1")
    copy.restore_snapshot(post.snapshot())
    assert copy.automod_acted == {""} and not copy.is_removed(POST)
