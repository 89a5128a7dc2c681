"""The moderation service's own lists, projected from its events: rules and automod rules in
order of creation, report queues and moderation logs newest first.

The same `project` runs in the command handler right after its append (so a caller sees its
own write at once) and in the consumer of our own topic (so an entry a crash left out is
added, and the lists can be rebuilt by replaying the topic); `Lists.append_once` keyed by
ce_id makes the two one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bson.binary import Binary
from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import moderation_service_pb2 as api
from community_common.envelope import EventEnvelope

from moderation.adapters.lists import Lists
from moderation.domain.moderation_log import PLATFORM, log_entries

# (position, entry document) pairs.
Entries = list[tuple[int, dict[str, Any]]]


def _scope(community_id: str) -> str:
    return f"c:{community_id}" if community_id != PLATFORM else "platform"


def rules_list(community_id: str) -> str:
    return f"rules:{_scope(community_id)}"


def automod_list(community_id: str) -> str:
    """`community_id` PLATFORM (empty) names the platform's automod rules."""
    return f"automod:{_scope(community_id)}"


def reports_list(community_id: str) -> str:
    """`community_id` PLATFORM (empty) names the platform queue."""
    return f"reports:{_scope(community_id)}"


def log_list(community_id: str) -> str:
    return f"log:{_scope(community_id)}"


class ModerationLists:
    def __init__(self, lists: Lists) -> None:
        self.lists = lists

    async def ensure_indexes(self) -> None:
        await self.lists.ensure_indexes()

    async def project_all(self, envelopes: Iterable[EventEnvelope]) -> None:
        for envelope in envelopes:
            await self.project(envelope)

    async def project(self, envelope: EventEnvelope) -> None:
        message = envelope.message()
        if isinstance(message, events.RuleAdded):
            await self.lists.append_once(
                rules_list(message.community_id), envelope.id, {"rule_id": message.rule_id}
            )
        elif isinstance(message, events.AutomodRuleAdded):
            await self.lists.append_once(
                automod_list(message.community_id),
                envelope.id,
                {"automod_rule_id": message.automod_rule_id},
            )
        elif isinstance(message, events.ReportFiled):
            queue = PLATFORM if message.platform else message.community_id
            await self.lists.append_once(
                reports_list(queue), envelope.id, {"report_id": message.report_id}
            )
        for log, entry in log_entries(message, envelope.occurred_at):
            await self.lists.append_once(
                log_list(log), envelope.id, {"entry": Binary(entry.SerializeToString())}
            )

    # --- reading -------------------------------------------------------------------------

    async def oldest_first(self, name: str, start: int, limit: int) -> tuple[Entries, int | None]:
        """Entries from position `start` (1-based) on; the next start, or None at the end."""
        head = await self.lists.head(name)
        stop = min(head, start + limit - 1)
        found = await self.lists.entries(name, list(range(start, stop + 1)))
        return found, (stop + 1 if stop < head else None)

    async def newest_first(
        self, name: str, start: int | None, limit: int
    ) -> tuple[Entries, int | None]:
        """Entries from position `start` (None = the newest) down; the next start, or None."""
        top = await self.lists.head(name) if start is None else start
        bottom = max(1, top - limit + 1)
        found = await self.lists.entries(name, list(range(top, bottom - 1, -1)))
        return found, (bottom - 1 if bottom > 1 else None)

    @staticmethod
    def log_entry(document: dict[str, Any]) -> api.ModerationLogEntry:
        return api.ModerationLogEntry.FromString(bytes(document["entry"]))
