"""The gRPC face of the moderation use cases: `community.moderation.v1.ModerationService`.

Authentication and error mapping are the common interceptors' job; each method hands the
authenticated caller and the request to the matching use case.
"""

from __future__ import annotations

from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import moderation_service_pb2_grpc as grpc_api
from community_common.auth import current_caller
from grpc import aio

from moderation.application.moderation import Moderation


class ModerationServicer(grpc_api.ModerationServiceServicer):
    def __init__(self, moderation: Moderation) -> None:
        self.moderation = moderation

    async def AddRule(
        self, request: api.AddRuleRequest, context: aio.ServicerContext
    ) -> api.AddRuleResponse:
        return await self.moderation.add_rule(current_caller(), request)

    async def UpdateRule(
        self, request: api.UpdateRuleRequest, context: aio.ServicerContext
    ) -> api.UpdateRuleResponse:
        return await self.moderation.update_rule(current_caller(), request)

    async def RemoveRule(
        self, request: api.RemoveRuleRequest, context: aio.ServicerContext
    ) -> api.RemoveRuleResponse:
        return await self.moderation.remove_rule(current_caller(), request)

    async def ListRules(
        self, request: api.ListRulesRequest, context: aio.ServicerContext
    ) -> api.ListRulesResponse:
        return await self.moderation.list_rules(current_caller(), request)

    async def ReportContent(
        self, request: api.ReportContentRequest, context: aio.ServicerContext
    ) -> api.ReportContentResponse:
        return await self.moderation.report_content(current_caller(), request)

    async def ListReports(
        self, request: api.ListReportsRequest, context: aio.ServicerContext
    ) -> api.ListReportsResponse:
        return await self.moderation.list_reports(current_caller(), request)

    async def ResolveReport(
        self, request: api.ResolveReportRequest, context: aio.ServicerContext
    ) -> api.ResolveReportResponse:
        return await self.moderation.resolve_report(current_caller(), request)

    async def RemoveContent(
        self, request: api.RemoveContentRequest, context: aio.ServicerContext
    ) -> api.RemoveContentResponse:
        return await self.moderation.remove_content(current_caller(), request)

    async def RestoreContent(
        self, request: api.RestoreContentRequest, context: aio.ServicerContext
    ) -> api.RestoreContentResponse:
        return await self.moderation.restore_content(current_caller(), request)

    async def MuteMember(
        self, request: api.MuteMemberRequest, context: aio.ServicerContext
    ) -> api.MuteMemberResponse:
        return await self.moderation.mute_member(current_caller(), request)

    async def UnmuteMember(
        self, request: api.UnmuteMemberRequest, context: aio.ServicerContext
    ) -> api.UnmuteMemberResponse:
        return await self.moderation.unmute_member(current_caller(), request)

    async def BanMember(
        self, request: api.BanMemberRequest, context: aio.ServicerContext
    ) -> api.BanMemberResponse:
        return await self.moderation.ban_member(current_caller(), request)

    async def UnbanMember(
        self, request: api.UnbanMemberRequest, context: aio.ServicerContext
    ) -> api.UnbanMemberResponse:
        return await self.moderation.unban_member(current_caller(), request)

    async def RestrictUser(
        self, request: api.RestrictUserRequest, context: aio.ServicerContext
    ) -> api.RestrictUserResponse:
        return await self.moderation.restrict_user(current_caller(), request)

    async def LiftRestriction(
        self, request: api.LiftRestrictionRequest, context: aio.ServicerContext
    ) -> api.LiftRestrictionResponse:
        return await self.moderation.lift_restriction(current_caller(), request)

    async def AddAutomodRule(
        self, request: api.AddAutomodRuleRequest, context: aio.ServicerContext
    ) -> api.AddAutomodRuleResponse:
        return await self.moderation.add_automod_rule(current_caller(), request)

    async def ListAutomodRules(
        self, request: api.ListAutomodRulesRequest, context: aio.ServicerContext
    ) -> api.ListAutomodRulesResponse:
        return await self.moderation.list_automod_rules(current_caller(), request)

    async def RemoveAutomodRule(
        self, request: api.RemoveAutomodRuleRequest, context: aio.ServicerContext
    ) -> api.RemoveAutomodRuleResponse:
        return await self.moderation.remove_automod_rule(current_caller(), request)

    async def ListModerationLog(
        self, request: api.ListModerationLogRequest, context: aio.ServicerContext
    ) -> api.ListModerationLogResponse:
        return await self.moderation.list_moderation_log(current_caller(), request)
