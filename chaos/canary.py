"""The canary: a write that must round-trip through every path again after a fault.

A fresh user joins the canary community (membership → its relay → Kafka), posts there with
the join's consistency token (feed must have consumed the join), moderation answers a read
with that token (it consumed the join too), and GetInsights counts the post and the member
(feed's relay → Kafka → an insights worker → the serving view). Recovery time is from the
fault until all of that has happened once; `stages` says when each step of that round trip
was done (seconds since the fault), which shows where a slow recovery waited.
"""

from __future__ import annotations

import time

import grpc
from community.insights.v1 import insights_service_pb2 as ins
from community.moderation.v1 import moderation_service_pb2 as mod

from chaos.client import GaveUp
from chaos.load import Arena, World


class Canary:
    def __init__(self, world: World, arena: Arena) -> None:
        self.world, self.arena = world, arena
        self.posts = 0
        self.stages: dict[str, float] = {}

    def round_trip(self, deadline: float, since: float) -> None:
        """One canary write, followed until every service has it; GaveUp past `deadline`."""
        world, arena = self.world, self.arena
        self.stages = {}

        def done(stage: str) -> None:
            self.stages[stage] = round(time.monotonic() - since, 1)

        def left() -> float:
            return max(0.0, deadline - time.monotonic())

        user = world.user("canary")
        # A write not acknowledged by the deadline is a miss; the same request may still
        # land later, which the reconciliation then finds (it is not in the ledger).
        token = world.join(arena, user, retry_for=left())
        if token is None:
            raise GaveUp(None, "canary join not acknowledged")
        done("join")
        if world.post(arena, user, token, retry_for=left()) is None:
            raise GaveUp(None, "canary post not acknowledged")
        self.posts += 1
        done("post")
        user.read("moderation", "ListRules",
                  mod.ListRulesRequest(community_id=arena.community_id, consistency_token=token),
                  retry_for=left())
        done("moderation")
        members = 1 + len(arena.members)
        while True:
            try:
                figures = arena.owner.call("insights", "GetInsights", ins.GetInsightsRequest(
                    community_id=arena.community_id, consistency_token=token))
                if figures.posts >= self.posts and figures.member_count >= members:
                    done("insights")
                    return
            except grpc.RpcError:
                pass
            if not left():
                raise GaveUp(None, "insights did not count the canary")
            time.sleep(0.2)

    def recovery(self, since: float, timeout: float) -> float | None:
        """Seconds from `since` (monotonic) until a canary round trip completes; None if
        none does within `timeout`."""
        deadline = since + timeout
        while time.monotonic() < deadline:
            try:
                self.round_trip(deadline, since)
                return time.monotonic() - since
            except GaveUp:
                continue
        return None
