"""The faults, one at a time: each breaks something the way production does, then puts it back
the way a supervisor would (restart the process), and says how long recovery may take.

Recovery bounds (issue #18): 10 s for anything a service replica does (a replica dies, its
relay lease must pass on, its consumers rejoin), 30 s for a broker or database restart.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from community_common.relay import DEFAULT_LEASE_S
from community_contracts import topics

from chaos.cluster import SERVICES, WORKER, Cluster

REPLICA_BOUND_S = 10.0
INFRA_BOUND_S = 30.0
# The relay lease's slot (the services run with RELAY_LEASE_S's default): a SIGSTOP longer
# than it makes the stopped holder a zombie that wakes up after another replica took over.
RELAY_LEASE_S = DEFAULT_LEASE_S
POISON_HEADER = "chaos_poison"
EVENT_TOPICS = (topics.MEMBERSHIP_EVENTS, topics.FEED_EVENTS, topics.MODERATION_EVENTS)


@dataclass
class Fault:
    name: str
    kind: str
    bound_s: float
    # Breaks something; returns what puts it back (run on a thread while the canary probes),
    # or None when nothing needs putting back.
    inject: Callable[[Cluster], Callable[[], None] | None]
    notes: list[str] = field(default_factory=list)
    # Set when the fault showed a broken rule besides recovery (e.g. health said SERVING).
    failed: bool = False
    # Set by an inject that prepares before it breaks anything (monotonic): recovery counts
    # from here, not from the start of the preparation.
    broken_at: float | None = None


def _restarting(cluster: Cluster, kind: str, replica: int | None) -> Callable[[], None]:
    return lambda: cluster.start_service(kind, replica)


def kill_replica(kind: str, replica: int | None) -> Fault:
    from stack import process_name

    name = process_name(kind, replica)

    def inject(cluster: Cluster) -> Callable[[], None]:
        cluster.kill(name)
        return _restarting(cluster, kind, replica)

    fault_kind = "insights worker" if kind == WORKER else "service replica"
    return Fault(f"SIGKILL {name}", fault_kind, REPLICA_BOUND_S, inject)


def kill_lease_holder(service: str = "membership") -> Fault:
    def inject(cluster: Cluster) -> Callable[[], None]:
        name = cluster.relay_lease_holder(service)
        fault.notes.append(f"lease holder was {name}")
        cluster.kill(name)
        replica = int(name.rsplit("-", 1)[1]) if name != service else None
        return _restarting(cluster, service, replica)

    fault = Fault(f"SIGKILL {service} relay-lease holder", "lease holder", REPLICA_BOUND_S,
                  inject)
    return fault


def stop_lease_holder(service: str = "membership") -> Fault:
    """SIGSTOP past the lease, then SIGCONT: the woken relay must neither publish out of
    order nor re-publish under new ids (the reconciliation checks both)."""

    def inject(cluster: Cluster) -> Callable[[], None]:
        name = cluster.relay_lease_holder(service)
        fault.notes.append(f"lease holder was {name}, stopped {RELAY_LEASE_S + 3:.0f} s")
        cluster.signal(name, signal.SIGSTOP)

        def wake() -> None:
            time.sleep(RELAY_LEASE_S + 3)  # the fault itself lasts this long
            cluster.signal(name, signal.SIGCONT)

        return wake

    fault = Fault(f"SIGSTOP {service} relay-lease holder", "lease holder stopped",
                  REPLICA_BOUND_S, inject)
    return fault


def kill_worker_mid_batch(replica: int) -> Fault:
    """The worker is killed while the load keeps its partitions busy (a batch in flight)."""
    fault = kill_replica(WORKER, replica)
    fault.kind = "insights worker"
    return fault


def kill_server(name: str, restart: Callable[[Cluster], None], group: bool = False) -> Fault:
    def inject(cluster: Cluster) -> Callable[[], None]:
        cluster.kill(name, group=group)
        return lambda: restart(cluster)

    return Fault(f"SIGKILL {name} + restart", "broker/database", INFRA_BOUND_S, inject)


def kill_kafka() -> Fault:
    return kill_server("kafka", Cluster.start_kafka)


def kill_ferretdb() -> Fault:
    return kill_server("ferretdb", Cluster.start_ferretdb)


def kill_postgres() -> Fault:
    return kill_server("postgres", Cluster.start_postgres, group=True)


class Poison:
    """Undecodable records, one per event topic, each marked so the DLQs can be checked."""

    sent: list[str] = []

    @classmethod
    def fault(cls) -> Fault:
        def inject(cluster: Cluster) -> None:
            from kafka import KafkaProducer

            producer = KafkaProducer(bootstrap_servers=cluster.inst.kafka_bootstrap, acks="all")
            try:
                for topic in EVENT_TOPICS:
                    marker = f"{topic}:{uuid.uuid4().hex}"
                    # Not a protobuf message and no CloudEvents headers: nobody can decode it.
                    producer.send(topic, key=b"chaos-poison",
                                  value=b"\xff\xfe\x00chaos poison " + marker.encode(),
                                  headers=[(POISON_HEADER, marker.encode())]).get(timeout=30)
                    cls.sent.append(marker)
            finally:
                producer.close()
            return None

        return Fault("poison record on each event topic", "poison", REPLICA_BOUND_S, inject)


def replay(service: str = "moderation") -> Fault:
    """Every replica of `service` stops (SIGTERM), its consumer groups go back to the first
    offset (an old offset: everything is delivered again), and the replicas start again; the
    consumers must dedupe what they already applied."""

    def inject(cluster: Cluster) -> Callable[[], None]:
        from stack import process_name

        replicas = cluster.replicas_of(service)
        groups = consumer_groups(cluster, service)  # while they run: every group is listed
        # Read before anything stops, so a failure here leaves the replicas running.
        committed = committed_partitions(cluster, groups)
        for replica in replicas:
            cluster.terminate(process_name(service, replica))
        reset_to_earliest(cluster, committed)
        # Stopping the service so its groups can be reset is the preparation; the fault is
        # its consumers starting again from offset 0.
        fault.broken_at = time.monotonic()
        fault.notes.append(f"groups reset to offset 0: {', '.join(groups)}")

        def restart() -> None:
            threads = [threading.Thread(target=cluster.start_service, args=(service, r))
                       for r in replicas]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        return restart

    # Not one replica's fault: the whole service restarts and re-reads every topic from the
    # start, which grows with the history; it gets the bound of a server restart.
    fault = Fault(f"replay: {service}'s consumer groups from offset 0", "replay",
                  INFRA_BOUND_S, inject)
    return fault


def consumer_groups(cluster: Cluster, service: str) -> list[str]:
    """The consumer groups of `service` (named `<service>-<what it projects>`)."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=cluster.inst.kafka_bootstrap)
    try:
        return sorted(g["group_id"] for g in admin.list_groups()
                      if g["group_id"].startswith(service + "-"))
    finally:
        admin.close()


