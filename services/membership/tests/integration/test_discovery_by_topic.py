"""Discovery by topic asks the database for the public communities of that topic (an indexed
equality on `topics`) instead of loading every public community and filtering: the query it
sends is answered by an index scan, so its time does not grow with the rest of the catalogue
(how fast it is, is a benchmark's to say, not a test's)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from membership.adapters.read_models import SUMMARIES
from membership.application.service import MembershipService
from membership.bootstrap import membership_service
from membership.domain.community import Actor
from membership.domain.limits import Limits
from pymongo import AsyncMongoClient, monitoring

PUBLIC, OPEN = 1, 1
UNRELATED = 5_000


class Finds(monitoring.CommandListener):
    """The `find` commands a client sends."""

    def __init__(self) -> None:
        self.commands: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find":
            self.commands.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def finds() -> Finds:
    return Finds()


@pytest.fixture
async def service(mongo_uri: str, unique, finds: Finds) -> AsyncIterator[MembershipService]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        mongo_uri, tz_aware=True, event_listeners=[finds]
    )
    name = unique("membership_discovery").replace("-", "_")
    service = membership_service(client, name, Limits())
    await service.read_models.ensure_indexes()
    yield service
    await client.drop_database(name)
    await client.close()


def index_scans(plan: Any) -> list[str]:
    """The indexes a (FerretDB: PostgreSQL) query plan scans."""
    if isinstance(plan, dict):
        own = [plan["Index Name"]] if "Index Name" in plan else []
        return own + [name for value in plan.values() for name in index_scans(value)]
    if isinstance(plan, list):
        return [name for value in plan for name in index_scans(value)]
    return []


def other_community(n: int, now: datetime) -> dict[str, Any]:
    """A listed community of another topic, shaped like the projector's summaries."""
    return {"_id": f"other-{n:06d}", "name": f"Other {n}", "description": "", "topics":
            [f"other-{n % 500}"], "visibility": PUBLIC, "join_policy": OPEN, "owner_id": "x",
            "member_count": n % 40, "archived": False, "created_at": now, "version": 1,
            "projected": 1, "listed": True}


async def test_discovery_by_topic_is_an_index_scan_among_other_communities(
    service: MembershipService, unique, finds: Finds
) -> None:
    topic, owner, reader = unique("chess"), Actor(unique("owner")), Actor(unique("reader"))
    for n in range(3):
        await service.create_community(owner, f"Chess club {n}", "", [topic], PUBLIC, OPEN, "")
    now = datetime.now(UTC)
    summaries = service.read_models.db[SUMMARIES]
    await summaries.insert_many([other_community(n, now) for n in range(UNRELATED)],
                                ordered=False)

    finds.commands.clear()
    found = await service.list_communities(reader, topic, "", 0, "")
    assert sorted(c.name for c in found.communities) == [
        "Chess club 0", "Chess club 1", "Chess club 2"]
    [query] = [c for c in finds.commands if c["find"] == SUMMARIES]
    assert query["filter"]["topics"] == topic
    plan = await service.read_models.db.command(
        "explain", {"find": SUMMARIES, "filter": query["filter"]}
    )
    assert index_scans(plan), plan
