"""The event registry knows every event type SPEC §8 lists, under its full name, with its
topic, subject and key, and decodes record values back into events."""

from __future__ import annotations

import pytest
from google.protobuf.message import DecodeError

from community.feed.v1 import events_pb2 as feed_events
from community.insights.v1 import events_pb2 as insights_events
from community.membership.v1 import events_pb2 as membership_events
from community.moderation.v1 import events_pb2 as moderation_events
from community_contracts import registry, topics

SPEC_EVENT_TYPES = {
    "community.membership.v1": [
        "CommunityCreated",
        "CommunityUpdated",
        "CommunityArchived",
        "MemberJoined",
        "MemberLeft",
        "MemberRemoved",
        "MemberRoleChanged",
        "OwnershipTransferred",
        "InvitationSent",
        "InvitationAccepted",
        "InvitationDeclined",
        "InvitationRevoked",
        "InvitationExpired",
        "JoinRequested",
        "JoinRequestApproved",
        "JoinRequestRejected",
        "GroupCreated",
        "GroupRemoved",
        "GroupMemberJoined",
        "GroupMemberLeft",
    ],
    "community.feed.v1": [
        "PostCreated",
        "PostDeleted",
        "CommentAdded",
        "PostLiked",
        "PostUnliked",
        "PostShared",
        "AnnouncementPublished",
        "LiveSessionStarted",
        "LiveSessionJoined",
        "LiveSessionLeft",
        "LiveSessionEnded",
    ],
    "community.moderation.v1": [
        "ContentRemoved",
        "ContentRestored",
        "MemberMuted",
        "MemberUnmuted",
        "MemberBanned",
        "MemberUnbanned",
        "UserRestricted",
        "RestrictionLifted",
        "ReportFiled",
        "ReportResolved",
        "RuleAdded",
        "RuleUpdated",
        "RuleRemoved",
        "AutomodRuleAdded",
        "AutomodRuleRemoved",
    ],
}
PLATFORM_WIDE = {
    "community.moderation.v1.UserRestricted",
    "community.moderation.v1.RestrictionLifted",
}


def test_every_event_type_the_spec_lists_is_registered() -> None:
    for package, names in SPEC_EVENT_TYPES.items():
        for name in names:
            assert f"{package}.{name}" in registry.EVENT_TYPES


def test_events_go_to_their_services_topic() -> None:
    expected = {
        "community.membership.v1": topics.MEMBERSHIP_EVENTS,
        "community.feed.v1": topics.FEED_EVENTS,
        "community.moderation.v1": topics.MODERATION_EVENTS,
        "community.insights.v1": topics.INSIGHTS_SNAPSHOTS,
    }
    for name, kind in registry.EVENT_TYPES.items():
        assert kind.topic == expected[name.rsplit(".", 1)[0]]
        assert kind.source == f"/services/{kind.service.short_name}"
    assert [k.short_name for k in registry.in_topic(topics.INSIGHTS_SNAPSHOTS)] == [
        "InsightsSnapshot"
    ]


def test_every_event_outside_the_platform_wide_ones_names_its_community() -> None:
    for name, kind in registry.EVENT_TYPES.items():
        fields = kind.descriptor.fields_by_name
        if name in PLATFORM_WIDE:
            assert "community_id" not in fields
            assert "user_id" in fields
        else:
            assert "community_id" in fields, name


def test_membership_events_are_all_in_the_community_stream() -> None:
    for kind in registry.in_topic(topics.MEMBERSHIP_EVENTS):
        assert (kind.subject_field, kind.key_field) == ("community_id", "community_id")


def test_subject_and_key_come_from_the_payload() -> None:
    liked = feed_events.PostLiked(post_id="p1", community_id="c1", user_id="u2")
    assert registry.ce_type(liked) == "community.feed.v1.PostLiked"
    assert registry.subject(liked) == "p1"
    assert registry.key(liked) == "c1"
    assert registry.community_id(liked) == "c1"

    restricted = moderation_events.UserRestricted(user_id="u9")
    assert registry.subject(restricted) == "u9"
    assert registry.key(restricted) == "u9"
    assert registry.community_id(restricted) == ""

    platform_rule = moderation_events.AutomodRuleAdded(automod_rule_id="a1", platform=True)
    assert registry.key(platform_rule) == "a1"

    snapshot = insights_events.InsightsSnapshot(space_id="g1", community_id="c1", group_id="g1")
    assert registry.subject(snapshot) == registry.key(snapshot) == "g1"


def test_decode_round_trips_an_event() -> None:
    joined = membership_events.MemberJoined(community_id="c1", user_id="u1")
    decoded = registry.decode("community.membership.v1.MemberJoined", joined.SerializeToString())
    assert decoded == joined


def test_decode_refuses_unknown_types_and_bad_bytes() -> None:
    with pytest.raises(registry.UnknownEventType):
        registry.decode("community.membership.v1.NoSuchEvent", b"")
    with pytest.raises(registry.UnknownEventType):
        registry.decode("community.membership.v1.Community", b"")  # an API message, not an event
    with pytest.raises(DecodeError):
        registry.decode("community.membership.v1.MemberJoined", b"\xff\xff\xff")
