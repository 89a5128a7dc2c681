"""Topic, header, service and error-reason names are exactly those SPEC.md spells (§2, §3,
§8, §9): internal clients and data teams depend on them."""

from __future__ import annotations

import grpc
import pytest

from community_contracts import headers, reasons, services, topics


def test_topic_names_are_the_specs() -> None:
    assert topics.MEMBERSHIP_EVENTS == "community.membership.events.v1"
    assert topics.FEED_EVENTS == "community.feed.events.v1"
    assert topics.MODERATION_EVENTS == "community.moderation.events.v1"
    assert topics.INSIGHTS_SNAPSHOTS == "community.insights.snapshots.v1"
    assert set(topics.ALL) == {
        "community.membership.events.v1",
        "community.feed.events.v1",
        "community.moderation.events.v1",
        "community.insights.snapshots.v1",
    }


def test_event_topics_keep_everything_and_snapshots_are_not_events() -> None:
    assert set(topics.EVENT_TOPICS) == set(topics.ALL) - {topics.INSIGHTS_SNAPSHOTS}
    for name in topics.EVENT_TOPICS:
        assert topics.config(name)["retention.ms"] == "-1"
    assert topics.config(topics.INSIGHTS_SNAPSHOTS)["cleanup.policy"] == "compact"


def test_each_topic_has_a_dlq_twin() -> None:
    assert topics.dlq("community.feed.events.v1") == "community.feed.events.v1.dlq"
    assert topics.TOPICS[topics.FEED_EVENTS].dlq == "community.feed.events.v1.dlq"
    assert topics.is_dlq(topics.dlq(topics.FEED_EVENTS))
    assert topics.config(topics.dlq(topics.FEED_EVENTS))["retention.ms"] == "-1"
    with pytest.raises(ValueError):
        topics.dlq(topics.dlq(topics.FEED_EVENTS))
    with pytest.raises(KeyError):
        topics.config("someone.elses.topic")


def test_cloudevents_header_names_are_the_specs() -> None:
    assert headers.ALL == (
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "content-type",
        "ce_communityid",
        "ce_sequence",
        "ce_actorid",
        "ce_correlationid",
        "ce_causationid",
        "ce_keysequence",  # our own extension (see headers.KEY_SEQUENCE)
        "traceparent",
    )
    assert headers.SPECVERSION_VALUE == "1.0"
    assert headers.CONTENT_TYPE_PROTOBUF == "application/protobuf"
    assert not set(headers.DLQ_ALL) & set(headers.ALL)


@pytest.mark.parametrize(
    ("service", "short_name", "full_name", "port", "topic"),
    [
        (
            services.MEMBERSHIP,
            "membership",
            "community.membership.v1.MembershipService",
            50051,
            "community.membership.events.v1",
        ),
        (
            services.FEED,
            "feed",
            "community.feed.v1.FeedService",
            50052,
            "community.feed.events.v1",
        ),
        (
            services.MODERATION,
            "moderation",
            "community.moderation.v1.ModerationService",
            50053,
            "community.moderation.events.v1",
        ),
        (
            services.INSIGHTS,
            "insights",
            "community.insights.v1.InsightsService",
            50054,
            "community.insights.snapshots.v1",
        ),
    ],
)
def test_services_are_named_as_the_spec(
    service: services.Service, short_name: str, full_name: str, port: int, topic: str
) -> None:
    assert service.short_name == short_name
    assert service.full_name == full_name
    assert service.default_port == port
    assert service.topic == topic
    assert service.source == f"/services/{short_name}"
    assert services.by_short_name(short_name) is service
    assert services.by_package(full_name.rsplit(".", 1)[0]) is service


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("NOT_A_MEMBER", grpc.StatusCode.PERMISSION_DENIED),
        ("MEMBER_MUTED", grpc.StatusCode.PERMISSION_DENIED),
        ("MEMBER_BANNED", grpc.StatusCode.PERMISSION_DENIED),
        ("USER_RESTRICTED", grpc.StatusCode.PERMISSION_DENIED),
        ("ROLE_REQUIRED", grpc.StatusCode.PERMISSION_DENIED),
        ("COMMUNITY_LIMIT_REACHED", grpc.StatusCode.FAILED_PRECONDITION),
        ("INVITATION_REQUIRED", grpc.StatusCode.FAILED_PRECONDITION),
        ("INVITE_QUOTA_EXHAUSTED", grpc.StatusCode.RESOURCE_EXHAUSTED),
        ("OWNER_CANNOT_LEAVE", grpc.StatusCode.FAILED_PRECONDITION),
        ("CONSISTENCY_TIMEOUT", grpc.StatusCode.UNAVAILABLE),
        ("INSIGHTS_THRESHOLD_NOT_MET", grpc.StatusCode.FAILED_PRECONDITION),
    ],
)
def test_reasons_the_spec_names_go_with_the_specs_codes(reason: str, code: grpc.StatusCode) -> None:
    assert getattr(reasons, reason) == reason
    assert reasons.code(reason) == code


def test_every_reason_is_upper_snake_and_its_own_name() -> None:
    for name in reasons.ALL:
        assert name.isupper() and " " not in name
        assert getattr(reasons, name) == name


def test_insights_threshold_metadata_keys() -> None:
    assert reasons.METADATA_MEMBER_COUNT == "member_count"
    assert reasons.METADATA_THRESHOLD == "threshold"
