"""Membership and moderation events as feed keeps them (each applied once), and page tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from community.membership.v1 import events_pb2 as mem
from community.membership.v1.types_pb2 import Role, Visibility
from community.moderation.v1 import events_pb2 as mod
from community.moderation.v1.types_pb2 import Action
from community_common.errors import DomainError
from community_common.projection import applied_sequence
from community_contracts import reasons
from feed.domain import knowledge
from feed.domain.paging import Cursors, Entry, newest
from google.protobuf.timestamp_pb2 import Timestamp


def apply_member(doc, event, seq):  # type: ignore[no-untyped-def]
    for change in knowledge.member_changes(event):
        doc = knowledge.member_after(doc, "c1", change, seq) or doc
    return doc


def test_join_role_group_leave() -> None:
    doc = apply_member(
        None, mem.MemberJoined(community_id="c1", user_id="u", role=Role.ROLE_MEMBER), 2
    )
    assert (doc["role"], doc["groups"], applied_sequence(doc, "c1")) == (Role.ROLE_MEMBER, [], 2)
    doc = apply_member(doc, mem.GroupMemberJoined(community_id="c1", group_id="g1", user_id="u"), 3)
    doc = apply_member(
        doc, mem.MemberRoleChanged(community_id="c1", user_id="u", new_role=Role.ROLE_MODERATOR), 4
    )
    assert (doc["role"], doc["groups"]) == (Role.ROLE_MODERATOR, ["g1"])
    doc = apply_member(doc, mem.MemberLeft(community_id="c1", user_id="u", group_ids=["g1"]), 5)
    assert (doc["role"], doc["groups"]) == (knowledge.NOT_A_MEMBER, [])


def test_a_redelivered_event_changes_nothing() -> None:
    doc = apply_member(None, mem.MemberJoined(community_id="c1", user_id="u"), 2)
    doc = apply_member(doc, mem.MemberLeft(community_id="c1", user_id="u"), 3)
    change = knowledge.member_changes(mem.MemberJoined(community_id="c1", user_id="u"))[0]
    assert knowledge.member_after(doc, "c1", change, 2) is None


def test_ownership_transfer_changes_two_roles() -> None:
    changes = knowledge.member_changes(
        mem.OwnershipTransferred(community_id="c1", previous_owner_id="a", new_owner_id="b")
    )
    assert {(c.user_id, c.role) for c in changes} == {
        ("a", Role.ROLE_ADMIN),
        ("b", Role.ROLE_OWNER),
    }


def test_community_facts_and_groups() -> None:
    doc = knowledge.community_after(
        None,
        "c1",
        mem.CommunityCreated(
            community_id="c1", owner_id="o", visibility=Visibility.VISIBILITY_PRIVATE
        ),
        1,
    )
    doc = knowledge.community_after(
        doc, "c1", mem.GroupCreated(community_id="c1", group_id="g1", creator_id="o"), 2
    )
    doc = knowledge.community_after(doc, "c1", mem.InvitationSent(community_id="c1"), 3)
    assert (doc["exists"], doc["visibility"], doc["groups"], applied_sequence(doc, "c1")) == (
        True,
        Visibility.VISIBILITY_PRIVATE,
        ["g1"],
        3,
    )
    doc = knowledge.community_after(
        doc, "c1", mem.GroupRemoved(community_id="c1", group_id="g1"), 4
    )
    doc = knowledge.community_after(doc, "c1", mem.CommunityArchived(community_id="c1"), 5)
    assert (doc["groups"], doc["archived"]) == ([], True)
    assert knowledge.community_after(doc, "c1", mem.CommunityArchived(community_id="c1"), 5) is None


def stamp(moment: datetime) -> Timestamp:
    t = Timestamp()
    t.FromDatetime(moment)
    return t


def test_mutes_bans_and_restrictions_keep_their_expiry() -> None:
    until = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=1)
    doc = knowledge.sanctions_after(
        None, mod.MemberMuted(community_id="c1", user_id="u", expires_at=stamp(until)), 1
    )
    assert doc["muted_until"] == until
    doc = knowledge.sanctions_after(doc, mod.MemberBanned(community_id="c1", user_id="u"), 2)
    assert doc["banned"] and doc["banned_until"] is None  # permanent
    doc = knowledge.sanctions_after(doc, mod.MemberUnmuted(community_id="c1", user_id="u"), 3)
    doc = knowledge.sanctions_after(doc, mod.MemberUnbanned(community_id="c1", user_id="u"), 4)
    assert (doc["muted_until"], doc["banned"]) == (None, False)
    r = knowledge.restrictions_after(
        None,
        mod.UserRestricted(
            user_id="u", actions=[Action.ACTION_LIVE, Action.ACTION_POST], expires_at=stamp(until)
        ),
        1,
    )
    r = knowledge.restrictions_after(
        r, mod.RestrictionLifted(user_id="u", actions=[Action.ACTION_POST]), 2
    )
    assert r["actions"] == {str(Action.ACTION_LIVE): until}


def test_removed_and_restored_content() -> None:
    doc = knowledge.removals_after(None, mod.ContentRemoved(community_id="c1", post_id="p"), 1)
    doc = knowledge.removals_after(
        doc, mod.ContentRemoved(community_id="c1", post_id="p", comment_id="k"), 2
    )
    assert doc["post_removed"] and doc["removed_comments"] == ["k"]
    doc = knowledge.removals_after(doc, mod.ContentRestored(community_id="c1", post_id="p"), 3)
    assert not doc["post_removed"] and doc["removed_comments"] == ["k"]


def test_page_tokens_round_trip_and_refuse_foreign_ones() -> None:
    token = Cursors("posts", "c:c1", {"c:c1": 42}).token()
    assert Cursors.parse(token, "posts", "c:c1").below == {"c:c1": 42}
    for bad, list_name, scope in (
        (token, "posts", "c:c2"),
        (token, "home", "c:c1"),
        ("garbage!", "posts", "c:c1"),
        ("e30", "posts", "c:c1"),
    ):
        with pytest.raises(DomainError) as caught:
            Cursors.parse(bad, list_name, scope)
        assert caught.value.reason == reasons.INVALID_PAGE_TOKEN
    assert Cursors.parse("", "posts", "x").below == {}


def test_home_feed_takes_the_newest_head() -> None:
    a = Entry("c:1", 5, "2026-01-01T10:00:00.000Z", {})
    b = Entry("a:1", 2, "2026-01-01T11:00:00.000Z", {})
    assert newest({"c:1": a, "a:1": b}) is b
    assert newest({}) is None
