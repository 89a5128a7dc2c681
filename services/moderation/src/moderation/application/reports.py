"""Reports: filing, the community and platform queues, resolving (with the action a
resolution takes)."""

from __future__ import annotations

from datetime import timedelta

from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from community_common.clock import new_id
from community_common.commands import run_request
from community_common.context import Caller
from community_common.errors import NotFound
from community_common.event_store import (
    Commit,
    RequestKey,
    retry_on_conflict,
)
from community_contracts import reasons

from moderation.adapters.lists import page_size, page_token, parse_page_token
from moderation.adapters.moderation_lists import (
    reports_list,
)
from moderation.application.pipeline import (
    SCAN_PAGES,
    UseCases,
    duration_of,
    scope_violations,
)
from moderation.domain import limits, standing, validation
from moderation.domain.content import Content
from moderation.domain.reports import (
    RESOLUTIONS,
    Report,
    ReportTarget,
    check_report_arguments,
    goes_to_platform_queue,
)
from moderation.domain.rules import Rule


class Reports(UseCases):
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
        await self.lookups.catch_up(request.consistency_token, community_id=request.community_id)

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
            reporter = await self.lookups.caller_standing(community, caller)
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

        return await run_request(
            self.store,
            caller,
            request.request_id,
            "ReportContent",
            api.ReportContentResponse,
            command,
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
        problems = scope_violations(request.community_id, request.platform)
        if request.status not in types.ReportStatus.values():
            problems.append(("status", "must be a REPORT_STATUS_* value"))
        validation.check(problems)
        size = page_size(request.page_size, limits.DEFAULT_PAGE_SIZE, limits.MAX_PAGE_SIZE)
        query = f"reports\0{request.community_id}\0{request.platform}\0{request.status}"
        start = parse_page_token(request.page_token, query)
        await self.lookups.catch_up(request.consistency_token, community_id=request.community_id)
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
            reports=reports,
            next_page_token=page_token(query, next_start) if next_start else "",
        )

    async def resolve_report(
        self, caller: Caller, request: api.ResolveReportRequest
    ) -> api.ResolveReportResponse:
        duration = duration_of(request)
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
            actor = await self.lookups.caller_standing(community, caller)
            if report.view.platform:
                standing.require_platform_admin(actor)
            elif request.resolution == types.RESOLUTION_DISMISS:
                standing.require_moderator(actor)
            if request.resolution != types.RESOLUTION_DISMISS:
                author = await self.lookups.target_standing(community, target.user_id)
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

        return await run_request(
            self.store,
            caller,
            request.request_id,
            "ResolveReport",
            api.ResolveReportResponse,
            command,
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
