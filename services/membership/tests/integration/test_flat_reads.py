"""The hot reads address documents by `_id` only, so they stay flat however much else the
database holds: measured before and after inserting 100,000 unrelated documents into the
collections they read (event store commits and snapshots, the user index, owner ledgers,
bans)."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from bson.binary import Binary
from pymongo import AsyncMongoClient

from .conftest import Client

UNRELATED = 100_000
SAMPLES = 15


async def median_s(call: Callable[[], Awaitable[Any]]) -> float:
    await call()  # warm
    timings = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        await call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


async def insert_unrelated(mongo: AsyncMongoClient[Any], db_name: str) -> None:
    db = mongo[db_name]
    now = datetime.now(UTC)
    per_collection = UNRELATED // 4
    makers: dict[str, Callable[[int], dict[str, Any]]] = {
        "commits": lambda i: {
            "_id": f"c{uuid.uuid4().hex[:24]}:{0:012d}",
            "stream_id": "other",
            "base_version": 0,
            "events": [{"payload": Binary(b"x" * 40), "ce_time": "2026-01-01T00:00:00.000Z"}],
        },
        "user_index": lambda i: {
            "_id": f"other-{i % 5000}:{i:010d}",
            "kind": "membership",
            "community_id": "cx",
            "version": i,
            "role": 4,
            "joined_at": now,
        },
        "owner_ledgers": lambda i: {"_id": f"other-{i}:{1:010d}", "claims": []},
        "bans": lambda i: {"_id": f"cx:{i}", "banned": True, "expires_at": None, "sequence": 1},
    }
    for name, make in makers.items():
        for start in range(0, per_collection, 5000):
            batch = [make(start + i) for i in range(5000)]
            await db[name].insert_many(batch, ordered=False)


async def test_hot_reads_stay_flat_with_100k_unrelated_documents(
    client: Client, mongo: AsyncMongoClient[Any], db_name: str, unique
) -> None:
    owner, amy = unique("owner"), unique("amy")
    cid = (await client("CreateCommunity", owner, name="Flat")).community.community_id
    for i in range(12):  # enough history for a snapshot and a walk after it
        await client("JoinCommunity", unique(f"m{i}"), community_id=cid)
    await client("JoinCommunity", amy, community_id=cid)
    group = (await client("CreateGroup", owner, community_id=cid, name="G")).group
    reads: dict[str, Callable[[], Awaitable[Any]]] = {
        "GetCommunity": lambda: client("GetCommunity", amy, community_id=cid),
        "GetMembership": lambda: client("GetMembership", amy, community_id=cid),
        "ListMembers": lambda: client("ListMembers", amy, community_id=cid),
        "ListGroupMembers": lambda: client("ListGroupMembers", amy, group_id=group.group_id),
        "ListMyCommunities": lambda: client("ListMyCommunities", amy),
        "ListInvitations": lambda: client("ListInvitations", amy),
    }
    before = {name: await median_s(read) for name, read in reads.items()}
    started = time.perf_counter()
    await insert_unrelated(mongo, db_name)
    inserted_s = time.perf_counter() - started
    after = {name: await median_s(read) for name, read in reads.items()}
    report = {n: (round(before[n] * 1000, 1), round(after[n] * 1000, 1)) for n in reads}
    print(f"\nmedian ms before/after {UNRELATED} unrelated docs ({inserted_s:.1f}s to insert):")
    for name, (b, a) in report.items():
        print(f"  {name:18} {b:7.1f} {a:7.1f}")
    for name in reads:
        # Flat: a scan of 100,000 documents on FerretDB takes far longer than this margin.
        assert after[name] < before[name] * 3 + 0.05, report
