"""The serving view on FerretDB: values survive the round trip (ids with '.' and '$'
included). That GetInsights' reads stay flat beside unrelated documents is a speed claim:
`make bench` measures it (P5)."""

from datetime import UTC, datetime, timedelta

import pytest
from community.feed.v1 import events_pb2 as fe
from community.membership.v1 import events_pb2 as me
from community_common.mongo import async_client
from insights.adapters.mongo_view import MongoServingView
from insights.codecs import observe
from insights.domain.ledger import apply_batch
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


async def test_values_round_trip(view, unique):
    cid = unique("c")
    changed = await stored_world(view, cid)
    for target, value in changed.items():
        stored = await view._get(target)
        assert stored == value  # marks included: a resumed rebuild reloads them
    assert await view.role(cid, "$owner") == 1
