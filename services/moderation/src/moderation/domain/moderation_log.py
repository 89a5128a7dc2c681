"""The moderation log: every action as an entry (actor or automod, target, reason, time).

An entry belongs to its community's log; platform-wide actions (restrictions, platform
automod rules) to the platform log, and a report resolved from the platform queue to both.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import moderation_service_pb2 as api
from google.protobuf.message import Message

from moderation.domain.times import timestamp

PLATFORM = ""  # the log "community" of platform-wide actions

Entry: TypeAlias = api.ModerationLogEntry


def log_entries(event: Message, at: datetime) -> list[tuple[str, Entry]]:
    """The log entries an event makes, each with the log it goes in (PLATFORM or a community
    id); none for events that are not actions (ReportFiled)."""
    entry = Entry(time=timestamp(at))
    if isinstance(event, events.ContentRemoved | events.ContentRestored):
        entry.MergeFrom(
            Entry(
                action=api.MODERATION_ACTION_CONTENT_REMOVED
                if isinstance(event, events.ContentRemoved)
                else api.MODERATION_ACTION_CONTENT_RESTORED,
                community_id=event.community_id,
                actor_id=event.actor_id,
                user_id=event.author_id,
                post_id=event.post_id,
                comment_id=event.comment_id,
                reason=event.reason,
            )
        )
        if isinstance(event, events.ContentRemoved):
            entry.automod_rule_id = event.automod_rule_id
            entry.report_id = event.report_id
        return [(event.community_id, entry)]
    if isinstance(event, events.MemberMuted):
        entry.MergeFrom(
            Entry(
                action=api.MODERATION_ACTION_MEMBER_MUTED,
                community_id=event.community_id,
                actor_id=event.actor_id,
                automod_rule_id=event.automod_rule_id,
                user_id=event.user_id,
                report_id=event.report_id,
                reason=event.reason,
                expires_at=event.expires_at,
            )
        )
        return [(event.community_id, entry)]
    if isinstance(event, events.MemberBanned):
        entry.MergeFrom(
            Entry(
                action=api.MODERATION_ACTION_MEMBER_BANNED,
                community_id=event.community_id,
                actor_id=event.actor_id,
                user_id=event.user_id,
                report_id=event.report_id,
                reason=event.reason,
            )
        )
        if event.HasField("expires_at"):
            entry.expires_at.CopyFrom(event.expires_at)
        return [(event.community_id, entry)]
    if isinstance(event, events.MemberUnmuted | events.MemberUnbanned):
        entry.MergeFrom(
            Entry(
                action=api.MODERATION_ACTION_MEMBER_UNMUTED
                if isinstance(event, events.MemberUnmuted)
                else api.MODERATION_ACTION_MEMBER_UNBANNED,
                community_id=event.community_id,
                actor_id=event.actor_id,
                user_id=event.user_id,
                reason=event.reason,
            )
        )
        return [(event.community_id, entry)]
    if isinstance(event, events.UserRestricted):
        entry.MergeFrom(
            Entry(
                action=api.MODERATION_ACTION_USER_RESTRICTED,
                actor_id=event.actor_id,
                user_id=event.user_id,
                report_id=event.report_id,
                reason=event.reason,
                expires_at=event.expires_at,
                actions=event.actions,
            )
        )
        return [(PLATFORM, entry)]
    if isinstance(event, events.RestrictionLifted):
        entry.MergeFrom(
            Entry(
                action=api.MODERATION_ACTION_RESTRICTION_LIFTED,
                actor_id=event.actor_id,
                user_id=event.user_id,
                reason=event.reason,
                actions=event.actions,
            )
        )
        return [(PLATFORM, entry)]
    if isinstance(event, events.ReportResolved):
        entry.MergeFrom(
            Entry(
                action=api.MODERATION_ACTION_REPORT_RESOLVED,
                community_id=event.community_id,
                actor_id=event.actor_id,
                user_id=event.user_id,
                post_id=event.post_id,
                comment_id=event.comment_id,
                report_id=event.report_id,
                reason=event.note,
            )
        )
        logs = [event.community_id]
        if event.platform:
            logs.append(PLATFORM)
        return [(log, entry) for log in logs]
    if isinstance(event, events.RuleAdded | events.RuleUpdated | events.RuleRemoved):
        action = {
            events.RuleAdded: api.MODERATION_ACTION_RULE_ADDED,
            events.RuleUpdated: api.MODERATION_ACTION_RULE_UPDATED,
            events.RuleRemoved: api.MODERATION_ACTION_RULE_REMOVED,
        }[type(event)]
        entry.MergeFrom(
            Entry(
                action=action,
                community_id=event.community_id,
                actor_id=event.actor_id,
                rule_id=event.rule_id,
            )
        )
        return [(event.community_id, entry)]
    if isinstance(event, events.AutomodRuleAdded | events.AutomodRuleRemoved):
        entry.MergeFrom(
            Entry(
                action=api.MODERATION_ACTION_AUTOMOD_RULE_ADDED
                if isinstance(event, events.AutomodRuleAdded)
                else api.MODERATION_ACTION_AUTOMOD_RULE_REMOVED,
                community_id=event.community_id,
                actor_id=event.actor_id,
                automod_rule_id=event.automod_rule_id,
            )
        )
        return [(PLATFORM if event.platform else event.community_id, entry)]
    return []
