"""A list entry appended twice at the same moment (the command and the consumer re-projecting
its event, on one process or several) is stored once, and positions stay dense: the entry's
one insert claims its position and its marker together."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from moderation.adapters.lists import Lists
from pymongo import AsyncMongoClient


@pytest.fixture
async def database(mongo_uri: str, unique) -> AsyncIterator[Any]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri)
    name = unique("moderation_lists").replace("-", "_")
    await Lists(client[name]).ensure_indexes()
    yield client[name]
    await client.drop_database(name)
    await client.close()


async def test_twins_appended_at_once_are_stored_once(database: Any) -> None:
    # Three writers that know nothing of each other's appends, as three processes would.
    writers = [Lists(database) for _ in range(3)]
    keys = [f"e{n}" for n in range(6)]
    await asyncio.gather(
        *(
            writer.append_once("log", key, {"what": key})
            for key in keys
            for writer in writers
            for _ in range(2)
        )
    )

    head = await writers[0].head("log")
    found = await writers[0].entries("log", list(range(1, head + 3)))

    assert head == len(keys)
    assert [position for position, _ in found] == list(range(1, len(keys) + 1))
    assert Counter(document["what"] for _, document in found) == Counter(keys)


async def test_an_event_appended_again_later_changes_nothing(database: Any) -> None:
    command, consumer = Lists(database), Lists(database)
    await command.append_once("log", "e1", {"what": "first"})
    await command.append_once("log", "e2", {"what": "second"})
    await consumer.append_once("log", "e1", {"what": "first"})  # the topic, re-projected
    await consumer.append_once("log", "e3", {"what": "third"})
    await command.append_once("log", "e3", {"what": "third"})

    found = await command.entries("log", [1, 2, 3, 4])

    assert [(p, d["what"]) for p, d in found] == [(1, "first"), (2, "second"), (3, "third")]


async def test_an_older_versions_tombstone_is_skipped(database: Any) -> None:
    # Before markers moved into the entries, a twin that lost hid its entry this way.
    await database["lists"].insert_one({"_id": "log#000000000001", "tombstone": True})
    lists = Lists(database)
    await lists.append_once("log", "e2", {"what": "second"})

    found = await lists.entries("log", [1, 2])

    assert [(p, d["what"]) for p, d in found] == [(2, "second")]
