"""Two real insights workers in one group (the same app id, REPLICA_ID 1 and 2, as the stack
runs them) share the six partitions of the real broker and save to the real FerretDB:

- one of them SIGKILLed while events flow and started again: the view's figures equal the
  independent oracle's (a replay of everything published), so no event was lost or counted
  twice, with a stretch of events published twice on top;
- the recovery bound of a worker replica (issue #18: 10 s): after a SIGKILL the survivor
  counts every partition again, a killed worker started again takes its place back, and a
  worker stopped with SIGTERM hands its partitions over at once; each asserted as a poll
  deadline on a canary event in every partition, the time taken printed;
- a topic whose partition count differs from KAFKA_TOPIC_PARTITIONS: the worker refuses to
  start and says why.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from community.membership.v1 import events_pb2 as me
from community_common.mongo import async_client
from community_common.testing.events import create_topic
from insights.adapters.mongo_view import COLLECTIONS, MongoServingView
from insights.domain.ledger import ROSTERS, roster_target
from insights.partitions import partition_of
from insights_events import EventLog
from insights_history import generate
from insights_stack import PARTITIONS, Stack, until_matches
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

pytestmark = pytest.mark.timeout(600)

# Issue #18: a worker replica's fault is recovered from within 10 s.
RECOVERY_S = 10.0
# A worker process's start (imports, joining, recovering its tables): not the worker's
# recovery bound, which counts from the fault while the other worker carries on. On the
# shared 2-core box importing the worker alone took 46 s of wall clock at load 40.
START_S = 180.0


def spread(run: str) -> str:
    """A prefix whose communities `<prefix>-c0` … `-c5` (insights_history's names) land on
    six different partitions, so each worker owns some and a survivor must take over."""
    for attempt in range(10_000):
        prefix = f"{run}-{attempt}"
        if len({partition_of(f"{prefix}-c{i}", PARTITIONS) for i in range(PARTITIONS)}) == 6:
            return prefix
    raise AssertionError("no prefix spreads over every partition")


@pytest.fixture
async def world(kafka_bootstrap, mongo_uri, tmp_path):
    run = f"insights-2w-{os.getpid()}-{time.monotonic_ns() % 10**8}"
    stack = Stack(kafka_bootstrap, mongo_uri, run, tmp_path)
    mongo = async_client(mongo_uri)
    stack.view = MongoServingView(mongo[run])
    stack.database = mongo[run]
    try:
        yield stack
    finally:
        stack.stop_workers()
        await mongo.drop_database(run)
        await mongo.close()
        stack.producer.close()


def _members_counting(world: Stack) -> int:
    """How many members of the world's group hold partitions of its event topics."""
    admin = KafkaAdminClient(bootstrap_servers=world.bootstrap)
    try:
        members = admin.describe_groups([world.run])[world.run].get("members") or []
    except KafkaError:  # e.g. no coordinator yet: the group has not formed
        return 0
    finally:
        admin.close()
    sources = set(world.topics.values())
    # A member's assignment is empty (not decoded) while the group rebalances.
    assignments = [member["member_assignment"] for member in members
                   if isinstance(member["member_assignment"], dict)]
    return sum(1 for assignment in assignments
               if any(assigned["topic"] in sources and assigned["partitions"]
                      for assigned in assignment["assigned_partitions"]))


async def until_members(world: Stack, count: int, within_s: float) -> None:
    """Polls until `count` workers hold partitions of the event topics."""
    deadline = time.monotonic() + within_s
    while await asyncio.to_thread(_members_counting, world) != count:
        assert time.monotonic() < deadline, world.worker_log()
        await asyncio.sleep(0.2)


async def canary(world: Stack, log: EventLog, communities: list[str], since: float,
                 within_s: float = RECOVERY_S) -> float:
    """Publishes a join to every community (one per partition) and polls the view until
    every one shows it, within `within_s` of `since`; returns the seconds since `since`."""
    at = datetime.now(UTC)
    for cid in communities:
        log.add(me.MemberJoined(community_id=cid, user_id=f"{cid}-u{log.version(cid)}"), at)
    await world.publish(log.records[-len(communities):])
    wanted = {roster_target(cid).key: log.version(cid) for cid in communities}
    rosters = world.database[COLLECTIONS[ROSTERS]]
    while True:
        # One read for all six: the poll itself must not eat into the bound it checks.
        seen = {document["_id"]: document["version"] async for document in rosters.find(
            {"_id": {"$in": list(wanted)}}, {"version": 1})}
        behind = {key: seen.get(key) for key, version in wanted.items()
                  if seen.get(key) != version}
        took = time.monotonic() - since
        if not behind:
            return took
        assert took < within_s, (behind, world.worker_log())
        await asyncio.sleep(0.05)


async def test_a_sigkill_mid_batch_loses_nothing_and_counts_nothing_twice(world):
    log, spaces = generate(spread(world.run), datetime.now(UTC) - timedelta(minutes=5),
                           communities=6, events=3_000)
    records = log.records
    world.start_worker(replica=1)
    world.start_worker(replica=2)
    await until_members(world, 2, START_S)

    async def flow() -> None:  # events keep coming while a worker dies
        for i in range(0, len(records), 100):
            await world.publish(records[i:i + 100])
            await asyncio.sleep(0.05)  # pacing of the load, not a wait for a condition

    publishing = asyncio.create_task(flow())
    deadline = time.monotonic() + START_S
    while not any([await world.view.roster(cid) for cid, group in spaces if not group]):
        assert time.monotonic() < deadline, world.worker_log()
        await asyncio.sleep(0.05)
    assert not publishing.done(), "the kill must come while events flow"
    world.stop_worker(signal.SIGKILL, replica=1)
    world.start_worker(replica=1)
    await publishing
    # A stretch published again, as a relay would after its own crash.
    await world.publish(records[len(records) // 2:len(records) // 2 + 500])
    await until_matches(world, log, spaces)
    assert all(worker.poll() is None for worker in world.workers.values()), world.worker_log()


async def test_a_worker_replica_recovers_within_the_bound(world):
    log = EventLog()
    prefix = spread(world.run)
    communities = [f"{prefix}-c{i}" for i in range(PARTITIONS)]
    at = datetime.now(UTC) - timedelta(minutes=1)
    for cid in communities:
        log.add(me.CommunityCreated(community_id=cid, owner_id=f"{cid}-owner"), at)
    await world.publish(log.records)
    world.start_worker(replica=1)
    world.start_worker(replica=2)
    await until_members(world, 2, START_S)
    await canary(world, log, communities, time.monotonic(), START_S)
    took = {}

    # Killed: the survivor counts its partitions after the dead member's session.
    killed = time.monotonic()
    world.stop_worker(signal.SIGKILL, replica=1)
    took["SIGKILL, survivor counts all"] = await canary(world, log, communities, killed)

    # Started again: it joins and takes partitions; both count within the bound of it joining.
    world.start_worker(replica=1)
    await until_members(world, 2, START_S)
    took["restart, both count again"] = await canary(world, log, communities, time.monotonic())

    # Killed and started again at once: every partition counted within the bound whether
    # the restarted worker took its own place back or the survivor covered for it.
    killed = time.monotonic()
    world.stop_worker(signal.SIGKILL, replica=1)
    world.start_worker(replica=1)
    took["SIGKILL + restart"] = await canary(world, log, communities, killed)
    await until_members(world, 2, START_S)

    # SIGTERM: it leaves the group as it stops; the other takes over at once.
    stopped = time.monotonic()
    world.stop_worker(signal.SIGTERM, replica=2)
    took["SIGTERM, other counts all"] = await canary(world, log, communities, stopped)
    print("worker recovery, fault -> canary in every partition counted: " + ", ".join(
        f"{fault} {seconds:.1f} s" for fault, seconds in took.items()))


async def test_a_partition_count_mismatch_refuses_to_start(world):
    odd = create_topic(world.bootstrap, f"{world.run}-odd", 3)
    env = {**world.env,
           "INSIGHTS_SOURCE_TOPICS": ",".join([*world.topics.values(), odd]),
           "INSIGHTS_DATA_DIR": str(world.tmp / "data-odd")}
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "insights.worker"],
                                   env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert (f"configuration error: KAFKA_TOPIC_PARTITIONS is 6 but {odd} has 3: every event "
            "topic and table changelog of insights must have that many partitions") in done.stderr
    assert "Traceback" not in done.stderr
