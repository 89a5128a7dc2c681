"""One test world for the insights worker: its own copies of the three event topics (6
partitions, like the contract's), its own consumer group (app id) and database, and worker
processes started as `make up` starts them; the tests add the API and the checks."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from community.insights.v1 import insights_service_pb2 as pb
from community_common.testing.events import create_topic
from community_common.testing.polling import eventually_async
from insights.application.get_insights import InsightsQueries
from insights.codecs import fill_figures
from insights.domain.effects import Space
from insights_events import EventLog, Record
from insights_oracle import figures as oracle_figures
from insights_oracle import from_response
from kafka import KafkaProducer

SOURCES = {"community.membership.events.v1": "membership", "community.feed.events.v1": "feed",
           "community.moderation.events.v1": "moderation"}
PARTITIONS = 6
# The figures compared with the oracle's: every range, in zones with odd offsets and DST.
CHECKS = [(60, "UTC"), (28, "Asia/Kathmandu"), (7, "America/New_York")]
CATCH_UP_S = 420


class Stack:
    """Topics, worker processes and a producer of one test world."""

    def __init__(self, bootstrap: str, mongo_uri: str, run: str, tmp: Path) -> None:
        self.bootstrap, self.mongo_uri, self.run, self.tmp = bootstrap, mongo_uri, run, tmp
        self.topics = {name: f"{run}-{short}" for name, short in SOURCES.items()}
        self.snapshot_topic = f"{run}-snapshots"
        for topic in [*self.topics.values(), self.snapshot_topic]:
            create_topic(bootstrap, topic, PARTITIONS)
        for topic in self.topics.values():
            create_topic(bootstrap, f"{topic}.dlq", PARTITIONS)
        self.env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "MONGODB_URI": mongo_uri,
            "MONGODB_DATABASE": run,
            "INSIGHTS_APP_ID": run,
            "INSIGHTS_SOURCE_TOPICS": ",".join(self.topics.values()),
            "INSIGHTS_SNAPSHOT_TOPIC": self.snapshot_topic,
            "INSIGHTS_SNAPSHOT_INTERVAL_S": "5",
            "KAFKA_TOPIC_PARTITIONS": str(PARTITIONS),
            "LOG_LEVEL": "WARNING",
        }
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        # Worker processes by replica number (0: one unnamed worker, as `make up` runs it).
        self.workers: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def worker(self) -> subprocess.Popen[bytes] | None:
        return self.workers.get(0)

    def log(self, replica: int = 0) -> Path:
        return self.tmp / f"worker-{replica}.log"

    def start_worker(self, *command: str, replica: int = 0) -> None:
        """Starts a worker; a replica number > 0 names it (REPLICA_ID), as the stack's
        replicas are named."""
        args = command or ("-m", "insights.worker")
        env = {**self.env, "INSIGHTS_DATA_DIR": str(self.tmp / f"data-{time.monotonic_ns()}")}
        if replica:
            env["REPLICA_ID"] = str(replica)
        self.workers[replica] = subprocess.Popen(
            [sys.executable, *args], env=env, stdout=self.log(replica).open("ab"),
            stderr=subprocess.STDOUT)

    def stop_worker(self, sig: int = signal.SIGTERM, replica: int = 0) -> None:
        worker = self.workers.pop(replica)
        worker.send_signal(sig)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    def cpu_seconds(self, replica: int = 0) -> float:
        """CPU time a running worker has used so far (user + system), for the report."""
        fields = Path(f"/proc/{self.workers[replica].pid}/stat").read_text().rsplit(")", 1)[1]
        utime, stime = fields.split()[11:13]
        return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")

    def stop_workers(self) -> None:
        for replica in list(self.workers):
            self.stop_worker(replica=replica)

    def _publish(self, records: list[Record]) -> float:
        for r in records:
            self.producer.send(self.topics[r.topic], key=r.key, value=r.value, headers=r.headers)
        self.producer.flush(timeout=60)
        return time.monotonic()

    async def publish(self, records: list[Record]) -> float:
        """Publishes and waits for the broker's acks (kafka-python blocks: in a thread);
        returns when they were acknowledged."""
        return await asyncio.to_thread(self._publish, records)

    def worker_log(self) -> str:
        return "\n".join(f"--- worker {replica}\n{self.log(replica).read_text()[-3000:]}"
                         for replica in sorted(self.workers) if self.log(replica).exists())


async def view_figures(world, space, range_days, zone, now):
    """A space's figures as GetInsights computes them from the world's serving view."""
    roster = await world.view.roster(space[0])
    if roster is None:
        return None
    figures = await InsightsQueries(world.view, clock=lambda: now).figures(
        Space(*space), roster, range_days, ZoneInfo(zone))
    response = pb.GetInsightsResponse()
    fill_figures(response, figures)
    return from_response(response)


def oracle(log: EventLog, spaces, now: datetime) -> dict:
    """The oracle's figures of every space and check, as of `now`."""
    events = [(r.message, r.at) for r in log.records]
    return {(space, range_days, zone): oracle_figures(events, *space, range_days, zone, now)
            for space in spaces for range_days, zone in CHECKS}


async def mismatches(world, expected: dict, now: datetime) -> list:
    wrong = []
    for (space, range_days, zone), figures in expected.items():
        actual = await view_figures(world, space, range_days, zone, now)
        if actual != figures:
            differing = {k: (actual.get(k), v) for k, v in figures.items()
                         if not actual or actual.get(k) != v} if actual else "missing"
            wrong.append((space, range_days, zone, str(differing)[:600]))
    return wrong


async def until_matches(world, log, spaces) -> None:
    """Polls until the view's figures of every space equal the oracle's (the figures of a
    replay of `log`, computed by code independent of the worker's), both as of the moment
    the wait began: the oracle's, the costly part, are computed once."""
    now = datetime.now(UTC)
    expected = oracle(log, spaces, now)

    async def matching() -> bool:
        wrong = await mismatches(world, expected, now)
        assert not wrong, (wrong[:5], world.worker_log())
        return True

    await eventually_async(matching, CATCH_UP_S, interval_s=0.5, what="the oracle's figures")
