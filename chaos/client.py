"""Callers that behave like real clients: one round-robin channel per service over all its
replicas, a deadline on every call, and mutations retried with the SAME request id until they
succeed or 60 s pass."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
from community.feed.v1.feed_service_pb2_grpc import FeedServiceStub
from community.insights.v1.insights_service_pb2_grpc import InsightsServiceStub
from community.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from community.moderation.v1.moderation_service_pb2_grpc import ModerationServiceStub
from community_common.auth import mint_token

STUBS: dict[str, Callable[[grpc.Channel], Any]] = {
    "membership": MembershipServiceStub,
    "feed": FeedServiceStub,
    "moderation": ModerationServiceStub,
    "insights": InsightsServiceStub,
}
CALL_TIMEOUT_S = 5.0
RETRY_FOR_S = 60.0
# A client's mistake is not worth retrying; anything else may pass once the fault is over
# (an outage, a lost race, or a cross-service effect that has not arrived yet).
FINAL_CODES = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.UNAUTHENTICATED}


class GaveUp(Exception):
    """A mutation still failing after RETRY_FOR_S: not acknowledged."""

    def __init__(self, code: grpc.StatusCode | None, details: str) -> None:
        super().__init__(f"{code}: {details}")
        self.code = code


class Channels:
    """One channel per service, spreading calls over the replicas (gRPC round_robin); a
    replica that dies drops out of the rotation until it answers again."""

    def __init__(self, addresses: dict[str, list[str]]) -> None:
        self._channels = {
            service: grpc.insecure_channel(
                "ipv4:" + ",".join(addrs),
                options=[("grpc.lb_policy_name", "round_robin"),
                         # Reconnect to a restarted replica soon, not after minutes of backoff.
                         ("grpc.initial_reconnect_backoff_ms", 200),
                         ("grpc.max_reconnect_backoff_ms", 1000)])
            for service, addrs in addresses.items()
        }

    def stub(self, service: str) -> Any:
        return STUBS[service](self._channels[service])

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()


@dataclass
class Caller:
    """One user: calls any RPC of any service with their token."""

    user_id: str
    channels: Channels
    secret: str
    platform_admin: bool = False

    def __post_init__(self) -> None:
        self._token = mint_token(self.secret, self.user_id, platform_admin=self.platform_admin,
                                 ttl=6 * 3600)

    def call(self, service: str, method: str, request: Any,
             timeout: float = CALL_TIMEOUT_S) -> Any:
        rpc = getattr(self.channels.stub(service), method)
        return rpc(request, metadata=(("authorization", f"Bearer {self._token}"),),
                   timeout=timeout)

    def mutate(self, service: str, method: str, request: Any,
               retry_for: float = RETRY_FOR_S,
               timeout: float = CALL_TIMEOUT_S) -> tuple[Any, int]:
        """Sends `request` (which carries its request id) until it is acknowledged; returns
        the answer and how many attempts it took."""
        deadline = time.monotonic() + retry_for
        attempts = 0
        while True:
            attempts += 1
            try:
                # No attempt outlives the retry deadline by more than half a second.
                left = max(0.5, deadline - time.monotonic())
                return self.call(service, method, request, min(timeout, left)), attempts
            except grpc.RpcError as error:
                code, details = error.code(), error.details() or ""
                if code in FINAL_CODES or time.monotonic() > deadline:
                    raise GaveUp(code, details) from None
                time.sleep(min(0.1 * attempts, 1.0))

    def read(self, service: str, method: str, request: Any, retry_for: float = 30.0,
             timeout: float = CALL_TIMEOUT_S) -> Any:
        """A read retried like a mutation (reads change nothing)."""
        return self.mutate(service, method, request, retry_for, timeout)[0]


def request_id(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex}"
