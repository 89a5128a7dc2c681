"""End-to-end harness: the four real service processes (started once per run on the test
instance's ports, beside the Kafka and FerretDB that `make test` started), called over gRPC
with real tokens."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
import stack
from community_common.mongo import blocking_client
from community_common.testing import polling
from community_common.testing.polling import projection_reached_blocking
from communityctl.client import Platform, User

T = TypeVar("T")
INSTANCE = stack.INSTANCES[os.environ.get("COMMUNITY_STACK_INSTANCE", "test")]


@pytest.fixture(scope="session")
def platform() -> Iterator[Platform]:
    already = [n for n in stack.SERVICE_PROCESSES if stack.running_pid(INSTANCE, n)]
    platform = Platform(
        stack.auth_secret(INSTANCE),
        {name: f"127.0.0.1:{port}" for name, port in INSTANCE.grpc_ports.items()},
    )
    try:
        stack.start_services(INSTANCE)
        wait_until_caught_up(platform)
        yield platform
    finally:
        platform.close()
        if not already:
            stack.stop_services(INSTANCE)


def wait_until_caught_up(platform: Platform, timeout: float = 180.0) -> None:
    """Freshly started services replay the event topics from the beginning (earlier suites
    filled them); feed and moderation have caught up once their consistency checkpoints
    reach a new community's creation (read from their databases, not through the token
    wait, whose 2 s every call with a token in the tests must then meet)."""
    from community.membership.v1 import membership_service_pb2 as ms

    owner = platform.user(f"warmup-{uuid.uuid4().hex[:10]}")
    token = owner.membership.CreateCommunity(
        ms.CreateCommunityRequest(name="warm-up")).consistency_token
    databases = blocking_client(INSTANCE.mongo_uri)
    try:
        for service in ("feed", "moderation"):
            projection_reached_blocking(databases[service], token, timeout)
    finally:
        databases.close()


@pytest.fixture
def new_user(platform: Platform) -> Callable[..., User]:
    """A user with a fresh id: new_user("ann") -> User "ann-1a2b3c..."."""
    return lambda name="u", platform_admin=False: platform.user(
        f"{name}-{uuid.uuid4().hex[:10]}", platform_admin
    )


@pytest.fixture(scope="session")
def big_community(platform: Platform) -> Any:
    """51 members and every kind of activity, counted by insights (the dashboard's tests)."""
    from .dashboard_world import populated_community

    return populated_community(lambda name="u": platform.user(f"{name}-{uuid.uuid4().hex[:10]}"),
                               51)


@pytest.fixture(scope="session")
def fifty_members(platform: Platform) -> Any:
    """50 members: one short of insights' threshold."""
    from .dashboard_world import populated_community

    return populated_community(lambda name="u": platform.user(f"{name}-{uuid.uuid4().hex[:10]}"),
                               50, activity=False)


def eventually(check: Callable[[], T], timeout: float = 20.0, interval: float = 0.1) -> T:
    """Polls `check` until it returns a truthy value without raising; bounded. A refusal
    counts as "not yet", except CONSISTENCY_TIMEOUT, which fails the test at once."""
    return polling.eventually(check, timeout, interval_s=interval,
                              retrying=(AssertionError, grpc.RpcError))


def error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    """The google.rpc.ErrorInfo of a refused call (empty if it has none)."""
    status = rpc_status.from_call(error)
    for detail in status.details if status else ():
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info
    return error_details_pb2.ErrorInfo()


def reason(error: grpc.RpcError) -> str:
    return error_info(error).reason
