"""Automod rules: adding, listing, removing (a community's, or the platform's)."""

from __future__ import annotations

from community.moderation.v1 import moderation_service_pb2 as api
from community_common.clock import new_id
from community_common.commands import run_request
from community_common.context import Caller
from community_common.event_store import (
    Commit,
    RequestKey,
)

from moderation.adapters.lists import page_size, page_token, parse_page_token
from moderation.adapters.moderation_lists import (
    automod_list,
)
from moderation.application.pipeline import (
    UseCases,
    require_platform_admin,
    scope_violations,
)
from moderation.domain import limits, standing, validation
from moderation.domain.automod import AutomodRule, check_rule_arguments


class AutomodRules(UseCases):
    async def add_automod_rule(
        self, caller: Caller, request: api.AddAutomodRuleRequest
    ) -> api.AddAutomodRuleResponse:
        validation.check(scope_violations(request.community_id, request.platform))
        check_rule_arguments(request.keywords, request.regex, request.action)
        await self.lookups.catch_up(request.consistency_token, community_id=request.community_id)

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

        return await run_request(
            self.store,
            caller,
            request.request_id,
            "AddAutomodRule",
            api.AddAutomodRuleResponse,
            command,
        )

    async def list_automod_rules(
        self, caller: Caller, request: api.ListAutomodRulesRequest
    ) -> api.ListAutomodRulesResponse:
        validation.check(scope_violations(request.community_id, request.platform))
        size = page_size(request.page_size, limits.DEFAULT_PAGE_SIZE, limits.MAX_PAGE_SIZE)
        query = f"automod\0{request.community_id}\0{request.platform}"
        start = parse_page_token(request.page_token, query) or 1
        await self.lookups.catch_up(request.consistency_token, community_id=request.community_id)
        scope = await self._readable_queue(caller, request.community_id, request.platform)
        found, next_start = await self.lists.oldest_first(automod_list(scope), start, size)
        rules = await self._load_all(AutomodRule, [entry["automod_rule_id"] for _, entry in found])
        return api.ListAutomodRulesResponse(
            automod_rules=[rule.view for rule in rules if rule.exists],
            next_page_token=page_token(query, next_start) if next_start else "",
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

        return await run_request(
            self.store,
            caller,
            request.request_id,
            "RemoveAutomodRule",
            api.RemoveAutomodRuleResponse,
            command,
        )

    async def _require_automod_admin(self, caller: Caller, community_id: str) -> None:
        """Platform rules are for platform admins; a community's for its admins and above."""
        if not community_id:
            require_platform_admin(caller)
            return
        community = await self.lookups.community(community_id)
        standing.require_admin(await self.lookups.caller_standing(community, caller))
        standing.require_active(community)
