"""`python -m insights.rebuild` on the real broker and FerretDB, while the real API process and
a real worker run: a varied history (several communities and groups, posts, comments, likes,
shares, announcements, live sessions, joins and leaves, removals, mutes, bans over 60 days)
is counted by the worker; every GetInsights answer (each space, range and zone, refusals
included) is captured; the rebuild is killed right after its first checkpoint, run again
(it resumes) while a read waits for it, and every answer is the same afterwards. Then the
worker, fenced during the rebuild, is back from the rebuilt state: a new event counts once,
events published again count nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from community.feed.v1 import events_pb2 as fe
from community.insights.v1 import insights_service_pb2 as pb
from community.insights.v1 import insights_service_pb2_grpc as pb_grpc
from community_common.auth import mint_token
from community_common.config import auth_secret_from_env
from community_common.mongo import blocking_client
from community_common.rebuild import DONE, REBUILDS
from community_common.testing.events import create_topic
from community_common.testing.polling import eventually
from community_common.testing.service_process import ServiceProcess
from insights_events import Record
from insights_history import generate
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient

pytestmark = pytest.mark.timeout(300)

SOURCES = {
    "community.membership.events.v1": "membership",
    "community.feed.events.v1": "feed",
    "community.moderation.events.v1": "moderation",
}
RANGES = (7, 28, 60)
ZONES = ("UTC", "Asia/Kathmandu", "America/New_York")
EVENTS = 3000
DEADLINE_S = 90


class World:
    def __init__(self, bootstrap: str, mongo_uri: str, run: str, tmp: Path) -> None:
        self.bootstrap, self.run, self.tmp = bootstrap, run, tmp
        self.topics = {name: f"{run}-{short}" for name, short in SOURCES.items()}
        for topic in self.topics.values():
            create_topic(bootstrap, topic, 6)
            create_topic(bootstrap, f"{topic}.dlq", 6)
        create_topic(bootstrap, f"{run}-snapshots", 6)
        self.env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "MONGODB_URI": mongo_uri,
            "MONGODB_DATABASE": run,
            "INSIGHTS_APP_ID": run,
            "INSIGHTS_SOURCE_TOPICS": ",".join(self.topics.values()),
            "INSIGHTS_SNAPSHOT_TOPIC": f"{run}-snapshots",
            "INSIGHTS_HTTP_PORT": "off",
            "KAFKA_TOPIC_PARTITIONS": "6",
            "LOG_LEVEL": "INFO",
        }
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        self.log = tmp / "worker.log"
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "insights.worker"],
            env={**self.env, "INSIGHTS_DATA_DIR": str(tmp / "data")},
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        self.api = ServiceProcess(
            "insights", pb_grpc.InsightsServiceStub, self.env, tmp / "api.log"
        )
        secret = auth_secret_from_env()
        self.admin = [("authorization", f"Bearer {mint_token(secret, 'ops', platform_admin=True)}")]
        self.mongo = blocking_client(mongo_uri)

    def publish(self, records: list[Record]) -> None:
        for r in records:
            self.producer.send(self.topics[r.topic], key=r.key, value=r.value, headers=r.headers)
        self.producer.flush(timeout=60)

    def worker_log(self) -> str:
        return self.log.read_text()[-4000:]

    def caught_up(self) -> bool:
        """The worker committed every event published so far (it commits only what it
        saved to the view)."""
        consumer = KafkaConsumer(
            bootstrap_servers=self.bootstrap, group_id=self.run, enable_auto_commit=False
        )
        try:
            partitions = [TopicPartition(t, p) for t in self.topics.values() for p in range(6)]
            ends = consumer.end_offsets(partitions)
            return all((consumer.committed(tp) or 0) >= end for tp, end in ends.items())
        finally:
            consumer.close()

    def group_members(self) -> int:
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        try:
            return len(admin.describe_groups([self.run])[self.run]["members"])
        finally:
            admin.close()

    def until(self, what: str, check: Any) -> None:
        def held() -> bool:
            if self.worker.poll() is not None:
                raise RuntimeError(f"the worker exited: {self.worker_log()}")
            assert check(), f"{what}: {self.worker_log()}"
            return True

        eventually(held, DEADLINE_S, interval_s=0.1, what=what)

    def rebuild(self, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "insights.rebuild"],
            env={**self.env, "LOG_LEVEL": "WARNING", **env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def get(self, cid: str, group: str, range_days: int, zone: str) -> tuple[str, bytes]:
        """An answer, or the refusal's code and details."""
        try:
            response = self.api.stub.GetInsights(
                pb.GetInsightsRequest(
                    community_id=cid, group_id=group, range_days=range_days, time_zone=zone
                ),
                metadata=self.admin,
                timeout=60,
            )
        except grpc.RpcError as error:
            return error.code().name, (error.details() or "").encode()
        return "OK", response.SerializeToString(deterministic=True)

    def capture(self, spaces: list[tuple[str, str]]) -> dict[tuple[str, str, int, str], Any]:
        return {
            (c, g, r, z): self.get(c, g, r, z) for c, g in spaces for r in RANGES for z in ZONES
        }

    def close(self) -> None:
        self.api.stop()
        self.worker.terminate()
        try:
            self.worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.worker.kill()
        self.producer.close()
        self.mongo.drop_database(self.run)
        self.mongo.close()


