"""Community rules: adding, changing, removing, listing."""

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
    rules_list,
)
from moderation.application.pipeline import (
    UseCases,
    rule_view,
)
from moderation.domain import limits, standing, validation
from moderation.domain.rules import Rule, check_rule_text


class Rules(UseCases):
    async def add_rule(self, caller: Caller, request: api.AddRuleRequest) -> api.AddRuleResponse:
        validation.check(validation.required_id("community_id", request.community_id))
        check_rule_text(request.title, request.description)
        await self.lookups.catch_up(request.consistency_token, community_id=request.community_id)

        async def command(key: RequestKey | None) -> tuple[api.AddRuleResponse, Commit | None]:
            community = await self.lookups.community(request.community_id)
            actor = await self.lookups.caller_standing(community, caller)
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
            response = api.AddRuleResponse(rule=rule_view(rule))
            return response, await self._save(rule, rule.rule_id, key, response)

        return await run_request(
            self.store, caller, request.request_id, "AddRule", api.AddRuleResponse, command
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
            response = api.UpdateRuleResponse(rule=rule_view(rule))
            return response, await self._save(rule, rule.rule_id, key, response)

        return await run_request(
            self.store, caller, request.request_id, "UpdateRule", api.UpdateRuleResponse, command
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

        return await run_request(
            self.store, caller, request.request_id, "RemoveRule", api.RemoveRuleResponse, command
        )

    async def list_rules(
        self, caller: Caller, request: api.ListRulesRequest
    ) -> api.ListRulesResponse:
        validation.check(validation.required_id("community_id", request.community_id))
        size = page_size(request.page_size, limits.DEFAULT_PAGE_SIZE, limits.MAX_PAGE_SIZE)
        query = f"rules\0{request.community_id}"
        start = parse_page_token(request.page_token, query) or 1
        await self.lookups.catch_up(request.consistency_token, community_id=request.community_id)
        community = await self.lookups.community(request.community_id)
        standing.require_reader(community, await self.lookups.caller_standing(community, caller))
        found, next_start = await self.lists.oldest_first(
            rules_list(community.community_id), start, size
        )
        rules = await self._load_all(Rule, [entry["rule_id"] for _, entry in found])
        return api.ListRulesResponse(
            rules=[rule_view(rule) for rule in rules if rule.exists],
            next_page_token=page_token(query, next_start) if next_start else "",
        )

    async def _require_rule_admin(self, caller: Caller, rule: Rule) -> None:
        community = await self.lookups.community(rule.community_id)
        standing.require_admin(await self.lookups.caller_standing(community, caller))
        standing.require_active(community)
