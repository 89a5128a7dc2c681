"""The outbox relay against the real Kafka broker and FerretDB: every stored commit reaches
Kafka once per relay pass, in stream order, with its stored ce_id / ce_time; nothing is lost
when the relay process dies between reading a commit and publishing it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from community_common.event_store import UNPUBLISHED, Commit, EventStore, NewEvent, Provenance
from community_common.lease import Lease
from community_common.mongo import async_client, blocking_client
from community_common.relay import FREEZE_BEFORE_PUBLISH, OutboxRelay, RelaySettings
from community_common.testing.events import create_topic, read_envelopes
from google.protobuf import struct_pb2
from pymongo.database import Database

from .conftest import wait_until

# SPEC §10's recovery bound for a service replica: a dead relay's lease passes on within it.
RECOVERY_BOUND_S = 10.0
# A relay process's start (imports, connections) on a loaded 2-core machine.
START_S = 120.0

SOURCE = "/services/test"
WHO = Provenance(actor_id="u-1", correlation_id="corr")


def event(community: str, n: int) -> NewEvent:
    message = struct_pb2.Struct()
    message.update({"n": n})
    return NewEvent(message, community_id=community)


@pytest.fixture
def db(mongo_uri: str, uid: str) -> Iterator[Database[Any]]:
    client = blocking_client(mongo_uri)
    yield client[f"relay_{uid}"]
    client.drop_database(f"relay_{uid}")
    client.close()


class Writer:
    """The service's (asyncio) event store, driven from these synchronous tests on a loop of
    its own, as a command would append."""

    def __init__(self, mongo_uri: str, database: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.client: Any = async_client(mongo_uri)
        self.store = EventStore(self.client[database], SOURCE)
        self.loop.run_until_complete(self.store.ensure_indexes())

    def append(self, stream_id: str, version: int, events: list[NewEvent], **kw: Any) -> Commit:
        return self.loop.run_until_complete(self.store.append(stream_id, version, events, **kw))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.close())
        self.loop.close()


@pytest.fixture
def store(mongo_uri: str, db: Database[Any]) -> Iterator[Writer]:
    writer = Writer(mongo_uri, db.name)
    yield writer
    writer.close()


@pytest.fixture
def topic(kafka_bootstrap: str, uid: str) -> str:
    return create_topic(kafka_bootstrap, f"relay-test-{uid}", partitions=3)


def holding_relay(db: Database[Any], kafka_bootstrap: str, topic: str) -> OutboxRelay:
    """A relay these tests drive batch by batch, holding a lease that outlasts the test (a
    relay out of its lease sends nothing)."""
    relay = OutboxRelay(db, kafka_bootstrap, RelaySettings(topic=topic, lease_s=600))
    assert relay.lease.held()
    return relay


@pytest.fixture
def relay(db: Database[Any], kafka_bootstrap: str, topic: str) -> Iterator[OutboxRelay]:
    relay = holding_relay(db, kafka_bootstrap, topic)
    yield relay
    relay.stop()


def test_commits_reach_kafka_in_stream_order_with_stored_ids(
    store: Writer, relay: OutboxRelay, kafka_bootstrap: str, topic: str, db: Any
) -> None:
    stored = []
    for stream in ("a", "b", "c"):
        version = 0
        for n in range(4):
            events = [event(f"community-{stream}", n)] * (2 if n == 1 else 1)
            commit = store.append(f"stream-{stream}", version, events, provenance=WHO)
            stored.extend(commit.events)
            version = commit.version
    relay.start()
    published = read_envelopes(kafka_bootstrap, topic, count=len(stored))
    assert sorted(e.id for e in published) == sorted(e.id for e in stored)
    by_id = {e.id: e for e in stored}
    for envelope in published:
        # Same ce_id, ce_time, payload, headers and key as stored; the relay adds its number.
        assert envelope == replace(by_id[envelope.id], key_sequence=envelope.key_sequence)
    for stream in ("a", "b", "c"):
        mine = [e for e in published if e.subject == f"stream-{stream}"]
        assert [e.sequence for e in mine] == [1, 2, 3, 4, 5]  # in order (one key, one partition)
        assert [e.key_sequence for e in mine] == [1, 2, 3, 4, 5]
    assert wait_until(lambda: unpublished(db) == 0, timeout_s=20)
    assert db["relay_positions"].find_one({"_id": "stream-a"})["next_base"] == 5


def test_relay_keeps_publishing_new_commits(
    store: Writer, relay: OutboxRelay, kafka_bootstrap: str, topic: str
) -> None:
    relay.start()
    first = store.append("s", 0, [event("c", 1)], provenance=WHO)
    assert [e.id for e in read_envelopes(kafka_bootstrap, topic, count=1)] == [first.events[0].id]
    second = store.append("s", 1, [event("c", 2)], provenance=WHO)
    published = read_envelopes(kafka_bootstrap, topic, count=2)
    assert [e.id for e in published] == [first.events[0].id, second.events[0].id]


def test_a_commit_of_this_process_wakes_the_idle_relay(
    store: Writer, db: Database[Any], kafka_bootstrap: str, topic: str
) -> None:
    """The idle poll is for other processes' commits; this process's own are sent at once."""
    relay = OutboxRelay(db, kafka_bootstrap, RelaySettings(topic=topic, idle_poll_s=60))
    relay.start()
    try:
        first = store.append("s", 0, [event("c", 1)], provenance=WHO)
        read_envelopes(kafka_bootstrap, topic, count=1)  # the relay runs, then finds no more
        second = store.append("s", 1, [event("c", 2)], provenance=WHO)
        published = read_envelopes(kafka_bootstrap, topic, count=2, timeout_s=20)
        assert [e.id for e in published] == [first.events[0].id, second.events[0].id]
    finally:
        relay.stop()


def test_a_commit_sent_before_a_crash_is_only_unflagged(
    store: Writer, db: Database[Any], kafka_bootstrap: str, topic: str
) -> None:
    """A relay that died after advancing the position but before clearing the flag: the next
    batch finds the commit below the position and clears the flag without sending it again."""
    relay = holding_relay(db, kafka_bootstrap, topic)
    try:
        commit = store.append("s", 0, [event("c", 1)], provenance=WHO)
        assert relay.relay_batch() == 1
        db["commits"].update_one({"_id": commit.commit_id}, {"$set": {UNPUBLISHED: True}})
        assert relay.relay_batch() == 0
        assert unpublished(db) == 0
        assert len(read_envelopes(kafka_bootstrap, topic, count=2, timeout_s=3)) == 1
    finally:
        relay.stop()


def test_an_unflagged_commit_below_a_flagged_one_is_still_published_first(
    store: Writer,
    db: Database[Any],
    relay: OutboxRelay,
    kafka_bootstrap: str,
    topic: str,
) -> None:
    first = store.append("s", 0, [event("c", 1)], provenance=WHO)
    db["commits"].update_one({"_id": first.commit_id}, {"$unset": {UNPUBLISHED: ""}})
    store.append("s", 1, [event("c", 2)], provenance=WHO)
    assert relay.relay_batch() == 2
    assert [e.sequence for e in read_envelopes(kafka_bootstrap, topic, count=2)] == [1, 2]


def test_only_one_relay_holds_the_lease(db: Database[Any]) -> None:
    clock = [1000.0]
    first = Lease(db, "relay", lease_s=10, holder="first", clock=lambda: clock[0])
    second = Lease(db, "relay", lease_s=10, holder="second", clock=lambda: clock[0])
    assert first.held() and not second.held()
    clock[0] = 1008.0  # near the end of the slot: the holder pre-claims the next one
    assert first.held() and not second.held()
    clock[0] = 1012.0
    assert first.held() and not second.held()
    # The holder stops renewing (dies): once its claimed slots pass, the other takes over.
    clock[0] = 1031.0
    assert second.held()
    assert not first.held()


def test_a_holder_trusts_its_lease_only_until_its_slots_end_by_the_monotonic_clock(
    db: Database[Any],
) -> None:
    clock, monotonic = [1000.0], [0.0]
    lease = Lease(
        db, "relay", 10, holder="first", clock=lambda: clock[0], monotonic=lambda: monotonic[0]
    )
    assert lease.held() and lease.still_held()
    monotonic[0] = 7.9  # the slot ends at 10 s; the last 2 s are a margin
    assert lease.still_held()
    monotonic[0] = 8.1
    assert not lease.still_held()
    # Frozen past its slot while another holder took the next ones: waking, it cannot renew.
    clock[0] = 1025.0
    assert Lease(db, "relay", 10, holder="second", clock=lambda: clock[0]).held()
    assert not lease.renew()
    # Nor in a later slot nobody claimed: its tenure was broken, its state may be stale.
    clock[0] = 1045.0
    assert not lease.renew()
    assert lease.held()


def test_two_relays_publish_each_event_once(
    store: Writer, db: Database[Any], kafka_bootstrap: str, topic: str
) -> None:
    relays = [OutboxRelay(db, kafka_bootstrap, RelaySettings(topic=topic)) for _ in range(2)]
    for relay in relays:
        relay.start()
    try:
        ids = []
        for n in range(20):
            commit = store.append(f"s{n % 4}", n // 4, [event(f"c{n % 4}", n)], provenance=WHO)
            ids.append(commit.events[0].id)
        assert wait_until(lambda: unpublished(db) == 0, timeout_s=20)
        published = read_envelopes(kafka_bootstrap, topic, count=21, timeout_s=3)
        assert sorted(e.id for e in published) == sorted(ids)
    finally:
        for relay in relays:
            relay.stop()


def relay_process(
    mongo_uri: str,
    database: str,
    kafka_bootstrap: str,
    topic: str,
    failpoint: str = "",
    *,
    replica: int | None = None,
    lease_s: float = 2,
    log: Path | None = None,
) -> subprocess.Popen[str]:
    env = os.environ | {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "RELAY_TOPIC": topic,
        "RELAY_FAILPOINT": failpoint,
        "RELAY_LEASE_S": str(lease_s),
    }
    env.pop("REPLICA_ID", None)
    if replica is not None:
        env["REPLICA_ID"] = str(replica)  # the lease holder "relay-<replica>"
    return subprocess.Popen(
        [sys.executable, "-m", "community_common.relay"],
        env=env,
        stdout=log.open("a") if log is not None else subprocess.PIPE,
        stderr=subprocess.STDOUT if log is not None else None,
        text=True,
    )


def stopped(process: subprocess.Popen[str]) -> bool:
    """The process is frozen (SIGSTOP): state T in /proc."""
    stat = Path(f"/proc/{process.pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] == "T"


def end(*processes: subprocess.Popen[str]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.kill()
        process.wait()


def test_event_survives_relay_crash_between_fetch_and_publish(
    store: Writer,
    db: Database[Any],
    mongo_uri: str,
    kafka_bootstrap: str,
    topic: str,
    tmp_path: Path,
) -> None:
    commit = store.append("s", 0, [event("c", 1)], provenance=WHO)
    crashing = relay_process(
        mongo_uri, db.name, kafka_bootstrap, topic, "after_fetch_before_publish"
    )
    assert crashing.wait(timeout=30) == 137
    assert read_envelopes(kafka_bootstrap, topic, count=1, timeout_s=2) == []
    assert unpublished(db) == 1

    log = tmp_path / "restarted.log"
    restarted = relay_process(mongo_uri, db.name, kafka_bootstrap, topic, log=log)
    try:
        published_ = read_envelopes(kafka_bootstrap, topic, count=1, timeout_s=START_S)
        assert len(published_) == 1, log.read_text()
        [published] = published_
        # The stored ce_id and ce_time, not new ones; the key's first number.
        assert published == replace(commit.events[0], key_sequence=1)
        assert wait_until(lambda: unpublished(db) == 0, timeout_s=20)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=20)


def test_streams_sharing_a_key_are_numbered_densely_in_publication_order(
    store: Writer, relay: OutboxRelay, kafka_bootstrap: str, topic: str
) -> None:
    # Many aggregates of one community (e.g. its posts) share the community's key.
    versions = {f"post-{n}": 0 for n in range(4)}
    for round_ in range(3):
        for stream in versions:
            events = [event("community-1", round_)] * (1 + round_ % 2)
            versions[stream] = store.append(
                stream, versions[stream], events, provenance=WHO
            ).version
    relay.start()
    total = sum(versions.values())
    published = read_envelopes(kafka_bootstrap, topic, count=total)
    assert [e.key_sequence for e in published] == list(range(1, total + 1))
    for stream, version in versions.items():
        assert [e.sequence for e in published if e.subject == stream] == list(range(1, version + 1))


def test_republished_events_keep_their_key_sequence(
    store: Writer,
    db: Database[Any],
    mongo_uri: str,
    kafka_bootstrap: str,
    topic: str,
) -> None:
    store.append("s1", 0, [event("c", 1), event("c", 2)], provenance=WHO)
    store.append("s2", 0, [event("c", 3)], provenance=WHO)
    crashing = relay_process(
        mongo_uri, db.name, kafka_bootstrap, topic, "after_publish_before_advance"
    )
    assert crashing.wait(timeout=30) == 137
    first_time = read_envelopes(kafka_bootstrap, topic, count=3)
    store.append("s1", 2, [event("c", 4)], provenance=WHO)

    restarted = relay_process(mongo_uri, db.name, kafka_bootstrap, topic)
    try:
        everything = read_envelopes(kafka_bootstrap, topic, count=7, timeout_s=30)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=20)
    assert everything[:3] == first_time
    # Published again with the same ids and numbers, then the new event gets the next number.
    assert everything[3:6] == first_time
    assert everything[6].key_sequence == 4
    assert everything[6].message()["n"] == 4


def test_a_batch_touching_many_streams_publishes_everything(
    store: Writer, db: Database[Any], kafka_bootstrap: str, topic: str
) -> None:
    # Two rounds over 150 streams: the second moves 150 existing positions in one batch,
    # which FerretDB would need 150 PostgreSQL connections for if sent as one update command
    # (see mongo.write_in_chunks).
    relay = holding_relay(db, kafka_bootstrap, topic)
    try:
        for round_ in range(2):
            for n in range(150):
                store.append(f"s{n}", round_, [event(f"c{n}", round_)], provenance=WHO)
            published = 0
            while batch := relay.relay_batch():
                published += batch
            assert published == 150
        assert unpublished(db) == 0
        assert len(read_envelopes(kafka_bootstrap, topic, count=300)) == 300
    finally:
        relay.stop()


def unpublished(db: Database[Any]) -> int:
    return db["commits"].count_documents({UNPUBLISHED: True})


def test_the_lease_of_a_killed_holder_passes_to_the_other_replica_within_seconds(
    store: Writer, db: Database[Any], mongo_uri: str, kafka_bootstrap: str, topic: str
) -> None:
    """SIGKILL of the relay holding the lease while a second replica runs: the second takes
    the lease once the dead holder's slot ends and publishes what was stored meanwhile."""
    lease = Lease(db, "relay", lease_s=3)
    relays = {
        n: relay_process(mongo_uri, db.name, kafka_bootstrap, topic, replica=n, lease_s=3)
        for n in (1, 2)
    }
    try:
        first = store.append("s", 0, [event("c", 1)], provenance=WHO)
        assert read_envelopes(kafka_bootstrap, topic, count=1, timeout_s=START_S)
        holder = lease.current_holder()
        assert holder in ("relay-1", "relay-2")
        dead = relays[int(holder.rsplit("-", 1)[1])]
        dead.kill()
        dead.wait()
        killed_at = time.monotonic()
        second = store.append("s", 1, [event("c", 2)], provenance=WHO)
        # Killed between its send and its position's write, the holder leaves the first event
        # for the next one to send again, with the same id: at least once, never a new id.
        expected = [first.events[0].id, second.events[0].id]
        assert wait_until(
            lambda: distinct_in_order(published_ids(kafka_bootstrap, topic)) == expected,
            timeout_s=RECOVERY_BOUND_S,
        )
        assert set(published_ids(kafka_bootstrap, topic)) == set(expected)
        print(f"lease passed on and published {time.monotonic() - killed_at:.1f}s after SIGKILL")
    finally:
        end(*relays.values())