@pytest.fixture
def world(kafka_bootstrap, mongo_uri, tmp_path):
    run = f"insights-rb-{os.getpid()}-{time.monotonic_ns() % 10**8}"
    w = World(kafka_bootstrap, mongo_uri, run, tmp_path)
    try:
        yield w
    finally:
        w.close()


def test_rebuild_killed_and_resumed_gives_every_answer_again_while_the_worker_steps_aside(world):
    log, spaces = generate(world.run, datetime.now(UTC) - timedelta(minutes=5), events=EVENTS)
    world.api.wait_serving()
    started = time.monotonic()
    world.publish(log.records)
    world.until("the worker counted the history", world.caught_up)
    print(f"worker counted {len(log.records)} events in {time.monotonic() - started:.1f} s")
    before = world.capture(spaces)
    answered = [key for key, (code, _) in before.items() if code == "OK"]
    # A community above the threshold answers; the rest refuse with their member count.
    assert len(answered) >= len(RANGES) * len(ZONES), before
    assert {code for code, _ in before.values()} <= {"OK", "FAILED_PRECONDITION"}

    # Killed right after its first checkpoint: the state stays `running`.
    killed = world.rebuild(
        COMMUNITY_FAILPOINTS="rebuild-checkpointed", REBUILD_CHECKPOINT_EVERY="500"
    )
    assert killed.returncode == -9, killed.stderr[-3000:]
    state = world.mongo[world.run][REBUILDS].find_one({"_id": "insights"})
    assert state["state"] == "running" and 0 < state["events"] < EVENTS
    # The worker has left the group (fenced) and waits.
    world.until("the worker left the group", lambda: world.group_members() == 0)

    # A read now waits for the rebuild, and answers as before once it is done.
    c, g = spaces[0]
    waited: dict[str, Any] = {}
    reader = threading.Thread(target=lambda: waited.update(answer=world.get(c, g, 28, "UTC")))
    reader.start()
    resumed = world.rebuild(REBUILD_CHECKPOINT_EVERY="500")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    print(resumed.stdout)
    assert "resumed and finished the insights read models" in resumed.stdout, resumed.stdout
    reader.join(timeout=60)
    assert waited["answer"] == before[(c, g, 28, "UTC")]
    state = world.mongo[world.run][REBUILDS].find_one({"_id": "insights"})
    assert state["state"] == DONE

    after = world.capture(spaces)
    assert list(after) == list(before)
    different = [key for key in before if after[key] != before[key]]
    assert not different, different[:5]

    # The worker starts over from the rebuilt tables: an event published again counts
    # nothing, a new one counts once.
    world.until("the worker rejoined", lambda: world.group_members() > 0)
    cid = next(c for (c, g, _r, _z), (code, _) in before.items() if code == "OK" and not g)
    author = next(
        r.message.author_id
        for r in log.records
        if isinstance(r.message, fe.PostCreated) and r.message.community_id == cid
    )
    posts = pb.GetInsightsResponse.FromString(before[(cid, "", 7, "UTC")][1]).posts
    fresh = log.add(
        fe.PostCreated(post_id=f"{cid}-fresh", community_id=cid, author_id=author),
        datetime.now(UTC),
    )
    world.publish([*log.records[-600:-1], fresh])
    world.until("the worker counted the new post", world.caught_up)
    code, answer = world.get(cid, "", 7, "UTC")
    assert code == "OK", (code, answer)
    now = pb.GetInsightsResponse.FromString(answer)
    assert now.posts == posts + 1
    unchanged = [key for key in before if key[0] != cid and world.get(*key) != before[key]]
    assert not unchanged, unchanged[:5]
