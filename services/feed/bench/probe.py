"""What one CreatePost / LikePost / AddComment sends to the database, measured in-process.

    eval "$(uv run python deploy/local/stack.py env --instance test)"
    uv run python services/feed/bench/probe.py [--repeat 5]

Builds the feed application (no gRPC, no relay, no consumers) on a private database, seeds a
community and its members with `KnowledgeWriter`, then runs each command `--repeat` times and
prints, per command, every database command it sent (name, collection, filter, duration) and
the totals. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections import defaultdict
from typing import Any

from community.feed.v1 import feed_service_pb2 as api
from community.membership.v1 import events_pb2 as mem
from community.membership.v1.types_pb2 import JoinPolicy, Role, Visibility
from community_common.auth import Caller
from community_common.consistency import ConsistencyCheckpoints, ConsistencyGate
from community_common.event_store import EventStore
from community_common.mongo import CLIENT_OPTIONS
from community_common.testing.events import event_envelope
from feed.adapters.knowledge_store import Knowledge, KnowledgeWriter
from feed.adapters.timelines import Timelines
from feed.application.deps import Deps
from feed.application.posts import Posts
from pymongo import AsyncMongoClient, MongoClient, monitoring


class Recorder(monitoring.CommandListener):
    def __init__(self) -> None:
        self.pending: dict[int, tuple[str, str, Any]] = {}
        self.log: list[tuple[str, str, Any, float]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:  # type: ignore[override]
        command = event.command
        name = event.command_name
        target = command.get(name)
        shape: Any = command.get("filter")
        if name in ("update", "delete"):
            shape = [u.get("q") for u in command.get("updates", command.get("deletes", []))]
        elif name == "insert":
            shape = f"{len(command.get('documents', []))} doc(s)"
        if command.get("sort"):
            shape = f"{shape} sort={dict(command['sort'])}"
        self.pending[event.request_id] = (name, str(target), shape)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:  # type: ignore[override]
        self._end(event.request_id, event.duration_micros)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:  # type: ignore[override]
        self._end(event.request_id, event.duration_micros, failed=True)

    def _end(self, request_id: int, micros: int, failed: bool = False) -> None:
        name, target, shape = self.pending.pop(request_id, ("?", "?", None))
        self.log.append((name + (" (failed)" if failed else ""), target, shape, micros / 1000))


def report(title: str, recorder: Recorder, runs: int, elapsed: list[float]) -> None:
    log = recorder.log
    print(
        f"\n== {title}: {len(log) / runs:.1f} commands per call, "
        f"wall p50 {statistics.median(elapsed):.1f} ms"
    )
    # Grouped by command and collection; the filter shown is the first one seen.
    grouped: dict[tuple[str, str], list[float]] = defaultdict(list)
    shapes: dict[tuple[str, str], str] = {}
    for name, target, shape, ms in log:
        grouped[(name, target)].append(ms)
        shapes.setdefault((name, target), str(shape)[:90])
    for (name, target), times in grouped.items():
        shape = shapes[(name, target)]
        print(
            f"  {len(times) / runs:4.1f}x {name:<18} {target:<26} {shape:<90} "
            f"{statistics.median(times):6.2f} ms"
        )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    uri = os.environ["MONGODB_URI"]
    database_name = f"feed_probe_{uuid.uuid4().hex[:8]}"
    recorder = Recorder()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        uri, event_listeners=[recorder], **CLIENT_OPTIONS
    )
    blocking: MongoClient[dict[str, Any]] = MongoClient(uri, **CLIENT_OPTIONS)
    db = client[database_name]
    try:
        community, owner = "probe-c", "probe-owner"
        users = [f"probe-u{i}" for i in range(args.repeat)]
        writer = KnowledgeWriter(blocking[database_name])
        checkpoints = ConsistencyCheckpoints(blocking[database_name])
        messages = [
            mem.CommunityCreated(
                community_id=community,
                name=community,
                owner_id=owner,
                visibility=Visibility.VISIBILITY_PUBLIC,
                join_policy=JoinPolicy.JOIN_POLICY_OPEN,
            ),
            *(
                mem.MemberJoined(community_id=community, user_id=u, role=Role.ROLE_MEMBER)
                for u in users
            ),
        ]
        for sequence, message in enumerate(messages, start=1):
            envelope = event_envelope(message, sequence=sequence)
            writer.apply(envelope, message)
            checkpoints.record(envelope)
        token = f"{community}:{len(messages)}"
        deps = Deps(
            store=EventStore(db, "/services/feed"),
            knowledge=Knowledge(db),
            timelines=Timelines(db),
            gate=ConsistencyGate(db),
        )
        posts = Posts(deps)
        author = Caller(user_id=owner)

        def create(body: str) -> Any:
            return posts.create(
                author,
                api.CreatePostRequest(
                    community_id=community,
                    body=body,
                    request_id=uuid.uuid4().hex,
                    consistency_token=token,
                ),
            )

        first = await create("warm")  # warm up: connections, collections
        post_id = first.post.post_id

        async def measure(title: str, call: Any) -> None:
            recorder.log.clear()
            elapsed = []
            for i in range(args.repeat):
                start = time.perf_counter()
                await call(i)
                elapsed.append((time.perf_counter() - start) * 1000)
            report(title, recorder, args.repeat, elapsed)

        await measure("CreatePost", lambda i: create("hello"))
        await measure(
            "LikePost",
            lambda i: posts.like(
                Caller(user_id=users[i]),
                api.LikePostRequest(
                    post_id=post_id, request_id=uuid.uuid4().hex, consistency_token=token
                ),
            ),
        )
        await measure(
            "AddComment",
            lambda i: posts.add_comment(
                Caller(user_id=users[i]),
                api.AddCommentRequest(
                    post_id=post_id,
                    body="nice",
                    request_id=uuid.uuid4().hex,
                    consistency_token=token,
                ),
            ),
        )
    finally:
        await client.drop_database(database_name)
        await client.close()
        blocking.close()


if __name__ == "__main__":
    asyncio.run(main())
