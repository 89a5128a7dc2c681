"""A report of a post, a comment or a user, waiting in a queue until it is resolved.

REASON_COMMUNITY_RULE (citing one of the community's rules) goes to the community's queue;
every other reason to the platform queue. Automod files reports too (AUTOMOD_FLAG), into the
matching rule's queue. A report is resolved once; the resolution's action (remove, mute, ban)
is taken on the content or on the user the report is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from community_common.errors import FailedPrecondition, InvalidArgument, NotFound
from community_contracts import reasons

from moderation.domain import limits, validation
from moderation.domain.aggregate import Aggregate
from moderation.domain.times import timestamp as _timestamp

PLATFORM_REASONS = frozenset(
    {types.REASON_SPAM, types.REASON_HARASSMENT, types.REASON_PLATFORM_GUIDELINES}
)
RESOLUTIONS = frozenset(
    {
        types.RESOLUTION_DISMISS,
        types.RESOLUTION_REMOVE_CONTENT,
        types.RESOLUTION_MUTE_AUTHOR,
        types.RESOLUTION_BAN_AUTHOR,
    }
)


def goes_to_platform_queue(reason: int) -> bool:
    return reason in PLATFORM_REASONS


def check_report_arguments(reason: int, rule_id: str, details: str) -> None:
    """The reason is known; a community-rule report cites a rule, other reasons none."""
    problems = validation.text("details", details, limits.MAX_REPORT_DETAILS)
    if reason == types.REASON_COMMUNITY_RULE:
        problems += validation.required_id("rule_id", rule_id)
    elif reason in PLATFORM_REASONS:
        if rule_id:
            problems.append(("rule_id", "only REASON_COMMUNITY_RULE cites a rule"))
    else:
        problems.append(("reason", "must be one of the REASON_* values"))
    validation.check(problems)


@dataclass(frozen=True)
class ReportTarget:
    """What a report is about: content (post, or comment on it) or a user; `user_id` is the
    reported user or the content's author."""

    community_id: str
    user_id: str
    group_id: str = ""
    post_id: str = ""
    comment_id: str = ""

    @property
    def is_content(self) -> bool:
        return bool(self.post_id)


class Report(Aggregate):
    def __init__(self, report_id: str) -> None:
        super().__init__()
        self.report_id = report_id
        self.view = api.Report(report_id=report_id)

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def is_open(self) -> bool:
        return self.view.status == types.REPORT_STATUS_OPEN

    @property
    def target(self) -> ReportTarget:
        return ReportTarget(
            community_id=self.view.community_id,
            user_id=self.view.user_id,
            group_id=self.view.group_id,
            post_id=self.view.post_id,
            comment_id=self.view.comment_id,
        )

    def require_exists(self) -> None:
        if not self.exists:
            raise NotFound(
                "report not found",
                reason=reasons.REPORT_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: self.report_id},
            )

    def file(
        self,
        target: ReportTarget,
        *,
        reason: int,
        rule_id: str = "",
        details: str = "",
        reporter_id: str = "",
        automod_rule_id: str = "",
        platform: bool,
        now: datetime,
    ) -> None:
        """File the report (once: a report id is filed only at version 0)."""
        self.record(
            events.ReportFiled(
                report_id=self.report_id,
                community_id=target.community_id,
                group_id=target.group_id,
                post_id=target.post_id,
                comment_id=target.comment_id,
                user_id=target.user_id,
                reporter_id=reporter_id,
                automod_rule_id=automod_rule_id,
                reason=reason,  # type: ignore[arg-type]
                rule_id=rule_id,
                details=details,
                platform=platform,
            ),
            now,
        )

    def check_resolvable(self, resolution: int) -> None:
        """The report is open and the resolution fits what it is about."""
        self.require_exists()
        if not self.is_open:
            raise FailedPrecondition(
                reasons.REPORT_ALREADY_RESOLVED, "the report has already been resolved"
            )
        check_resolution(resolution, self.target)

    def resolve(self, resolution: int, note: str, actor_id: str, now: datetime) -> None:
        self.check_resolvable(resolution)
        self.record(
            events.ReportResolved(
                report_id=self.report_id,
                community_id=self.view.community_id,
                group_id=self.view.group_id,
                post_id=self.view.post_id,
                comment_id=self.view.comment_id,
                user_id=self.view.user_id,
                resolution=resolution,  # type: ignore[arg-type]
                note=note,
                actor_id=actor_id,
                platform=self.view.platform,
            ),
            now,
        )

    def _on_ReportFiled(self, event: events.ReportFiled, at: datetime) -> None:
        self.view = api.Report(
            report_id=event.report_id,
            community_id=event.community_id,
            group_id=event.group_id,
            post_id=event.post_id,
            comment_id=event.comment_id,
            user_id=event.user_id,
            reporter_id=event.reporter_id,
            automod_rule_id=event.automod_rule_id,
            reason=event.reason,
            rule_id=event.rule_id,
            details=event.details,
            platform=event.platform,
            status=types.REPORT_STATUS_OPEN,
            created_at=_timestamp(at),
        )

    def _on_ReportResolved(self, event: events.ReportResolved, at: datetime) -> None:
        self.view.status = types.REPORT_STATUS_RESOLVED
        self.view.resolution = event.resolution
        self.view.note = event.note
        self.view.resolver_id = event.actor_id
        self.view.resolved_at.CopyFrom(_timestamp(at))

    def snapshot(self) -> dict[str, Any]:
        return {"view": self.view.SerializeToString()}

    def restore_snapshot(self, state: dict[str, Any]) -> None:
        self.view = api.Report.FromString(bytes(state["view"]))


def check_resolution(resolution: int, target: ReportTarget) -> None:
    if resolution not in RESOLUTIONS:
        raise InvalidArgument({"resolution": "must be one of the RESOLUTION_* values"})
    if resolution == types.RESOLUTION_REMOVE_CONTENT and not target.is_content:
        raise InvalidArgument({"resolution": "a reported user has no content to remove"})
