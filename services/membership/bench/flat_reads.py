"""Benchmark: latency of the hot reads before and after 100,000 unrelated documents.

    uv run python services/membership/bench/flat_reads.py   (MONGODB_URI, default test FerretDB)

Runs the application layer on a fresh database, measures the median of each hot read,
inserts 100,000 unrelated documents (insert_many) first into collections the reads never
touch, then into the very collections they read (commits, user index, owner ledgers, bans),
measuring after each. Every hot read is an `_id` equality (tests/integration/
test_id_lookups.py), which MongoDB answers from the `_id` index whatever the collection
holds, and the local FerretDB from a GIN index in PostgreSQL. Prints a table; drops its
database.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from community_common.mongo import async_client
from membership.bootstrap import membership_service
from membership.domain.community import Actor
from membership.domain.limits import Limits

UNRELATED = 100_000
SAMPLES = 15


async def median_ms(call: Callable[[], Awaitable[Any]]) -> float:
    await call()
    timings = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        await call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def unrelated(name: str, i: int, now: datetime) -> dict[str, Any]:
    if name == "commits":
        return {"_id": f"c{uuid.uuid4().hex[:24]}:{0:012d}", "stream_id": "x", "events": []}
    if name == "user_index":
        return {"_id": f"other-{i % 5000}:{i:010d}", "kind": "membership", "version": i}
    if name == "owner_ledgers":
        return {"_id": f"other-{i}:{1:010d}", "claims": []}
    if name == "bans":
        return {"_id": f"cx:{i}", "banned": True, "expires_at": None, "sequence": 1}
    return {"_id": f"{name}-{i}", "at": now}


async def insert(db: Any, names: list[str]) -> float:
    started, now = time.perf_counter(), datetime.now(UTC)
    per = UNRELATED // len(names)
    for name in names:
        for start in range(0, per, 5000):
            await db[name].insert_many(
                [unrelated(name, start + i, now) for i in range(5000)], ordered=False
            )
    return time.perf_counter() - started


async def main() -> None:
    uri = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:37017")
    name = f"membership_bench_{uuid.uuid4().hex[:8]}"
    client = async_client(uri)
    service = membership_service(client, name, Limits())
    try:
        owner, amy = Actor("bench-owner"), Actor("bench-amy")
        cid = (await service.create_community(owner, "Bench", "", [], 1, 1, "")).community
        cid_ = cid.community_id
        for i in range(12):
            await service.join_community(Actor(f"bench-m{i}"), cid_, "")
        await service.join_community(amy, cid_, "")
        reads = {
            "GetCommunity": lambda: service.get_community(amy, cid_),
            "GetMembership": lambda: service.get_membership(amy, cid_, ""),
            "ListMembers": lambda: service.list_members(amy, cid_, 0, 0, ""),
            "ListMyCommunities": lambda: service.list_my_communities(amy, 0, ""),
            "ListInvitations": lambda: service.list_invitations(amy, "", 0, 0, ""),
        }
        columns = {"empty": {n: await median_ms(r) for n, r in reads.items()}}
        elsewhere = await insert(client[name], ["other_a", "other_b"])
        columns["+100k elsewhere"] = {n: await median_ms(r) for n, r in reads.items()}
        same = await insert(client[name], ["commits", "user_index", "owner_ledgers", "bans"])
        columns["+100k same colls"] = {n: await median_ms(r) for n, r in reads.items()}
        print(f"inserts: {elsewhere:.1f}s elsewhere, {same:.1f}s into the read collections")
        print(f"{'median ms':18}" + "".join(f"{c:>18}" for c in columns))
        for read in reads:
            print(f"{read:18}" + "".join(f"{columns[c][read]:18.1f}" for c in columns))
    finally:
        await client.drop_database(name)
        await client.close()


if __name__ == "__main__":
    asyncio.run(main())
