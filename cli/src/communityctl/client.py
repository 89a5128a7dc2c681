"""A caller of the four services as one user: the stubs of every service with that user's
token attached, for scripts, the demo and the end-to-end tests.

    platform = Platform.from_env()          # addresses and secret from the environment
    alice = platform.user("alice")
    community = alice.membership.CreateCommunity(CreateCommunityRequest(name="Chess")).community
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from community.feed.v1.feed_service_pb2_grpc import FeedServiceStub
from community.insights.v1.insights_service_pb2_grpc import InsightsServiceStub
from community.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from community.moderation.v1.moderation_service_pb2_grpc import ModerationServiceStub
from community_common.auth import mint_token
from community_common.config import auth_secret_from_env

from communityctl.rpc import SERVICES, endpoint

STUBS: dict[str, Callable[[grpc.Channel], Any]] = {
    "membership": MembershipServiceStub,
    "feed": FeedServiceStub,
    "moderation": ModerationServiceStub,
    "insights": InsightsServiceStub,
}


class _Authorized:
    """A stub whose every call carries the user's bearer token and a deadline."""

    def __init__(self, stub: Any, token: str, timeout: float) -> None:
        self._stub = stub
        self._metadata = (("authorization", f"Bearer {token}"),)
        self._timeout = timeout

    def __getattr__(self, method: str) -> Callable[..., Any]:
        call = getattr(self._stub, method)
        return lambda request, **kw: call(
            request, metadata=self._metadata, timeout=kw.get("timeout", self._timeout)
        )


@dataclass
class User:
    user_id: str
    membership: Any
    feed: Any
    moderation: Any
    insights: Any


@dataclass
class Platform:
    """One channel per service, shared by every user made from it."""

    secret: bytes | str
    addresses: dict[str, str]
    timeout: float = 10.0
    _channels: dict[str, grpc.Channel] = field(default_factory=dict)

    @classmethod
    def from_env(cls, addresses: dict[str, str] | None = None) -> Platform:
        return cls(auth_secret_from_env(), addresses or {s: endpoint(s) for s in SERVICES})

    def user(self, user_id: str, platform_admin: bool = False) -> User:
        token = mint_token(self.secret, user_id, platform_admin=platform_admin)
        return User(user_id, **{s: self._stub(s, token) for s in STUBS})

    def _stub(self, service: str, token: str) -> _Authorized:
        if service not in self._channels:
            self._channels[service] = grpc.insecure_channel(self.addresses[service])
        return _Authorized(STUBS[service](self._channels[service]), token, self.timeout)

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()


