"""Discovery by topic asks the database for the public communities of that topic (an indexed
equality on `topics`) instead of loading every public community and filtering: its time does
not grow with the rest of the catalogue."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from membership.adapters.read_models import SUMMARIES
from membership.application.service import MembershipService
from membership.bootstrap import membership_service
from membership.domain.community import Actor
from membership.domain.limits import Limits
from pymongo import AsyncMongoClient

PUBLIC, OPEN = 1, 1
UNRELATED = 100_000


@pytest.fixture
async def service(mongo_uri: str, unique) -> AsyncIterator[MembershipService]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri, tz_aware=True)
    name = unique("membership_discovery").replace("-", "_")
    service = membership_service(client, name, Limits())
    await service.read_models.ensure_indexes()
    yield service
    await client.drop_database(name)
    await client.close()


def other_community(n: int, now: datetime) -> dict[str, Any]:
    """A listed community of another topic, shaped like the projector's summaries."""
    return {"_id": f"other-{n:06d}", "name": f"Other {n}", "description": "", "topics":
            [f"other-{n % 500}"], "visibility": PUBLIC, "join_policy": OPEN, "owner_id": "x",
            "member_count": n % 40, "archived": False, "created_at": now, "version": 1,
            "projected": 1, "listed": True}


@pytest.mark.timeout(600)  # 100,000 inserts on a busy shared FerretDB
async def test_discovery_by_topic_stays_flat_with_100000_other_communities(
    service: MembershipService, unique
) -> None:
    topic, owner, reader = unique("chess"), Actor(unique("owner")), Actor(unique("reader"))
    for n in range(3):
        await service.create_community(owner, f"Chess club {n}", "", [topic], PUBLIC, OPEN, "")

    async def timed() -> float:
        best = float("inf")
        for _ in range(5):  # the best of a few: the shared test servers are busy
            started = time.perf_counter()
            found = await service.list_communities(reader, topic, "", 0, "")
            best = min(best, time.perf_counter() - started)
            assert sorted(c.name for c in found.communities) == [
                "Chess club 0", "Chess club 1", "Chess club 2"]
        return best

    before = await timed()
    now = datetime.now(UTC)
    summaries = service.read_models.db[SUMMARIES]
    for start in range(0, UNRELATED, 20_000):
        await summaries.insert_many(
            [other_community(n, now) for n in range(start, start + 20_000)], ordered=False)
    after = await timed()
    print(f"ListCommunities(topic): {before * 1000:.0f} ms, {after * 1000:.0f} ms with "
          f"{UNRELATED:,} other communities")
    # Reading 100,000 summaries alone takes seconds on FerretDB; an index search does not.
    assert after < before * 3 + 0.5
