"""Every action becomes a log entry in the right log; filing a report is not an action."""

from datetime import UTC, datetime

import pytest
from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from google.protobuf.timestamp_pb2 import Timestamp
from moderation.domain.moderation_log import PLATFORM, log_entries

AT = datetime(2025, 1, 1, tzinfo=UTC)
LATER = Timestamp(seconds=1_800_000_000)


@pytest.mark.parametrize(
    ("event", "action", "log"),
    [
        (
            events.ContentRemoved(community_id="c", post_id="p", author_id="u", actor_id="m"),
            api.MODERATION_ACTION_CONTENT_REMOVED,
            "c",
        ),
        (
            events.ContentRestored(community_id="c", post_id="p", author_id="u", actor_id="m"),
            api.MODERATION_ACTION_CONTENT_RESTORED,
            "c",
        ),
        (
            events.MemberMuted(community_id="c", user_id="u", actor_id="m", expires_at=LATER),
            api.MODERATION_ACTION_MEMBER_MUTED,
            "c",
        ),
        (
            events.MemberUnmuted(community_id="c", user_id="u", actor_id="m"),
            api.MODERATION_ACTION_MEMBER_UNMUTED,
            "c",
        ),
        (
            events.MemberBanned(community_id="c", user_id="u", actor_id="m"),
            api.MODERATION_ACTION_MEMBER_BANNED,
            "c",
        ),
        (
            events.MemberUnbanned(community_id="c", user_id="u", actor_id="m"),
            api.MODERATION_ACTION_MEMBER_UNBANNED,
            "c",
        ),
        (
            events.UserRestricted(user_id="u", actor_id="m", actions=[types.ACTION_POST]),
            api.MODERATION_ACTION_USER_RESTRICTED,
            PLATFORM,
        ),
        (
            events.RestrictionLifted(user_id="u", actor_id="m", actions=[types.ACTION_POST]),
            api.MODERATION_ACTION_RESTRICTION_LIFTED,
            PLATFORM,
        ),
        (
            events.ReportResolved(report_id="r", community_id="c", user_id="u", actor_id="m"),
            api.MODERATION_ACTION_REPORT_RESOLVED,
            "c",
        ),
        (
            events.RuleAdded(rule_id="r", community_id="c", actor_id="m"),
            api.MODERATION_ACTION_RULE_ADDED,
            "c",
        ),
        (
            events.RuleUpdated(rule_id="r", community_id="c", actor_id="m"),
            api.MODERATION_ACTION_RULE_UPDATED,
            "c",
        ),
        (
            events.RuleRemoved(rule_id="r", community_id="c", actor_id="m"),
            api.MODERATION_ACTION_RULE_REMOVED,
            "c",
        ),
        (
            events.AutomodRuleAdded(automod_rule_id="a", community_id="c", actor_id="m"),
            api.MODERATION_ACTION_AUTOMOD_RULE_ADDED,
            "c",
        ),
        (
            events.AutomodRuleAdded(automod_rule_id="a", platform=True, actor_id="m"),
            api.MODERATION_ACTION_AUTOMOD_RULE_ADDED,
            PLATFORM,
        ),
        (
            events.AutomodRuleRemoved(automod_rule_id="a", community_id="c", actor_id="m"),
            api.MODERATION_ACTION_AUTOMOD_RULE_REMOVED,
            "c",
        ),
    ],
)
def test_each_action_is_logged_with_actor_and_time(event, action, log):
    ((where, entry),) = log_entries(event, AT)
    assert (where, entry.action, entry.actor_id) == (log, action, "m")
    assert entry.time.ToDatetime(tzinfo=UTC) == AT


def test_an_automod_removal_names_the_rule_and_the_author_as_target():
    event = events.ContentRemoved(
        community_id="c", post_id="p", comment_id="k", author_id="u", automod_rule_id="am"
    )
    ((_, entry),) = log_entries(event, AT)
    assert (entry.actor_id, entry.automod_rule_id, entry.user_id) == ("", "am", "u")
    assert (entry.post_id, entry.comment_id) == ("p", "k")


def test_mutes_and_timed_bans_show_their_end_and_permanent_bans_none():
    ((_, mute),) = log_entries(events.MemberMuted(community_id="c", expires_at=LATER), AT)
    assert mute.expires_at == LATER
    ((_, ban),) = log_entries(events.MemberBanned(community_id="c"), AT)
    assert not ban.HasField("expires_at")


def test_a_platform_report_resolution_is_in_the_community_and_platform_logs():
    event = events.ReportResolved(report_id="r", community_id="c", platform=True, note="spam")
    assert [where for where, _ in log_entries(event, AT)] == ["c", PLATFORM]
    assert log_entries(event, AT)[0][1].reason == "spam"


def test_filing_a_report_is_not_an_action():
    assert log_entries(events.ReportFiled(report_id="r", community_id="c"), AT) == []