def published_ids(kafka_bootstrap: str, topic: str) -> list[str]:
    return [e.id for e in read_envelopes(kafka_bootstrap, topic, count=9, timeout_s=1)]


def distinct_in_order(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def test_a_restarted_replica_takes_back_its_own_lease_at_once(
    store: Writer, db: Database[Any], mongo_uri: str, kafka_bootstrap: str, topic: str
) -> None:
    """With a 10-minute lease, a restart that waited for its old slot to end would publish
    nothing for minutes: the same replica's name holds the slot again at once."""
    relay = relay_process(mongo_uri, db.name, kafka_bootstrap, topic, replica=1, lease_s=600)
    restarted = None
    try:
        first = store.append("s", 0, [event("c", 1)], provenance=WHO)
        assert read_envelopes(kafka_bootstrap, topic, count=1, timeout_s=START_S)
        relay.kill()
        relay.wait()
        second = store.append("s", 1, [event("c", 2)], provenance=WHO)
        restarted = relay_process(
            mongo_uri, db.name, kafka_bootstrap, topic, replica=1, lease_s=600
        )
        # The deadline includes the process's start on a loaded machine, far below 600 s. (The
        # first may come twice: killed before its position moved, the relay sends it again.)
        ids = {first.events[0].id, second.events[0].id}
        assert wait_until(
            lambda: set(published_ids(kafka_bootstrap, topic)) == ids,
            timeout_s=START_S,
        )
    finally:
        end(relay, *([restarted] if restarted else []))


def test_a_frozen_relay_that_lost_its_lease_publishes_nothing_when_it_wakes(
    store: Writer,
    db: Database[Any],
    mongo_uri: str,
    kafka_bootstrap: str,
    topic: str,
    tmp_path: Path,
) -> None:
    """A zombie: relay 1 freezes (SIGSTOP) with a numbered batch in hand, past its lease;
    relay 2 takes over and publishes that batch and later ones; relay 1 wakes (SIGCONT) and
    sends nothing more. (A holder's own retry may repeat a record, always under its ce_id and
    ce_keysequence: at least once.) Had the zombie sent its batch, 1 and 2 would follow 3."""
    early = [store.append("s", n, [event("c", n)], provenance=WHO) for n in range(2)]
    zombie_log = tmp_path / "zombie.log"
    zombie = relay_process(
        mongo_uri,
        db.name,
        kafka_bootstrap,
        topic,
        FREEZE_BEFORE_PUBLISH,
        replica=1,
        log=zombie_log,
    )
    successor = None
    try:
        assert wait_until(lambda: stopped(zombie), timeout_s=START_S)
        successor = relay_process(
            mongo_uri, db.name, kafka_bootstrap, topic, replica=2, log=tmp_path / "2.log"
        )
        late = store.append("s", 2, [event("c", 2)], provenance=WHO)
        assert wait_until(lambda: unpublished(db) == 0, timeout_s=START_S)
        before = read_envelopes(kafka_bootstrap, topic, count=100, timeout_s=3)
        numbered = {(c.events[0].id, n + 1) for n, c in enumerate([*early, late])}
        assert {(e.id, e.key_sequence) for e in before} == numbered
        zombie.send_signal(signal.SIGCONT)
        assert wait_until(lambda: "relay lease lost" in zombie_log.read_text(), timeout_s=30)
        after = read_envelopes(kafka_bootstrap, topic, count=100, timeout_s=3)
        assert after == before
    finally:
        end(zombie, *([successor] if successor else []))
