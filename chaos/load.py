"""The load: client threads doing what members of busy communities do, through the public API.

Each thread loops over a weighted mix — join an arena, post, comment, like, report a post,
create a small community, read the feed with a consistency token — until told to stop. Every
mutation carries a fresh request id and is retried with that same id (client.Caller.mutate);
every acknowledged one goes to the ledger. Posts and comments carry their request id in the
body, so the reconciliation can count the effects of each request.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from community.feed.v1 import feed_service_pb2 as feed
from community.membership.v1 import membership_service_pb2 as ms
from community.membership.v1 import types_pb2 as mtypes
from community.moderation.v1 import moderation_service_pb2 as mod
from community.moderation.v1 import types_pb2 as modtypes

from chaos.client import RETRY_FOR_S, Caller, Channels, GaveUp, request_id
from chaos.ledger import Ack, Ledger

# More than the insights threshold (a space needs more than 50 members), with the owner.
ARENA_MEMBERS = 51


def tag(rid: str) -> str:
    """A post or comment body naming the request that made it."""
    return f"chaos {rid}"


@dataclass
class Arena:
    """A community the load plays in: its members (with the token of their join) and posts."""

    community_id: str
    owner: Caller
    members: dict[str, tuple[Caller, str]] = field(default_factory=dict)
    posts: list[str] = field(default_factory=list)
    liked: set[tuple[str, str]] = field(default_factory=set)


class World:
    def __init__(self, channels: Channels, secret: str, ledger: Ledger, run_id: str) -> None:
        self.channels, self.secret, self.ledger, self.run_id = channels, secret, ledger, run_id
        self.lock = threading.Lock()
        self.arenas: list[Arena] = []
        self._users = 0

    def user(self, role: str = "u") -> Caller:
        with self.lock:
            self._users += 1
            n = self._users
        return Caller(f"{role}-{self.run_id}-{n}", self.channels, self.secret)

    # --- acknowledged mutations ------------------------------------------------------------

    def _mutate(self, caller: Caller, kind: str, service: str, build: Callable[[str], Any],
                record: Callable[[Any, Ack], None], retry_for: float = RETRY_FOR_S
                ) -> Any | None:
        rid = request_id(kind)
        phase = self.ledger.phase.name
        try:
            response, attempts = caller.mutate(service, kind, build(rid), retry_for)
        except GaveUp as error:
            self.ledger.failed(kind, rid, str(error))
            return None
        ack = Ack(kind, rid, caller.user_id, phase, service, attempts=attempts)
        record(response, ack)
        self.ledger.acknowledged(ack)
        return response

    def create_community(self, owner: Caller, name: str) -> str | None:
        def record(r: Any, ack: Ack) -> None:
            ack.community_id, ack.consistency_token = r.community.community_id, r.consistency_token

        response = self._mutate(owner, "CreateCommunity", "membership",
                                lambda rid: ms.CreateCommunityRequest(
                                    name=name, request_id=rid,
                                    visibility=mtypes.VISIBILITY_PUBLIC,
                                    join_policy=mtypes.JOIN_POLICY_OPEN), record)
        return None if response is None else response.community.community_id

    def join(self, arena: Arena, caller: Caller, retry_for: float = RETRY_FOR_S) -> str | None:
        def record(r: Any, ack: Ack) -> None:
            ack.community_id, ack.consistency_token = arena.community_id, r.consistency_token

        response = self._mutate(caller, "JoinCommunity", "membership",
                                lambda rid: ms.JoinCommunityRequest(
                                    community_id=arena.community_id, request_id=rid), record,
                                retry_for)
        if response is None:
            return None
        with self.lock:
            arena.members[caller.user_id] = (caller, response.consistency_token)
        return str(response.consistency_token)

    def post(self, arena: Arena, caller: Caller, token: str,
             retry_for: float = RETRY_FOR_S) -> str | None:
        def record(r: Any, ack: Ack) -> None:
            ack.community_id, ack.post_id = arena.community_id, r.post.post_id

        response = self._mutate(caller, "CreatePost", "feed",
                                lambda rid: feed.CreatePostRequest(
                                    community_id=arena.community_id, body=tag(rid),
                                    request_id=rid, consistency_token=token), record,
                                retry_for)
        if response is None:
            return None
        with self.lock:
            arena.posts.append(response.post.post_id)
        return str(response.post.post_id)

    def comment(self, arena: Arena, caller: Caller, token: str, post_id: str) -> None:
        def record(r: Any, ack: Ack) -> None:
            ack.community_id, ack.post_id = arena.community_id, post_id
            ack.comment_id = r.comment.comment_id

        self._mutate(caller, "AddComment", "feed",
                     lambda rid: feed.AddCommentRequest(post_id=post_id, body=tag(rid),
                                                        request_id=rid,
                                                        consistency_token=token), record)

    def like(self, arena: Arena, caller: Caller, token: str, post_id: str) -> None:
        def record(r: Any, ack: Ack) -> None:
            ack.community_id, ack.post_id = arena.community_id, post_id

        self._mutate(caller, "LikePost", "feed",
                     lambda rid: feed.LikePostRequest(post_id=post_id, request_id=rid,
                                                      consistency_token=token), record)

    def report(self, arena: Arena, caller: Caller, token: str, post_id: str) -> None:
        def record(r: Any, ack: Ack) -> None:
            ack.community_id, ack.post_id = arena.community_id, post_id
            ack.report_id = r.report.report_id

        self._mutate(caller, "ReportContent", "moderation",
                     lambda rid: mod.ReportContentRequest(
                         community_id=arena.community_id, post_id=post_id,
                         reason=modtypes.REASON_SPAM, request_id=rid,
                         consistency_token=token), record)

    # --- setup ---------------------------------------------------------------------------

    def arena(self, name: str, members: int = ARENA_MEMBERS, played: bool = True) -> Arena:
        """A community with `members` joined members; `played`: the load plays in it."""
        owner = self.user("owner")
        community_id = self.create_community(owner, name)
        if community_id is None:
            raise RuntimeError(f"could not create {name}")
        arena = Arena(community_id, owner)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: self.join(arena, self.user()), range(members)))
        if len(arena.members) < members:
            raise RuntimeError(f"{name}: only {len(arena.members)} of {members} joins answered")
        if played:
            self.arenas.append(arena)
        return arena


# The mix of one load step: (weight, action).
def _step(world: World, rng: random.Random) -> None:
    arena = rng.choice(world.arenas)
    with world.lock:
        members = list(arena.members.values())
        posts = list(arena.posts)
    caller, token = rng.choice(members)
    roll = rng.random()
    if roll < 0.12:
        world.join(arena, world.user())
    elif roll < 0.35 or not posts:
        world.post(arena, caller, token)
    elif roll < 0.60:
        world.comment(arena, caller, token, rng.choice(posts))
    elif roll < 0.85:
        post_id = rng.choice(posts)
        with world.lock:
            if (caller.user_id, post_id) in arena.liked:
                return
            arena.liked.add((caller.user_id, post_id))
        world.like(arena, caller, token, post_id)
    elif roll < 0.90:
        world.report(arena, caller, token, rng.choice(posts))
    elif roll < 0.94:
        world.create_community(world.user("owner"), "side room")
    else:
        caller.read("feed", "ListPosts", feed.ListPostsRequest(
            community_id=arena.community_id, page_size=20, consistency_token=token))


class Load:
    """`clients` threads running load steps until stop(); `pace_s` between steps keeps the
    load bounded (the faults, not the load, are what is measured)."""

    def __init__(self, world: World, clients: int, pace_s: float, seed: int = 18) -> None:
        self.world, self.pace_s = world, pace_s
        self._stop = threading.Event()
        self.errors: list[str] = []
        self._threads = [threading.Thread(target=self._run, args=(random.Random(seed + i),),
                                          name=f"load-{i}", daemon=True)
                         for i in range(clients)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stops after each client's current step (its retries included: ≤ 60 s)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(90)

    def _run(self, rng: random.Random) -> None:
        while not self._stop.is_set():
            try:
                _step(self.world, rng)
            except Exception as error:  # a read that gave up: reported, the client goes on
                self.errors.append(repr(error))
            self._stop.wait(self.pace_s)