def committed_partitions(cluster: Cluster, groups: list[str]) -> dict[str, list[Any]]:
    """The partitions each group has committed an offset on."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=cluster.inst.kafka_bootstrap)
    try:
        found = admin.list_group_offsets({group: None for group in groups})
    finally:
        admin.close()
    return {group: list(found.get(group, {})) for group in groups}


def reset_to_earliest(cluster: Cluster, committed: dict[str, list[Any]]) -> None:
    """Commits offset 0 for every partition each group has an offset on. The group must be
    empty (its members stopped); a commit refused while its last member is still leaving is
    tried again."""
    from kafka import KafkaConsumer
    from kafka.errors import KafkaError
    from kafka.structs import OffsetAndMetadata

    for group, offsets in committed.items():
        deadline = time.monotonic() + 30
        consumer = KafkaConsumer(bootstrap_servers=cluster.inst.kafka_bootstrap, group_id=group,
                                 enable_auto_commit=False)
        try:
            while True:
                try:
                    consumer.commit({tp: OffsetAndMetadata(0, "", -1) for tp in offsets})
                    break
                except KafkaError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
        finally:
            consumer.close(autocommit=False)


def consumer_before_metadata(service: str = "feed", replica: int = 2) -> Fault:
    """A replica starts while the broker is down (it cannot have its topics' metadata): its
    health must say NOT_SERVING until the broker is back, then its consumers must join."""
    from stack import process_name

    name = process_name(service, replica)

    def inject(cluster: Cluster) -> Callable[[], None]:
        cluster.kill(name)
        # A clean broker stop: what matters is the replica starting without it, and a broker
        # killed outright spends minutes recovering its logs on a busy machine.
        cluster.terminate("kafka")
        cluster.start_service(service, replica, wait=False)

        def restart() -> None:
            deadline = time.monotonic() + 60
            status = None
            while cluster.pid(name) and time.monotonic() < deadline and status is None:
                status = cluster.health(service, replica)
                time.sleep(0.2)
            fault.notes.append(f"{name}'s health without the broker: {status or 'no answer'}")
            if status != "NOT_SERVING":
                fault.failed = True
            cluster.start_kafka()
            cluster.start_service(service, replica)  # waits until it is SERVING

        return restart

    fault = Fault(f"{name} starts before its topics' metadata", "consumer before metadata",
                  INFRA_BOUND_S, inject)
    return fault


def short_plan() -> list[Fault]:
    """One fault of each kind."""
    return [kill_replica("feed", 1), kill_lease_holder(), stop_lease_holder(),
            kill_worker_mid_batch(2), kill_kafka(), kill_ferretdb(), Poison.fault(), replay(),
            consumer_before_metadata()]


def full_plan(replicas: int) -> list[Fault]:
    """Every replica of every service, the workers and both database servers; one of each
    kind comes first, so a run that spends its time budget still covers every kind."""
    first = short_plan()
    rest = [kill_replica(kind, k) for kind in SERVICES for k in range(1, replicas + 1)
            if (kind, k) != ("feed", 1)]
    return [*first, *rest, kill_worker_mid_batch(1), kill_postgres()]
