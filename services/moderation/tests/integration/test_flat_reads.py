"""Every read the list RPCs (and a command) send is an `_id` equality, so on MongoDB each is
one index lookup whatever else the collections hold, and nothing is sorted or scanned by
another field. Checked by recording the commands the use cases send, through pymongo's
command monitoring, against the real FerretDB."""

from datetime import timedelta
from typing import Any

from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from community_common.context import Caller
from community_common.event_store import COMMITS, REQUEST_KEY
from moderation.bootstrap import ModerationSettings, moderation_use_cases
from pymongo import AsyncMongoClient, monitoring


class Recorder(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in ("find", "aggregate", "count", "distinct", "update", "delete"):
            self.commands.append(dict(event.command))

    def succeeded(self, event: Any) -> None:
        pass

    def failed(self, event: Any) -> None:
        pass


def only_id_equality(command: dict[str, Any]) -> bool:
    if "find" in command:
        query = command.get("filter", {})
        # A request id's first answer is found by the commits' unique request key.
        field = REQUEST_KEY if command["find"] == COMMITS else "_id"
        return (
            list(query) in (["_id"], [field])
            and isinstance(next(iter(query.values())), str)
            and not command.get("sort")
        )
    if "update" in command:
        return all(list(u["q"]) == ["_id"] for u in command["updates"])
    if "delete" in command:
        return all(list(d["q"]) == ["_id"] for d in command["deletes"])
    return False  # aggregate, count, distinct: never used on a hot path


async def test_list_reads_and_commands_use_only_id_lookups(moderation, mongo_uri):
    mod = moderation.new_id("mod")
    club = await moderation.community({mod: roles.ROLE_MODERATOR})
    rule = await moderation.call(
        "AddRule", api.AddRuleRequest(community_id=club.community_id, title="r"), club.owner
    )
    for _ in range(3):
        await moderation.call(
            "ReportContent",
            api.ReportContentRequest(
                community_id=club.community_id,
                user_id=moderation.new_id("u"),
                reason=types.REASON_COMMUNITY_RULE,
                rule_id=rule.rule.rule_id,
            ),
            moderation.new_id("reporter"),
        )

    recorder = Recorder()
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri, event_listeners=[recorder])
    try:
        use_cases, _, _, _ = moderation_use_cases(
            client[moderation.database.name],
            ModerationSettings(0.0, timedelta(hours=1), "unused"),
        )
        caller = Caller(mod)
        scope = {"community_id": club.community_id}
        await use_cases.list_reports(
            caller, api.ListReportsRequest(status=types.REPORT_STATUS_OPEN, page_size=2, **scope)
        )
        await use_cases.list_moderation_log(caller, api.ListModerationLogRequest(**scope))
        await use_cases.list_rules(caller, api.ListRulesRequest(**scope))
        await use_cases.list_automod_rules(caller, api.ListAutomodRulesRequest(**scope))
        await use_cases.mute_member(
            Caller(club.owner),
            api.MuteMemberRequest(
                user_id=mod, duration={"seconds": 60}, request_id="once", **scope
            ),
        )
    finally:
        await client.close()
    assert len(recorder.commands) > 20
    offending = [c for c in recorder.commands if not only_id_equality(c)]
    assert offending == []
