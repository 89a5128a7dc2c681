"""The moderation use cases, one method per RPC of `community.moderation.v1.ModerationService`.

Each runs the checks in the contract's order: arguments, then (after waiting for the
request's consistency token) existence, permission, and the rules; then it loads the
aggregate, lets it decide, appends its events (re-running on a lost write race) and projects
them into the lists at once, so the caller's next query sees its write. A mutation with a
`request_id` returns the remembered first result when retried; a refused one is not remembered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from community_common.clock import new_id, utc_now
from community_common.commands import Command, run_once
from community_common.context import Caller
from community_common.errors import NotFound
from community_common.event_store import (
    Commit,
    EventStore,
    RequestKey,
    retry_on_conflict,
)
from community_contracts import reasons
from google.protobuf.message import Message

from moderation.adapters.lists import page_size, page_token, parse_page_token
from moderation.adapters.moderation_lists import (
    ModerationLists,
    automod_list,
    log_list,
    reports_list,
    rules_list,
)
from moderation.adapters.repository import Repository
from moderation.application.lookups import Lookups
from moderation.domain import limits, standing, validation
from moderation.domain.aggregate import Aggregate
from moderation.domain.automod import AutomodRule, check_rule_arguments
from moderation.domain.content import Content, PostModeration
from moderation.domain.moderation_log import PLATFORM
from moderation.domain.reports import (
    RESOLUTIONS,
    Report,
    ReportTarget,
    check_report_arguments,
    goes_to_platform_queue,
)
from moderation.domain.restrictions import UserRestrictions, check_actions
from moderation.domain.rules import Rule, check_rule_text
from moderation.domain.sanctions import CommunitySanctions
from moderation.domain.times import timestamp

R = TypeVar("R", bound=Message)
A = TypeVar("A", bound=Aggregate)

# A filtered list (reports by status) looks at most this many pages' worth of entries per
# call; a page may come back short, with a token to continue.
SCAN_PAGES = 5


def _duration(request: Message) -> timedelta | None:
    return request.duration.ToTimedelta() if request.HasField("duration") else None  # type: ignore[attr-defined]


def _scope_violations(community_id: str, platform: bool) -> list[tuple[str, str]]:
    if bool(community_id) == platform:
        return [("community_id", "give a community_id, or platform = true, not both")]
    return validation.required_id("community_id", community_id) if community_id else []


def _reason(value: str) -> list[tuple[str, str]]:
    return validation.text("reason", value, limits.MAX_REASON)


@dataclass
class Moderation:
    repository: Repository
    store: EventStore
    lists: ModerationLists
    lookups: Lookups
    clock: Callable[[], datetime] = utc_now

    # --- rules ---------------------------------------------------------------------------

    async def add_rule(self, caller: Caller, request: api.AddRuleRequest) -> api.AddRuleResponse:
        validation.check(validation.required_id("community_id", request.community_id))
        check_rule_text(request.title, request.description)
        await self.lookups.catch_up(request.consistency_token)

        async def command(key: RequestKey | None) -> tuple[api.AddRuleResponse, Commit | None]:
            community = await self.lookups.community(request.community_id)
            actor = await self.lookups.caller_standing(community.community_id, caller)
            standing.require_admin(actor)
            standing.require_active(community)
            rule = Rule(new_id())
            rule.add(
                community.community_id,
                request.title,
                request.description,
                caller.user_id,
                self.clock(),
            )
            response = api.AddRuleResponse(rule=_rule_view(rule))
            return response, await self._save(rule, rule.rule_id, key, response)

        return await self._once(
            caller, request.request_id, "AddRule", api.AddRuleResponse, command
        )

    async def update_rule(
        self, caller: Caller, request: api.UpdateRuleRequest
    ) -> api.UpdateRuleResponse:
        paths = set(request.update_mask.paths)
        problems = validation.required_id("rule_id", request.rule_id)
        if paths - {"title", "description"}:
            problems.append(("update_mask", 'may name only "title" and "description"'))
        if not paths:
            paths = {p for p in ("title", "description") if getattr(request, p)}
            if not paths:
                problems.append(("update_mask", "nothing to change"))
        validation.check(problems)
        title = request.title if "title" in paths else None
        description = request.description if "description" in paths else None
        check_rule_text(title or "", description or "", title_required="title" in paths)
        await self.lookups.catch_up(request.consistency_token)

        async def command(key: RequestKey | None) -> tuple[api.UpdateRuleResponse, Commit | None]:
            rule = await self._existing(Rule, request.rule_id)
            await self._require_rule_admin(caller, rule)
            rule.update(title, description, caller.user_id, self.clock())
            response = api.UpdateRuleResponse(rule=_rule_view(rule))
            return response, await self._save(rule, rule.rule_id, key, response)

        return await self._once(
            caller, request.request_id, "UpdateRule", api.UpdateRuleResponse, command
        )

    async def remove_rule(
        self, caller: Caller, request: api.RemoveRuleRequest
    ) -> api.RemoveRuleResponse:
        validation.check(validation.required_id("rule_id", request.rule_id))
        await self.lookups.catch_up(request.consistency_token)

        async def command(key: RequestKey | None) -> tuple[api.RemoveRuleResponse, Commit | None]:
            rule = await self._existing(Rule, request.rule_id)
            await self._require_rule_admin(caller, rule)
            rule.remove(caller.user_id, self.clock())
            response = api.RemoveRuleResponse()
            return response, await self._save(rule, rule.rule_id, key, response)

        return await self._once(
            caller, request.request_id, "RemoveRule", api.RemoveRuleResponse, command
        )

    async def list_rules(
        self, caller: Caller, request: api.ListRulesRequest
    ) -> api.ListRulesResponse:
        validation.check(validation.required_id("community_id", request.community_id))
        size = page_size(request.page_size, limits.DEFAULT_PAGE_SIZE, limits.MAX_PAGE_SIZE)
        start = parse_page_token(request.page_token) or 1
        await self.lookups.catch_up(request.consistency_token)
        community = await self.lookups.community(request.community_id)
        standing.require_reader(
            community, await self.lookups.caller_standing(community.community_id, caller)
        )
        found, next_start = await self.lists.oldest_first(
            rules_list(community.community_id), start, size
        )
        rules = await self._load_all(Rule, [entry["rule_id"] for _, entry in found])
        return api.ListRulesResponse(
            rules=[_rule_view(rule) for rule in rules if rule.exists],
            next_page_token=page_token(next_start) if next_start else "",
        )

    async def _require_rule_admin(self, caller: Caller, rule: Rule) -> None:
        community = await self.lookups.community(rule.community_id)
        standing.require_admin(await self.lookups.caller_standing(rule.community_id, caller))
        standing.require_active(community)

    # --- reports ---------------------------------------------------------------------------

    async def report_content(
        self, caller: Caller, request: api.ReportContentRequest
    ) -> api.ReportContentResponse:
        target_kind = request.WhichOneof("target")
        problems = validation.required_id("community_id", request.community_id)
        if target_kind is None:
            problems.append(("target", "give one of post_id, comment_id, user_id"))
        else:
            problems += validation.required_id(target_kind, getattr(request, target_kind))
        validation.check(problems)
        check_report_arguments(request.reason, request.rule_id, request.details)
        await self.lookups.catch_up(request.consistency_token)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.ReportContentResponse, Commit | None]:
            community = await self.lookups.community(request.community_id)
            target = await self._report_target(request)
            if request.reason == types.REASON_COMMUNITY_RULE:
                rule = await self.repository.load(Rule, request.rule_id)
                if rule.community_id != community.community_id:
                    Rule(request.rule_id).require_exists()  # another community's: not here
                rule.require_exists()
            reporter = await self.lookups.caller_standing(community.community_id, caller)
            standing.require_reader(community, reporter)
            standing.require_active(community)
            report = Report(new_id())
            report.file(
                target,
                reason=request.reason,
                rule_id=request.rule_id,
                details=request.details,
                reporter_id=caller.user_id,
                platform=goes_to_platform_queue(request.reason),
                now=self.clock(),
            )
            response = api.ReportContentResponse(report=report.view)
            return response, await self._save(report, report.report_id, key, response)

        return await self._once(
            caller, request.request_id, "ReportContent", api.ReportContentResponse, command
        )

    async def _report_target(self, request: api.ReportContentRequest) -> ReportTarget:
        if request.HasField("user_id"):
            return ReportTarget(request.community_id, request.user_id)
        content = (
            await self.lookups.post(request.post_id)
            if request.HasField("post_id")
            else await self.lookups.comment(request.comment_id)
        )
        if content.community_id != request.community_id:
            # Content of another community is not found in this one.
            kind = "post" if request.HasField("post_id") else "comment"
            raise NotFound(
                f"{kind} not found in this community",
                reason=reasons.POST_NOT_FOUND if kind == "post" else reasons.COMMENT_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: getattr(request, f"{kind}_id")},
            )
        return ReportTarget(
            community_id=content.community_id,
            user_id=content.author_id,
            group_id=content.group_id,
            post_id=content.post_id,
            comment_id=content.comment_id,
        )

    async def list_reports(
        self, caller: Caller, request: api.ListReportsRequest
    ) -> api.ListReportsResponse:
        problems = _scope_violations(request.community_id, request.platform)
        if request.status not in types.ReportStatus.values():
            problems.append(("status", "must be a REPORT_STATUS_* value"))
        validation.check(problems)
        size = page_size(request.page_size, limits.DEFAULT_PAGE_SIZE, limits.MAX_PAGE_SIZE)
        start = parse_page_token(request.page_token)
        await self.lookups.catch_up(request.consistency_token)
        queue = await self._readable_queue(caller, request.community_id, request.platform)
        reports: list[api.Report] = []
        next_start: int | None = start
        for _ in range(SCAN_PAGES):
            found, after = await self.lists.newest_first(reports_list(queue), next_start, size)
            loaded = await self._load_all(Report, [entry["report_id"] for _, entry in found])
            for (position, _), report in zip(found, loaded, strict=True):
                if len(reports) == size:
                    after = position
                    break
                if request.status in (types.REPORT_STATUS_UNSPECIFIED, report.view.status):
                    reports.append(report.view)
            next_start = after
            if next_start is None or len(reports) == size:
                break
        return api.ListReportsResponse(
            reports=reports, next_page_token=page_token(next_start) if next_start else ""
        )

    async def _readable_queue(self, caller: Caller, community_id: str, platform: bool) -> str:
        """The queue's list name after checking the caller may read it (moderators and
        above for a community's queue, platform admins for the platform's)."""
        if platform:
            standing.require_platform_admin(
                standing.Standing(caller.user_id, platform_admin=caller.is_platform_admin)
            )
            return PLATFORM
        community = await self.lookups.community(community_id)
        standing.require_moderator(await self.lookups.caller_standing(community_id, caller))
        return community.community_id

    async def resolve_report(
        self, caller: Caller, request: api.ResolveReportRequest
    ) -> api.ResolveReportResponse:
        duration = _duration(request)
        problems = validation.required_id("report_id", request.report_id)
        if request.resolution not in RESOLUTIONS:
            problems.append(("resolution", "must be one of the RESOLUTION_* values"))
        problems += validation.text("note", request.note, limits.MAX_NOTE)
        if request.resolution == types.RESOLUTION_MUTE_AUTHOR and duration is not None:
            problems += validation.mute_duration("duration", duration)
        problems += validation.positive_duration("duration", duration)
        validation.check(problems)
        await self.lookups.catch_up(request.consistency_token)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.ResolveReportResponse, Commit | None]:
            report = await self._existing(Report, request.report_id)
            target = report.target
            community = await self.lookups.community(target.community_id)
            actor = await self.lookups.caller_standing(target.community_id, caller)
            if report.view.platform:
                standing.require_platform_admin(actor)
            elif request.resolution == types.RESOLUTION_DISMISS:
                standing.require_moderator(actor)
            if request.resolution != types.RESOLUTION_DISMISS:
                author = await self.lookups.standing(target.community_id, target.user_id)
                standing.require_acts_on(actor, author)
            standing.require_active(community)
            # Refuse a resolved report before acting; the resolve below settles races.
            report.check_resolvable(request.resolution)
            # The action goes first: if this process dies before the report is resolved, the
            # report stays open and can be resolved again, instead of resolved without action.
            await self._take_resolution_action(caller, report, request.resolution, duration)

            async def resolve() -> tuple[api.ResolveReportResponse, Commit | None]:
                current = await self._existing(Report, request.report_id)
                current.resolve(request.resolution, request.note, caller.user_id, self.clock())
                response = api.ResolveReportResponse(report=current.view)
                return response, await self._save(current, current.report_id, key, response)

            # Only the resolve is re-run when it loses a race: the action above is taken once.
            return await retry_on_conflict(resolve)

        return await self._once(
            caller, request.request_id, "ResolveReport", api.ResolveReportResponse, command
        )

    async def _take_resolution_action(
        self, caller: Caller, report: Report, resolution: int, duration: timedelta | None
    ) -> None:
        target = report.target
        if resolution == types.RESOLUTION_REMOVE_CONTENT:
            content = Content(
                target.community_id,
                target.post_id,
                target.user_id,
                target.group_id,
                target.comment_id,
            )
            await self._change_content(
                content, remove=True, actor_id=caller.user_id, report_id=report.report_id
            )
        elif resolution == types.RESOLUTION_MUTE_AUTHOR:
            await self._sanction(
                target.community_id,
                lambda s, now: s.mute(
                    target.user_id,
                    duration or limits.DEFAULT_REPORT_MUTE,
                    now,
                    actor_id=caller.user_id,
                    report_id=report.report_id,
                ),
            )
        elif resolution == types.RESOLUTION_BAN_AUTHOR:
            await self._sanction(
                target.community_id,
                lambda s, now: s.ban(
                    target.user_id,
                    duration,
                    now,
                    actor_id=caller.user_id,
                    report_id=report.report_id,
                ),
            )

    # --- content ---------------------------------------------------------------------------

    async def remove_content(
        self, caller: Caller, request: api.RemoveContentRequest
    ) -> api.RemoveContentResponse:
        await self._act_on_content(caller, request, remove=True, operation="RemoveContent")
        return api.RemoveContentResponse()

    async def restore_content(
        self, caller: Caller, request: api.RestoreContentRequest
    ) -> api.RestoreContentResponse:
        await self._act_on_content(caller, request, remove=False, operation="RestoreContent")
        return api.RestoreContentResponse()

    async def _act_on_content(
        self,
        caller: Caller,
        request: api.RemoveContentRequest | api.RestoreContentRequest,
        *,
        remove: bool,
        operation: str,
    ) -> None:
        kind = request.WhichOneof("target")
        problems = (
            [("target", "give one of post_id, comment_id")]
            if kind is None
            else validation.required_id(kind, getattr(request, kind))
        )
        validation.check(problems, _reason(request.reason))
        await self.lookups.catch_up(request.consistency_token)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.RemoveContentResponse, Commit | None]:
            content = (
                await self.lookups.post(request.post_id)
                if kind == "post_id"
                else await self.lookups.comment(request.comment_id)
            )
            community = await self.lookups.community(content.community_id)
            actor = await self.lookups.caller_standing(content.community_id, caller)
            author = await self.lookups.standing(content.community_id, content.author_id)
            standing.require_acts_on(actor, author)
            standing.require_active(community)
            response = api.RemoveContentResponse()
            commit = await self._change_content(
                content,
                remove=remove,
                actor_id=caller.user_id,
                reason=request.reason,
                request=key,
                response=response,
            )
            return response, commit

        await self._once(caller, request.request_id, operation, api.RemoveContentResponse, command)

    async def _change_content(
        self,
        content: Content,
        *,
        remove: bool,
        actor_id: str,
        reason: str = "",
        report_id: str = "",
        request: RequestKey | None = None,
        response: Message | None = None,
    ) -> Commit | None:
        async def change() -> Commit | None:
            post = await self.repository.load(PostModeration, content.post_id)
            now = self.clock()
            if remove:
                post.remove(content, now, actor_id=actor_id, report_id=report_id, reason=reason)
            else:
                post.restore(content, actor_id, reason, now)
            return await self._save(post, content.post_id, request, response)

        return await retry_on_conflict(change)

    # --- sanctions ---------------------------------------------------------------------

    async def mute_member(
        self, caller: Caller, request: api.MuteMemberRequest
    ) -> api.MuteMemberResponse:
        duration = _duration(request)
        self._check_member_request(request)
        validation.check(validation.mute_duration("duration", duration))
        assert duration is not None
        await self.lookups.catch_up(request.consistency_token)

        async def command(key: RequestKey | None) -> tuple[api.MuteMemberResponse, Commit | None]:
            await self._require_acts_on_member(caller, request.community_id, request.user_id)
            return await self._sanction(
                request.community_id,
                lambda s, now: s.mute(
                    request.user_id, duration, now, actor_id=caller.user_id, reason=request.reason
                ),
                key,
                lambda expires_at: api.MuteMemberResponse(expires_at=timestamp(expires_at)),
            )

        return await self._once(
            caller, request.request_id, "MuteMember", api.MuteMemberResponse, command
        )

    async def unmute_member(
        self, caller: Caller, request: api.UnmuteMemberRequest
    ) -> api.UnmuteMemberResponse:
        self._check_member_request(request)
        await self.lookups.catch_up(request.consistency_token)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.UnmuteMemberResponse, Commit | None]:
            await self._require_acts_on_member(caller, request.community_id, request.user_id)
            return await self._sanction(
                request.community_id,
                lambda s, now: s.unmute(request.user_id, caller.user_id, request.reason, now),
                key,
                lambda _: api.UnmuteMemberResponse(),
            )

        return await self._once(
            caller, request.request_id, "UnmuteMember", api.UnmuteMemberResponse, command
        )

    async def ban_member(
        self, caller: Caller, request: api.BanMemberRequest
    ) -> api.BanMemberResponse:
        duration = _duration(request)
        self._check_member_request(request)
        validation.check(validation.positive_duration("duration", duration))
        await self.lookups.catch_up(request.consistency_token)

        def respond(expires_at: datetime | None) -> api.BanMemberResponse:
            response = api.BanMemberResponse()
            if expires_at is not None:
                response.expires_at.CopyFrom(timestamp(expires_at))
            return response

        async def command(key: RequestKey | None) -> tuple[api.BanMemberResponse, Commit | None]:
            await self._require_acts_on_member(caller, request.community_id, request.user_id)
            return await self._sanction(
                request.community_id,
                lambda s, now: s.ban(
                    request.user_id, duration, now, actor_id=caller.user_id, reason=request.reason
                ),
                key,
                respond,
            )

        return await self._once(
            caller, request.request_id, "BanMember", api.BanMemberResponse, command
        )

    async def unban_member(
        self, caller: Caller, request: api.UnbanMemberRequest
    ) -> api.UnbanMemberResponse:
        self._check_member_request(request)
        await self.lookups.catch_up(request.consistency_token)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.UnbanMemberResponse, Commit | None]:
            await self._require_acts_on_member(caller, request.community_id, request.user_id)
            return await self._sanction(
                request.community_id,
                lambda s, now: s.unban(request.user_id, caller.user_id, request.reason, now),
                key,
                lambda _: api.UnbanMemberResponse(),
            )

        return await self._once(
            caller, request.request_id, "UnbanMember", api.UnbanMemberResponse, command
        )

    @staticmethod
    def _check_member_request(request: Any) -> None:
        validation.check(
            validation.required_id("community_id", request.community_id),
            validation.required_id("user_id", request.user_id),
            _reason(request.reason),
        )

    async def _require_acts_on_member(
        self, caller: Caller, community_id: str, user_id: str
    ) -> None:
        community = await self.lookups.community(community_id)
        actor = await self.lookups.caller_standing(community_id, caller)
        standing.require_acts_on(actor, await self.lookups.standing(community_id, user_id))
        standing.require_active(community)

    async def _sanction(
        self,
        community_id: str,
        act: Callable[[CommunitySanctions, datetime], Any],
        request: RequestKey | None = None,
        respond: Callable[[Any], Message | None] = lambda _: None,
    ) -> tuple[Any, Commit | None]:
        """Load the community's sanctions, `act` on them, and save; `respond` turns what `act`
        returned into the response stored with the commit. Re-run when it loses a race."""

        async def change() -> tuple[Any, Commit | None]:
            sanctions = await self.repository.load(CommunitySanctions, community_id)
            acted = act(sanctions, self.clock())
            response = respond(acted)
            return response, await self._save(sanctions, community_id, request, response)

        return await retry_on_conflict(change)

    # --- platform restrictions ---------------------------------------------------------

    async def restrict_user(
        self, caller: Caller, request: api.RestrictUserRequest
    ) -> api.RestrictUserResponse:
        duration = _duration(request)
        validation.check(
            validation.required_id("user_id", request.user_id),
            check_actions("actions", request.actions, required=True),
            [("duration", "is required")] if duration is None else [],
            validation.positive_duration("duration", duration),
            _reason(request.reason),
        )
        await self.lookups.catch_up(request.consistency_token)
        _require_platform_admin(caller)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.RestrictUserResponse, Commit | None]:
            restrictions = await self.repository.load(UserRestrictions, request.user_id)
            expires_at = restrictions.restrict(
                request.actions, duration, caller.user_id, request.reason, self.clock()
            )
            response = api.RestrictUserResponse(expires_at=timestamp(expires_at))
            return response, await self._save(restrictions, request.user_id, key, response)

        return await self._once(
            caller, request.request_id, "RestrictUser", api.RestrictUserResponse, command
        )

    async def lift_restriction(
        self, caller: Caller, request: api.LiftRestrictionRequest
    ) -> api.LiftRestrictionResponse:
        validation.check(
            validation.required_id("user_id", request.user_id),
            check_actions("actions", request.actions, required=False),
            _reason(request.reason),
        )
        await self.lookups.catch_up(request.consistency_token)
        _require_platform_admin(caller)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.LiftRestrictionResponse, Commit | None]:
            restrictions = await self.repository.load(UserRestrictions, request.user_id)
            restrictions.lift(request.actions, caller.user_id, request.reason, self.clock())
            response = api.LiftRestrictionResponse()
            return response, await self._save(restrictions, request.user_id, key, response)

        return await self._once(
            caller, request.request_id, "LiftRestriction", api.LiftRestrictionResponse, command
        )

    # --- automod rules -------------------------------------------------------------------

    async def add_automod_rule(
        self, caller: Caller, request: api.AddAutomodRuleRequest
    ) -> api.AddAutomodRuleResponse:
        validation.check(_scope_violations(request.community_id, request.platform))
        check_rule_arguments(request.keywords, request.regex, request.action)
        await self.lookups.catch_up(request.consistency_token)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.AddAutomodRuleResponse, Commit | None]:
            await self._require_automod_admin(caller, request.community_id)
            rule = AutomodRule(new_id())
            rule.add(
                community_id=request.community_id,
                keywords=request.keywords,
                regex=request.regex,
                action=request.action,
                actor_id=caller.user_id,
                now=self.clock(),
            )
            response = api.AddAutomodRuleResponse(automod_rule=rule.view)
            return response, await self._save(rule, rule.automod_rule_id, key, response)

        return await self._once(
            caller, request.request_id, "AddAutomodRule", api.AddAutomodRuleResponse, command
        )

    async def list_automod_rules(
        self, caller: Caller, request: api.ListAutomodRulesRequest
    ) -> api.ListAutomodRulesResponse:
        validation.check(_scope_violations(request.community_id, request.platform))
        size = page_size(request.page_size, limits.DEFAULT_PAGE_SIZE, limits.MAX_PAGE_SIZE)
        start = parse_page_token(request.page_token) or 1
        await self.lookups.catch_up(request.consistency_token)
        scope = await self._readable_queue(caller, request.community_id, request.platform)
        found, next_start = await self.lists.oldest_first(automod_list(scope), start, size)
        rules = await self._load_all(AutomodRule, [entry["automod_rule_id"] for _, entry in found])
        return api.ListAutomodRulesResponse(
            automod_rules=[rule.view for rule in rules if rule.exists],
            next_page_token=page_token(next_start) if next_start else "",
        )

    async def remove_automod_rule(
        self, caller: Caller, request: api.RemoveAutomodRuleRequest
    ) -> api.RemoveAutomodRuleResponse:
        validation.check(validation.required_id("automod_rule_id", request.automod_rule_id))
        await self.lookups.catch_up(request.consistency_token)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.RemoveAutomodRuleResponse, Commit | None]:
            rule = await self._existing(AutomodRule, request.automod_rule_id)
            await self._require_automod_admin(caller, rule.view.community_id)
            rule.remove(caller.user_id, self.clock())
            response = api.RemoveAutomodRuleResponse()
            return response, await self._save(rule, rule.automod_rule_id, key, response)

        return await self._once(
            caller,
            request.request_id,
            "RemoveAutomodRule",
            api.RemoveAutomodRuleResponse,
            command,
        )

    async def _require_automod_admin(self, caller: Caller, community_id: str) -> None:
        """Platform rules are for platform admins; a community's for its admins and above."""
        if not community_id:
            _require_platform_admin(caller)
            return
        community = await self.lookups.community(community_id)
        standing.require_admin(await self.lookups.caller_standing(community_id, caller))
        standing.require_active(community)

    # --- the moderation log -------------------------------------------------------------

    async def list_moderation_log(
        self, caller: Caller, request: api.ListModerationLogRequest
    ) -> api.ListModerationLogResponse:
        validation.check(_scope_violations(request.community_id, request.platform))
        size = page_size(request.page_size, limits.DEFAULT_PAGE_SIZE, limits.MAX_PAGE_SIZE)
        start = parse_page_token(request.page_token)
        await self.lookups.catch_up(request.consistency_token)
        scope = await self._readable_queue(caller, request.community_id, request.platform)
        found, next_start = await self.lists.newest_first(log_list(scope), start, size)
        return api.ListModerationLogResponse(
            entries=[ModerationLists.log_entry(entry) for _, entry in found],
            next_page_token=page_token(next_start) if next_start else "",
        )

    # --- plumbing ------------------------------------------------------------------------

    async def _existing(self, kind: type[A], aggregate_id: str) -> A:
        aggregate = await self.repository.load(kind, aggregate_id)
        aggregate.require_exists()  # type: ignore[attr-defined]
        return aggregate

    async def _load_all(self, kind: type[A], ids: Sequence[str]) -> list[A]:
        return list(await asyncio.gather(*(self.repository.load(kind, i) for i in ids)))

    async def _save(
        self,
        aggregate: Aggregate,
        aggregate_id: str,
        request: RequestKey | None = None,
        response: Message | None = None,
    ) -> Commit | None:
        commit = await self.repository.save(
            aggregate, aggregate_id, request=request, result=response
        )
        if commit is not None:
            await self.lists.project_all(commit.events)
        return commit

    async def _once(
        self,
        caller: Caller,
        request_id: str,
        operation: str,
        response_type: type[R],
        command: Command[R],
    ) -> R:
        key = RequestKey.of(caller.user_id, request_id, operation)
        return await run_once(self.store, key, response_type, command)


def _require_platform_admin(caller: Caller) -> None:
    standing.require_platform_admin(
        standing.Standing(caller.user_id, platform_admin=caller.is_platform_admin)
    )


def _rule_view(rule: Rule) -> api.Rule:
    view = api.Rule(
        rule_id=rule.rule_id,
        community_id=rule.community_id,
        title=rule.title,
        description=rule.description,
    )
    if rule.created_at is not None:
        view.created_at.CopyFrom(timestamp(rule.created_at))
    if rule.updated_at is not None:
        view.updated_at.CopyFrom(timestamp(rule.updated_at))
    return view
