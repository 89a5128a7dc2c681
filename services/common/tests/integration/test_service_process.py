"""The walking skeleton: `python -m <service>` is a real process that serves health and
reflection, turns SERVING once Kafka and MongoDB answer, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from kafka.admin import KafkaAdminClient

SERVICES = {
    "membership": "community.membership.v1.MembershipService",
    "feed": "community.feed.v1.FeedService",
    "moderation": "community.moderation.v1.ModerationService",
    "insights": "community.insights.v1.InsightsService",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_status(stub: health_pb2_grpc.HealthStub, service: str, deadline_s: float) -> int:
    deadline = time.monotonic() + deadline_s
    status = -1
    while time.monotonic() < deadline:
        try:
            status = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=1).status
        except grpc.RpcError:
            status = -1
        if status == health_pb2.HealthCheckResponse.SERVING:
            return status
        time.sleep(0.1)
    return status


def process_env(kafka_bootstrap: str, mongo_uri: str, database: str, port: int) -> dict[str, str]:
    """A service process's environment on the test servers, with its own database."""
    return os.environ | {
        "COMMUNITY_AUTH_HS256_SECRET": "integration-secret-integration-secret",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database,
        "GRPC_PORT": str(port),
        # The insights API's dashboard: any free port, not the fixed one `make up` uses.
        "INSIGHTS_HTTP_PORT": "0",
    }


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_service_process_serves_health_and_reflection_and_drains(
    service: str, kafka_bootstrap: str, mongo_uri: str, uid: str
) -> None:
    port = free_port()
    env = process_env(kafka_bootstrap, mongo_uri, f"{service}_{uid}", port)
    process = subprocess.Popen(
        [sys.executable, "-m", service], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            for name in ("", SERVICES[service]):
                assert wait_for_status(health, name, 30) == health_pb2.HealthCheckResponse.SERVING
            reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
            request = reflection_pb2.ServerReflectionRequest(list_services="")
            reply = next(reflection.ServerReflectionInfo(iter([request])))
            listed = {s.name for s in reply.list_services_response.service}
            assert {SERVICES[service], "grpc.health.v1.Health"} <= listed
            # Every RPC of the contract exists and (until built) answers UNIMPLEMENTED after auth.
            with pytest.raises(grpc.RpcError) as refused:
                channel.unary_unary(f"/{SERVICES[service]}/Nope")(b"")
            assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
        assert process.returncode == 0
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        messages = [line["message"] for line in lines]
        assert "health SERVING" in messages
        assert any(m.startswith("stopped") for m in messages)
        assert all(line["service"] == service for line in lines)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def members_of(kafka_bootstrap: str, groups: list[str]) -> dict[str, int]:
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        described = admin.describe_groups(groups)
        return {group: len(described[group].get("members") or []) for group in groups}
    finally:
        admin.close()


def test_a_process_stopped_with_sigterm_leaves_its_groups_and_a_restart_serves_at_once(
    kafka_bootstrap: str, mongo_uri: str, uid: str
) -> None:
    """Without leaving, the old member would hold its partitions for the 45 s session
    timeout, and the restarted process (NOT_SERVING until its consumers hold partitions)
    would wait that long."""
    port = free_port()
    env = process_env(kafka_bootstrap, mongo_uri, f"moderation_{uid}", port)
    env["CONSUMER_GROUP_PREFIX"] = f"moderation-{uid}"
    groups = [f"moderation-{uid}-{name}" for name in ("membership", "feed", "lists")]

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "moderation"], env=env, stdout=subprocess.DEVNULL, text=True
        )

    def serving_within(deadline_s: float) -> None:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            status = wait_for_status(health, SERVICES["moderation"], deadline_s)
            assert status == health_pb2.HealthCheckResponse.SERVING

    first = start()
    try:
        serving_within(30)
        # SERVING means every consumer holds its partitions.
        assert members_of(kafka_bootstrap, groups) == dict.fromkeys(groups, 1)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=20) == 0
        assert members_of(kafka_bootstrap, groups) == dict.fromkeys(groups, 0)
        second = start()
        try:
            serving_within(15)
            assert members_of(kafka_bootstrap, groups) == dict.fromkeys(groups, 1)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()


def test_service_refuses_to_start_without_a_secret() -> None:
    env = {k: v for k, v in os.environ.items() if k != "COMMUNITY_AUTH_HS256_SECRET"}
    result = subprocess.run(
        [sys.executable, "-m", "membership"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "COMMUNITY_AUTH_HS256_SECRET" in result.stderr
