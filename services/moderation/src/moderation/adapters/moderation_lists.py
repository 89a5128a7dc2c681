"""The moderation service's own lists, projected from its events: rules and automod rules in
order of creation, report queues and moderation logs newest first.

The same `list_entries` runs in the command handler right after its append (so a caller sees
its own write at once), in the consumer of our own topic (so an entry a crash left out is
added) and in the rebuild (moderation.rebuild, which lists every stored event again into
emptied lists); `Lists.append_once` keyed by ce_id makes the first two one.

While a rebuild of the lists runs (`RebuildGate`), nothing here touches them: the API's
commands keep their events aside and list them once it is over, reads wait for it
(`RebuildWatch.settled`: UNAVAILABLE `REBUILDING` after 30 s), the consumers that list (automod
and the lists consumer) are paused (bootstrap), and a handler of theirs that was mid-record
when it began waits for it to end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from bson.binary import Binary
from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import moderation_service_pb2 as api
from community_common.envelope import EventEnvelope
from community_common.rebuild import WATCH_POLL_S, RebuildWatch

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


def list_entries(envelope: EventEnvelope) -> list[tuple[str, dict[str, Any]]]:
    """The entries one of our events makes, each with the list it goes in, in the order they
    are appended (an event is listed under its ce_id: `Lists.append_once`'s key)."""
    message = envelope.message()
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(message, events.RuleAdded):
        found.append((rules_list(message.community_id), {"rule_id": message.rule_id}))
    elif isinstance(message, events.AutomodRuleAdded):
        found.append(
            (automod_list(message.community_id), {"automod_rule_id": message.automod_rule_id})
        )
    elif isinstance(message, events.ReportFiled):
        queue = PLATFORM if message.platform else message.community_id
        found.append((reports_list(queue), {"report_id": message.report_id}))
    for scope, entry in log_entries(message, envelope.occurred_at):
        found.append((log_list(scope), {"entry": Binary(entry.SerializeToString())}))
    return found


class RebuildGate:
    """The process's view of a rebuild of the lists (one per process, shared by the API and
    the consumer threads): `running` while one runs, and `generation`, how many this process
    has seen start, so a `Lists` forgets the positions it remembered from before one. The
    kernel's `RebuildWatch.watch` (a ServiceHost task on the API's loop) keeps both."""

    def __init__(self, watch: RebuildWatch) -> None:
        self.watch = watch

    @property
    def running(self) -> bool:
        return self.watch.running

    @property
    def generation(self) -> int:
        return self.watch.generation

    async def over(self) -> None:
        """Wait, however long, until no rebuild runs (for consumer handlers: a record held
        is handled after it, as at-least-once delivery allows)."""
        # Polled: the flag is set on the API's loop and read from the consumers' threads, so
        # no asyncio.Event of one loop can wake the others.
        while self.watch.running:  # noqa: ASYNC110
            await asyncio.sleep(WATCH_POLL_S / 2)


class ModerationLists:
    """`gate`: the process's rebuild gate (None: no rebuild is ever watched, as in unit-level
    wiring). `hold` (the API's): while a rebuild runs, a command's events are kept aside and
    listed by the first read after it; otherwise (the consumers'), the caller waits."""

    def __init__(self, lists: Lists, gate: RebuildGate | None = None, hold: bool = False) -> None:
        self.lists = lists
        self.gate = gate
        self.hold = hold
        self._held: list[EventEnvelope] = []

    async def ensure_indexes(self) -> None:
        await self.lists.ensure_indexes()

    async def project_all(self, envelopes: Iterable[EventEnvelope]) -> None:
        if self.gate is not None and self.gate.running:
            if self.hold:
                self._held.extend(envelopes)
                return
            await self.gate.over()
        for envelope in envelopes:
            await self.project(envelope)

    async def project(self, envelope: EventEnvelope) -> None:
        for name, entry in list_entries(envelope):
            await self.lists.append_once(name, envelope.id, entry)

    async def settled(self) -> None:
        """Before a read: wait for a running rebuild, then list what was held during it."""
        if self.gate is None:
            return
        if self.hold:
            await self.gate.watch.settled()
        else:
            await self.gate.over()
        while self._held and not self.gate.running:
            held, self._held = self._held, []
            for envelope in held:
                await self.project(envelope)

    # --- reading -------------------------------------------------------------------------

    async def oldest_first(self, name: str, start: int, limit: int) -> tuple[Entries, int | None]:
        """Entries from position `start` (1-based) on; the next start, or None at the end."""
        await self.settled()
        head = await self.lists.head(name)
        stop = min(head, start + limit - 1)
        found = await self.lists.entries(name, list(range(start, stop + 1)))
        return found, (stop + 1 if stop < head else None)

    async def newest_first(
        self, name: str, start: int | None, limit: int
    ) -> tuple[Entries, int | None]:
        """Entries from position `start` (None = the newest) down; the next start, or None."""
        await self.settled()
        top = await self.lists.head(name) if start is None else start
        bottom = max(1, top - limit + 1)
        found = await self.lists.entries(name, list(range(top, bottom - 1, -1)))
        return found, (bottom - 1 if bottom > 1 else None)

    @staticmethod
    def log_entry(document: dict[str, Any]) -> api.ModerationLogEntry:
        return api.ModerationLogEntry.FromString(bytes(document["entry"]))
