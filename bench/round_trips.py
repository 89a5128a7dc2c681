"""Database commands per mutation, counted on a warm process (issue 16's budgets).

    eval "$(uv run python deploy/local/stack.py env --instance test)"
    uv run python bench/round_trips.py

Each service's application layer runs in this process on a private database of the real
FerretDB, behind an `AsyncMongoClient` whose `CommandListener` counts every command the
handler sends; background work (relay, consumers) is not running. Each command is measured
with and without a request id, without a consistency token (a token the process has seen
applied costs nothing more; a newer one costs one read). `make bench` prints these counts;
tests/integration/test_round_trip_budgets.py asserts the budgets (counts are deterministic,
unlike times).

A call's budget holds for the typical call (the median of REPEAT calls); the mean may exceed
it by HOUSEKEEPING at most: the timeline head hint (one append in 8) and a stream's snapshot
(one commit in 10) are written now and then, by design.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from community.feed.v1 import feed_service_pb2 as feed_api
from community.membership.v1 import events_pb2 as mem
from community.membership.v1 import types_pb2 as membership_types
from community.membership.v1.types_pb2 import JoinPolicy, Role, Visibility
from community.moderation.v1 import moderation_service_pb2 as moderation_api
from community_common.auth import Caller
from community_common.consistency import ConsistencyGate
from community_common.event_store import EventStore
from community_common.mongo import CLIENT_OPTIONS, blocking_client
from community_common.testing.events import event_envelope
from feed.adapters.knowledge_store import Knowledge, KnowledgeWriter, ensure_indexes
from feed.adapters.timelines import Timelines
from feed.application.deps import Deps
from feed.application.posts import Posts
from feed.domain import likes
from google.protobuf.duration_pb2 import Duration
from membership.bootstrap import membership_service
from membership.domain.community import Actor
from membership.domain.limits import Limits
from moderation.bootstrap import ModerationSettings, moderation_use_cases
from pymongo import AsyncMongoClient, monitoring

REPEAT = 16
HOUSEKEEPING = 0.25
HOUR = timedelta(hours=1)

# Issue 16's targets: database commands per call, with and without a request id.
BUDGETS = {
    "CreatePost": 4,
    "AddComment": 4,
    "LikePost": 4,
    "JoinCommunity": 5,
    "InviteMember": 5,
    "MuteMember": 5,
}


class Counter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:  # type: ignore[override]
        self.commands.append(f"{event.command_name} {event.command.get(event.command_name)}")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:  # type: ignore[override]
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:  # type: ignore[override]
        pass


@asynccontextmanager
async def feed(mongo_uri: str) -> AsyncIterator[tuple[Posts, Counter, list[str], str]]:
    """Feed's handlers on a private database that knows one community of 2 x REPEAT members
    (the second half warms the process up)."""
    name = f"budgets_feed_{uuid.uuid4().hex[:8]}"
    counter = Counter()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongo_uri, event_listeners=[counter], **CLIENT_OPTIONS
    )
    blocking = blocking_client(mongo_uri)
    db = client[name]
    try:
        await EventStore(db, "/services/feed").ensure_indexes()
        await ensure_indexes(db)
        community = "budget-c"
        users = [f"budget-u{i}" for i in range(2 * REPEAT)]
        writer = KnowledgeWriter(blocking[name])
        messages = [
            mem.CommunityCreated(
                community_id=community,
                name=community,
                owner_id=users[0],
                visibility=Visibility.VISIBILITY_PUBLIC,
                join_policy=JoinPolicy.JOIN_POLICY_OPEN,
            ),
            *(
                mem.MemberJoined(community_id=community, user_id=u, role=Role.ROLE_MEMBER)
                for u in users[1:]
            ),
        ]
        for sequence, message in enumerate(messages, start=1):
            writer.apply(event_envelope(message, sequence=sequence), message)
        deps = Deps(
            store=EventStore(db, "/services/feed"),
            knowledge=Knowledge(db),
            timelines=Timelines(db),
            gate=ConsistencyGate(db),
        )
        yield Posts(deps), counter, users, community
    finally:
        await client.drop_database(name)
        await client.close()
        blocking.close()


@asynccontextmanager
async def counted(mongo_uri: str) -> AsyncIterator[tuple[AsyncMongoClient[Any], Counter, str]]:
    """A counting client and a private database name (dropped afterwards)."""
    name = f"budgets_{uuid.uuid4().hex[:8]}"
    counter = Counter()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongo_uri, event_listeners=[counter], **CLIENT_OPTIONS
    )
    try:
        yield client, counter, name
    finally:
        await client.drop_database(name)
        await client.close()


async def per_call(counter: Counter, call: Callable[[int], Awaitable[Any]]) -> list[int]:
    await call(REPEAT)  # warm: connections, this process's caches of the streams touched
    counts = []
    for i in range(REPEAT):
        counter.commands.clear()
        await call(i)
        counts.append(len(counter.commands))
    return counts


def over_budget(measured: dict[str, list[int]]) -> dict[str, tuple[float, float]]:
    """(median, mean) of every command over its budget."""
    over = {}
    for rpc, counts in measured.items():
        median, mean = statistics.median(counts), statistics.mean(counts)
        if median > BUDGETS[rpc] or mean > BUDGETS[rpc] + HOUSEKEEPING:
            over[rpc] = (median, mean)
    return over


def request_id(with_id: bool) -> str:
    return uuid.uuid4().hex if with_id else ""


async def feed_counts(mongo_uri: str, with_id: bool) -> dict[str, list[int]]:
    async with feed(mongo_uri) as (posts, counter, users, community):
        return await _feed_counts(posts, counter, users, community, with_id)


async def _feed_counts(
    posts: Posts, counter: Counter, users: list[str], community: str, with_id: bool
) -> dict[str, list[int]]:
    owner = Caller(user_id=users[0])

    async def create(i: int) -> Any:
        return await posts.create(
            owner,
            feed_api.CreatePostRequest(
                community_id=community, body=f"post {i}", request_id=request_id(with_id)
            ),
        )

    post_id = (await create(-1)).post.post_id

    async def comment(i: int) -> Any:
        return await posts.add_comment(
            Caller(user_id=users[i % REPEAT]),
            feed_api.AddCommentRequest(
                post_id=post_id, body=f"comment {i}", request_id=request_id(with_id)
            ),
        )

    async def like(i: int) -> Any:
        return await posts.like(
            Caller(user_id=users[i]),
            feed_api.LikePostRequest(post_id=post_id, request_id=request_id(with_id)),
        )

    measured = {"CreatePost": await per_call(counter, create)}
    measured["AddComment"] = await per_call(counter, comment)
    # Warm: the post's like shards, as a process serving likes of a post has them.
    warm = users[REPEAT:]
    if {likes.shard_of(u) for u in warm} != set(range(likes.LIKE_SHARDS)):
        raise AssertionError("the warm-up likers must cover every like shard")
    for i in range(REPEAT, 2 * REPEAT):
        await like(i)
    measured["LikePost"] = await per_call(counter, like)
    return measured


async def membership_counts(mongo_uri: str, with_id: bool) -> dict[str, list[int]]:
    async with counted(mongo_uri) as (client, counter, name):
        return await _membership_counts(client, counter, name, with_id)


async def _membership_counts(
    client: AsyncMongoClient[Any], counter: Counter, name: str, with_id: bool
) -> dict[str, list[int]]:
    service = membership_service(client, name, Limits())
    await service.store.ensure_indexes()
    await service.read_models.ensure_indexes()
    owner = Actor("budget-owner")
    created = await service.create_community(
        owner,
        "budgets",
        "",
        [],
        membership_types.VISIBILITY_PUBLIC,
        membership_types.JOIN_POLICY_OPEN,
        "",
    )
    community = created.community.community_id

    async def join(i: int) -> Any:
        return await service.join_community(Actor(f"joiner-{i}"), community, request_id(with_id))

    async def invite(i: int) -> Any:
        return await service.invite_member(owner, community, f"invitee-{i}", request_id(with_id))

    measured = {"JoinCommunity": await per_call(counter, join)}
    measured["InviteMember"] = await per_call(counter, invite)
    return measured


async def moderation_counts(mongo_uri: str, with_id: bool) -> dict[str, list[int]]:
    async with counted(mongo_uri) as (client, counter, name):
        return await _moderation_counts(client, counter, name, with_id)


async def _moderation_counts(
    client: AsyncMongoClient[Any], counter: Counter, name: str, with_id: bool
) -> dict[str, list[int]]:
    database = client[name]
    moderation, _, members, lists = moderation_use_cases(
        database, ModerationSettings(arrival_wait_s=0.0, automod_mute=HOUR, consumer_group="")
    )
    await moderation.store.ensure_indexes()
    await lists.ensure_indexes()
    community, owner = "budget-c", "budget-owner"
    users = [f"budget-u{i}" for i in range(REPEAT + 1)]
    messages = [
        mem.CommunityCreated(
            community_id=community, owner_id=owner, visibility=Visibility.VISIBILITY_PUBLIC
        ),
        *(
            mem.MemberJoined(community_id=community, user_id=u, role=Role.ROLE_MEMBER)
            for u in users
        ),
    ]
    for sequence, message in enumerate(messages, start=1):
        await members.apply(event_envelope(message, sequence=sequence), message)

    async def mute(i: int) -> Any:
        return await moderation.mute_member(
            Caller(user_id=owner),
            moderation_api.MuteMemberRequest(
                community_id=community,
                user_id=users[i],
                duration=Duration(seconds=600),
                request_id=request_id(with_id),
            ),
        )

    return {"MuteMember": await per_call(counter, mute)}


async def measure(mongo_uri: str, with_id: bool) -> dict[str, list[int]]:
    """Every budgeted command's count per call, REPEAT calls each."""
    measured: dict[str, list[int]] = {}
    for counts in (feed_counts, membership_counts, moderation_counts):
        measured.update(await counts(mongo_uri, with_id))
    return measured


def table(with_id: dict[str, list[int]], without_id: dict[str, list[int]]) -> str:
    rows = ["| RPC | with request id: median / mean | without | budget |", "|---|---|---|---|"]
    for rpc, budget in BUDGETS.items():
        cells = [
            f"{statistics.median(m[rpc]):g} / {statistics.mean(m[rpc]):.2f}"
            for m in (with_id, without_id)
        ]
        rows.append(f"| {rpc} | {cells[0]} | {cells[1]} | ≤ {budget} |")
    return "\n".join(rows)


async def main() -> None:
    uri = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:37017")
    print(table(await measure(uri, True), await measure(uri, False)))


if __name__ == "__main__":
    asyncio.run(main())
