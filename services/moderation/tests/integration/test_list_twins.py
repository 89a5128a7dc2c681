"""A list entry appended twice at the same moment (the command and the consumer re-projecting
its event) is read once, also in the moment before the losing twin hides its copy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from moderation.adapters.lists import Lists
from pymongo import AsyncMongoClient


@pytest.fixture
async def lists(mongo_uri: str, unique) -> AsyncIterator[Lists]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri)
    name = unique("moderation_lists").replace("-", "_")
    yield Lists(client[name])
    await client.drop_database(name)
    await client.close()


async def test_the_twin_whose_marker_lost_is_not_read(lists: Lists) -> None:
    await lists.append_once("log", "e1", {"what": "first"})
    # The state between a twin's entry insert and its tombstone: two entries for key e2, the
    # marker naming the later one.
    collection = lists.collection
    await collection.insert_many([
        {"_id": "log#000000000002", "key": "e2", "what": "second (loser)"},
        {"_id": "log#000000000003", "key": "e2", "what": "second"},
        {"_id": "log@e2", "position": 3},
    ])
    await lists.append_once("log", "e3", {"what": "third"})

    found = await lists.entries("log", [1, 2, 3, 4])

    assert [(p, d["what"]) for p, d in found] == [(1, "first"), (3, "second"), (4, "third")]
