"""While a rebuild of the lists runs, the API keeps its commands' entries aside and lists them
at its first read after it, a consumer's handler waits for it, and every process forgets the
list positions it remembered from before it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from community.moderation.v1 import events_pb2 as events
from community_common.mongo import async_client
from community_common.rebuild import REBUILDS, RebuildWatch
from community_common.testing.events import event_envelope
from community_common.testing.polling import eventually_async
from moderation.adapters.lists import Lists
from moderation.adapters.moderation_lists import ModerationLists, RebuildGate, rules_list

COMMUNITY = "gate-c"


@pytest.fixture
async def database(mongo_uri: str) -> AsyncIterator[Any]:
    client = async_client(mongo_uri)
    name = f"moderation_gate_{uuid.uuid4().hex[:10]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


def rule_added(rule_id: str) -> Any:
    return event_envelope(events.RuleAdded(rule_id=rule_id, community_id=COMMUNITY))


async def set_state(database: Any, state: str) -> None:
    await database[REBUILDS].replace_one({"_id": "moderation"}, {"state": state}, upsert=True)


def waits_counted(gate: RebuildGate) -> list[str]:
    """Who has started to wait for the rebuild's end: the consumer's handler (`over`), the
    API's read (`settled`)."""
    waiting: list[str] = []

    def counted(who: str, wait: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        async def waits() -> None:
            waiting.append(who)
            await wait()

        return waits

    gate.over = counted("consumer", gate.over)  # type: ignore[method-assign]
    gate.watch.settled = counted("api read", gate.watch.settled)  # type: ignore[method-assign]
    return waiting


async def test_entries_wait_for_a_rebuild_and_are_listed_after_it(database: Any) -> None:
    gate = RebuildGate(RebuildWatch(database, "moderation"))
    api = ModerationLists(Lists(database, lambda: gate.generation), gate, hold=True)
    consumer = ModerationLists(Lists(database, lambda: gate.generation), gate)
    await api.ensure_indexes()
    await api.project_all([rule_added("r1")])
    assert [e["rule_id"] for _, e in (await api.oldest_first(rules_list(COMMUNITY), 1, 9))[0]] == [
        "r1"
    ]

    await set_state(database, "running")
    watching = asyncio.create_task(gate.watch.watch())

    async def seen_running() -> bool:  # the watch's first look
        return gate.running

    await eventually_async(seen_running, 5)
    assert gate.generation == 1
    await database["lists"].delete_many({})  # what the rebuild drops
    await api.project_all([rule_added("r2")])  # a command: kept aside, answered at once
    assert await database["lists"].count_documents({}) == 0
    waiting = waits_counted(gate)
    handled = asyncio.create_task(consumer.project_all([rule_added("r3")]))
    reading = asyncio.create_task(api.oldest_first(rules_list(COMMUNITY), 1, 9))

    async def both_wait() -> bool:
        return sorted(waiting) == ["api read", "consumer"]

    await eventually_async(both_wait, 5)
    assert not handled.done() and not reading.done()
    assert await database["lists"].count_documents({}) == 0

    await set_state(database, "done")
    await asyncio.wait_for(handled, 5)
    found, _ = await asyncio.wait_for(reading, 5)
    # The API's remembered top (1, before the drop) is forgotten: nothing is left empty.
    found, _ = await api.oldest_first(rules_list(COMMUNITY), 1, 9)
    assert sorted(e["rule_id"] for _, e in found) == ["r2", "r3"]
    assert [p for p, _ in found] == [1, 2]
    watching.cancel()
