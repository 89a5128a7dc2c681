"""The serving view on FerretDB: values survive the round trip (ids with '.' and '$'
included), and GetInsights' reads (all by `_id`) take the same time with 100,000 unrelated
documents in the collections."""

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from community.feed.v1 import events_pb2 as fe
from community.membership.v1 import events_pb2 as me
from community_common.mongo import async_client
from insights.adapters.mongo_view import COLLECTIONS, MongoServingView
from insights.application.get_insights import InsightsQueries
from insights.codecs import observe
from insights.domain.effects import Space
from insights.domain.ledger import DAYS, apply_batch
from insights_events import EventLog

pytestmark = pytest.mark.timeout(600)
NOW = datetime.now(UTC)


@pytest.fixture
async def view(mongo_uri, unique):
    client = async_client(mongo_uri)
    name = unique("insights-view")
    yield MongoServingView(client[name])
    await client.drop_database(name)
    await client.close()


async def stored_world(view: MongoServingView, cid: str) -> dict:
    log = EventLog()
    log.add(me.CommunityCreated(community_id=cid, owner_id="$owner"), NOW - timedelta(days=3))
    for i in range(60):
        log.add(me.MemberJoined(community_id=cid, user_id=f"user.{i}"), NOW - timedelta(days=2))
    for i in range(30):
        log.add(fe.PostCreated(post_id=f"p.{i}", community_id=cid, author_id=f"user.{i}"),
                NOW - timedelta(days=i % 28))
        log.add(fe.PostLiked(post_id=f"p.{i}", community_id=cid, user_id="$owner"),
                NOW - timedelta(days=i % 28))
    store: dict = {}
    changed = apply_batch([observe(r.key, r.value, r.headers) for r in log.records], store.get)
    await view.save(changed)
    await view.save(changed)  # saving the same state again changes nothing
    return changed


async def read_time(queries: InsightsQueries, view: MongoServingView, cid: str) -> float:
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        roster = await view.roster(cid)
        await view.role(cid, "$owner")
        await queries.figures(Space(cid), roster, 60, ZoneInfo("UTC"))
        samples.append(time.perf_counter() - started)
    return sorted(samples)[len(samples) // 2]


async def test_values_round_trip(view, unique):
    cid = unique("c")
    changed = await stored_world(view, cid)
    for target, value in changed.items():
        stored = await view._get(target)
        assert stored == value  # marks included: a resumed rebuild reloads them
    assert await view.role(cid, "$owner") == 1


async def test_reads_stay_flat_with_100000_unrelated_documents(view, unique):
    cid = unique("c")
    await stored_world(view, cid)
    queries = InsightsQueries(view, clock=lambda: NOW)
    before = await read_time(queries, view, cid)
    filler = [{"_id": f'["other-{i}", "", "2025-01-01"]', "counts": {"posts": {"0": i}}}
              for i in range(100_000)]
    for table in (DAYS, "rosters", "roles"):
        for i in range(0, len(filler), 10_000):
            await view.database[COLLECTIONS[table]].insert_many(filler[i:i + 10_000],
                                                                ordered=False)
    after = await read_time(queries, view, cid)
    print(f"GetInsights reads (60 days): {before * 1000:.0f} ms before, "
          f"{after * 1000:.0f} ms with 100,000 unrelated documents per collection")
    assert after < before * 3 + 0.05
