"""Replicas of a service as real processes on the real servers: a killed replica's partitions
and relay lease pass on, and a restarted one serves again, within the recovery bound (SPEC
§10: 10 s for a service replica); a replica stopped with SIGTERM leaves its groups at once.

Each bound is a poll deadline taken from the moment the fault happened or, for a restart, from
the moment the new process answers health at all: how long Python takes to import and start a
service on a loaded machine is not what the bound is about.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from community_common.config import topic_partitions
from community_common.lease import Lease
from community_common.mongo import blocking_client
from grpc_health.v1 import health_pb2, health_pb2_grpc
from kafka.admin import KafkaAdminClient

from .conftest import wait_until
from .test_service_process import free_port, process_env

RECOVERY_BOUND_S = 10.0
# Starting a service process (imports, connections) on a loaded 2-core machine.
START_S = 120.0
# SIGTERM drains in-flight calls and stops the workers within the server's grace period.
GRACE_S = 10.0
GROUPS = ("feed-membership", "feed-moderation")
# Each group's topic has this many partitions.
PARTITIONS = topic_partitions()


class Replica:
    """`python -m feed` as replica `n` (REPLICA_ID=n) of one deployment."""

    def __init__(self, env: dict[str, str], n: int, log: Path) -> None:
        self.n = n
        self.name = f"feed-{n}"
        self.port = free_port()
        self.env = env | {"REPLICA_ID": str(n), "GRPC_PORT": str(self.port)}
        self.log = log
        self.process = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "feed"],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def restart(self) -> None:
        self.process = self._spawn()

    def status(self) -> int | None:
        """Its health, or None while nothing answers on its port."""
        with grpc.insecure_channel(f"127.0.0.1:{self.port}") as channel:
            try:
                reply = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(), timeout=1
                )
            except grpc.RpcError:
                return None
        return int(reply.status)

    def serving(self) -> bool:
        return self.status() == health_pb2.HealthCheckResponse.SERVING

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


@pytest.fixture
def deployment(
    kafka_bootstrap: str, mongo_uri: str, uid: str, tmp_path: Path
) -> Iterator[Callable[[int], Replica]]:
    """Starts replicas of one feed deployment (its own database and consumer groups)."""
    env = process_env(kafka_bootstrap, mongo_uri, f"feed_{uid}", 0)
    env["CONSUMER_GROUP_PREFIX"] = f"{uid}-"
    started: list[Replica] = []

    def replica(n: int) -> Replica:
        started.append(Replica(env, n, tmp_path / f"feed-{n}.log"))
        return started[-1]

    yield replica
    for each in started:
        each.end()
    client = blocking_client(mongo_uri)
    client.drop_database(f"feed_{uid}")
    client.close()


@pytest.fixture
def owners(kafka_bootstrap: str, uid: str) -> Iterator[Callable[[], dict[str, dict[str, int]]]]:
    """Per consumer group of the deployment: member id -> partitions it owns."""
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)

    def look() -> dict[str, dict[str, int]]:
        described = admin.describe_groups([f"{uid}-{group}" for group in GROUPS])
        return {
            group: {
                str(member["member_id"]): sum(
                    len(t["partitions"])
                    for t in (member.get("member_assignment") or {}).get("assigned_partitions", [])
                )
                for member in found.get("members") or []
            }
            for group, found in described.items()
        }

    yield look
    admin.close()


def relay_holder(mongo_uri: str, uid: str) -> str | None:
    client = blocking_client(mongo_uri)
    try:
        return Lease(client[f"feed_{uid}"], "relay", lease_s=3).current_holder()
    finally:
        client.close()


def test_a_killed_replica_restarted_under_its_name_serves_again_within_the_bound(
    deployment: Callable[[int], Replica],
    owners: Callable[[], dict[str, dict[str, int]]],
    mongo_uri: str,
    uid: str,
) -> None:
    """Before: the restarted member waited out the dead one's 45 s session (NOT_SERVING, every
    consistency-token read timing out) and the old random lease holder's slot (~10 s)."""
    replica = deployment(1)
    assert wait_until(replica.serving, timeout_s=START_S)
    assert relay_holder(mongo_uri, uid) == "feed-1"
    replica.kill()
    # The dead member is still listed: the restart must not wait 45 s for its session to end.
    assert all(len(members) == 1 for members in owners().values()), owners()
    replica.restart()
    assert wait_until(lambda: replica.status() is not None, timeout_s=START_S)
    up = time.monotonic()
    assert wait_until(replica.serving, timeout_s=RECOVERY_BOUND_S), replica.log.read_text()[-3000:]
    assert all(list(members.values()) == [PARTITIONS] for members in owners().values()), owners()
    assert relay_holder(mongo_uri, uid) == "feed-1"
    print(f"restarted replica SERVING {time.monotonic() - up:.1f}s after it answered health")


def test_the_survivor_of_two_replicas_takes_every_partition_within_the_bound(
    deployment: Callable[[int], Replica], owners: Callable[[], dict[str, dict[str, int]]]
) -> None:
    first, second = deployment(1), deployment(2)
    assert wait_until(lambda: first.serving() and second.serving(), timeout_s=START_S)
    assert wait_until(
        lambda: all(
            len(members) == 2 and all(members.values()) for members in owners().values()
        ),
        timeout_s=START_S,
    ), owners()
    before = owners()
    first.kill()
    killed_at = time.monotonic()

    def survivor_owns_all() -> bool:
        # One member left, holding every partition (the broker knows members by member id).
        return all(
            list(members.values()) == [PARTITIONS] and set(members) <= set(before[group])
            for group, members in owners().items()
        )

    assert wait_until(survivor_owns_all, timeout_s=RECOVERY_BOUND_S), owners()
    took = time.monotonic() - killed_at
    assert second.serving()
    print(f"the survivor owned every partition {took:.1f}s after SIGKILL")


def test_a_replica_stopped_with_sigterm_leaves_its_groups_within_the_grace_period(
    deployment: Callable[[int], Replica], owners: Callable[[], dict[str, dict[str, int]]]
) -> None:
    replica = deployment(1)
    assert wait_until(replica.serving, timeout_s=START_S)
    replica.process.send_signal(signal.SIGTERM)
    assert replica.process.wait(timeout=GRACE_S) == 0
    assert all(members == {} for members in owners().values()), owners()
