"""Write-path latency and throughput of a feed server of its own (benchmark P1).

    eval "$(uv run python deploy/local/stack.py env --instance test)"
    uv run python services/feed/bench/write_path.py --clients 50 --calls 400 --rate 10

Starts `feed.bootstrap.build` in a child process on a free port with a private database,
private consumer groups and its relay publishing to a scratch topic; seeds the community and
its members straight into the read models; then drives, with C concurrent clients (closed
loop): CreatePost (one author, as `make bench`), LikePost (distinct users on a few posts) and
AddComment; then CreatePost at a fixed rate. Prints throughput and p50/p99 per phase, and for
CreatePost how fast the posts reached Kafka (relay included). `--profile FILE` records the
server with py-spy during the CreatePost phase. Stops the child, drops the database and the
topic at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from community.feed.v1 import feed_service_pb2 as api
from community.feed.v1 import feed_service_pb2_grpc
from community.membership.v1 import events_pb2 as mem
from community.membership.v1.types_pb2 import JoinPolicy, Role, Visibility
from community_common.auth import mint_token
from community_common.consistency import ConsistencyCheckpoints
from community_common.envelope import EventEnvelope
from community_common.event_store import COMMITS, UNPUBLISHED
from community_common.mongo import async_client, blocking_client
from community_common.testing.events import event_envelope
from feed.adapters.knowledge_store import KnowledgeWriter
from feed.domain.time import parse_time
from grpc import aio
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic


def serve(topic: str, prefix: str) -> None:
    """The child: feed as `python -m feed` runs it, but with private groups and topic."""
    from community_common.relay import OutboxRelay, RelaySettings
    from community_common.server import serve_forever
    from feed.bootstrap import build

    host = build(consumer_group_prefix=prefix)
    database = blocking_client(os.environ["MONGODB_URI"])[os.environ["MONGODB_DATABASE"]]
    host.workers = [
        OutboxRelay(database, os.environ["KAFKA_BOOTSTRAP_SERVERS"], RelaySettings(topic=topic))
        if isinstance(worker, OutboxRelay)
        else worker
        for worker in host.workers
    ]
    serve_forever(host)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def line(title: str, latencies: list[float], errors: dict[str, int], seconds: float) -> str:
    return (
        f"{title:<34} {len(latencies) / seconds:7.1f}/s  p50 {percentile(latencies, 0.5):7.1f}"
        f" ms  p99 {percentile(latencies, 0.99):7.1f} ms  ok {len(latencies)}"
        + (f"  errors {errors}" if errors else "")
    )


def timed(
    call: Callable[[int], Awaitable[Any]], latencies: list[float], errors: dict[str, int]
) -> Callable[[int], Awaitable[None]]:
    """`call`, recording its latency (ms) when it succeeds and its status code when not."""

    async def one(i: int) -> None:
        start = time.perf_counter()
        try:
            await call(i)
            latencies.append((time.perf_counter() - start) * 1000)
        except aio.AioRpcError as error:
            errors[error.code().name] = errors.get(error.code().name, 0) + 1

    return one


async def closed_loop(
    clients: int, calls: int, call: Callable[[int], Awaitable[Any]]
) -> tuple[list[float], dict[str, int], float]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    one = timed(call, latencies, errors)
    counter = iter(range(calls))

    async def client() -> None:
        for i in counter:
            await one(i)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - started


async def fixed_rate(
    rate: float, seconds: float, call: Callable[[int], Awaitable[Any]]
) -> tuple[list[float], dict[str, int], float]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    one = timed(call, latencies, errors)
    started = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    return latencies, errors, seconds


def seed(database: Any, community: str, users: list[str]) -> None:
    """The community and its members as the membership consumer would have stored them."""
    writer = KnowledgeWriter(database)
    checkpoints = ConsistencyCheckpoints(database)
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
        envelope = event_envelope(message, sequence=sequence)
        writer.apply(envelope, message)
        checkpoints.record(envelope)


def on_kafka(
    bootstrap: str, topic: str, expected: int, timeout_s: float
) -> list[tuple[EventEnvelope, int]]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    seen: list[tuple[EventEnvelope, int]] = []
    deadline = time.monotonic() + timeout_s
    while len(seen) < expected and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            for r in records:
                seen.append(
                    (EventEnvelope.from_kafka_record(r.key, r.value, r.headers), r.timestamp)
                )
    consumer.close()
    return seen


async def drive(args: argparse.Namespace, port: int, topic: str, secret: str) -> None:
    community, author = f"wp-{uuid.uuid4().hex[:8]}", "wp-author"
    likers = [f"wp-u{i}" for i in range(args.calls)]
    seed(blocking_client(os.environ["MONGODB_URI"])[args.database], community, [author, *likers])
    channel = aio.insecure_channel(f"127.0.0.1:{port}")
    stub = feed_service_pb2_grpc.FeedServiceStub(channel)
    tokens: dict[str, list[tuple[str, str]]] = {}

    def auth(user: str) -> list[tuple[str, str]]:
        if user not in tokens:
            tokens[user] = [("authorization", f"Bearer {mint_token(secret, user)}")]
        return tokens[user]

    def create(i: int) -> Awaitable[Any]:
        return stub.CreatePost(
            api.CreatePostRequest(
                community_id=community, body=f"bench post {i}", request_id=uuid.uuid4().hex
            ),
            metadata=auth(author),
            timeout=30,
        )

    phases: dict[str, tuple[float, float]] = {}
    calls_ok = [0]

    Result = tuple[list[float], dict[str, int], float]

    async def measure(title: str, run: Awaitable[Result]) -> None:
        begin = time.time()
        latencies, errors, seconds = await run
        phases[title] = (begin, time.time())
        calls_ok[0] += len(latencies)
        print(line(title, latencies, errors, seconds), flush=True)

    await measure("warm-up", closed_loop(4, 20, create))
    profiler = None
    if args.profile:
        profiler = await asyncio.create_subprocess_exec(
            *("uvx", "py-spy", "record", "-p", str(args.server_pid)),
            *("-d", str(args.profile_seconds), "-f", "raw", "-o", args.profile),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    await measure(
        f"CreatePost, {args.clients} clients", closed_loop(args.clients, args.calls, create)
    )
    if profiler:
        await profiler.wait()
    posts = [(await create(i)).post.post_id for i in range(5)]
    calls_ok[0] += len(posts)

    def like(offset: int) -> Callable[[int], Awaitable[Any]]:
        return lambda i: stub.LikePost(
            api.LikePostRequest(
                post_id=posts[(i + offset) % len(posts)], request_id=uuid.uuid4().hex
            ),
            metadata=auth(likers[i]),
            timeout=30,
        )

    def comment(i: int) -> Awaitable[Any]:
        return stub.AddComment(
            api.AddCommentRequest(
                post_id=posts[i % len(posts)], body="nice", request_id=uuid.uuid4().hex
            ),
            metadata=auth(likers[i]),
            timeout=30,
        )

    await measure(
        f"LikePost, {args.clients} clients", closed_loop(args.clients, args.calls, like(0))
    )
    await measure(
        f"AddComment, {args.clients} clients", closed_loop(args.clients, args.calls, comment)
    )
    # The single-client and fixed-rate phases start once the relay has published the backlog
    # of the concurrent ones, so they do not share FerretDB with it.
    commits = async_client(os.environ["MONGODB_URI"])[args.database][COMMITS]
    deadline = time.monotonic() + 120
    while (  # noqa: ASYNC110
        await commits.find_one({UNPUBLISHED: True}, {"_id": 1}) and time.monotonic() < deadline
    ):
        await asyncio.sleep(0.2)
    await commits.database.client.close()
    await measure("CreatePost, 1 client", closed_loop(1, 40, create))
    await measure("LikePost, 1 client", closed_loop(1, 40, like(1)))
    await measure("AddComment, 1 client", closed_loop(1, 40, comment))
    if args.rate:
        await measure(f"CreatePost at {args.rate}/s", fixed_rate(args.rate, args.seconds, create))
    await channel.close()

    # The relay's share: when each phase's events reached Kafka (broker timestamp).
    events = await asyncio.to_thread(
        on_kafka, os.environ["KAFKA_BOOTSTRAP_SERVERS"], topic, calls_ok[0], 30
    )
    for title, (begin, end) in phases.items():
        inside = [
            (parse_time(e.time).timestamp(), ts / 1000)
            for e, ts in events
            if begin <= parse_time(e.time).timestamp() <= end
        ]
        if not inside:
            continue
        lags = [(broker - stored) * 1000 for stored, broker in inside]
        last = max(broker for _, broker in inside)
        print(
            f"{title:<34} on Kafka {len(inside) / (last - begin):7.1f}/s  relay lag p50 "
            f"{percentile(lags, 0.5):6.1f} ms  p99 {percentile(lags, 0.99):6.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--profile", default="")
    parser.add_argument("--profile-seconds", type=int, default=15)
    parser.add_argument("--serve", nargs=2, metavar=("TOPIC", "PREFIX"))
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    run = uuid.uuid4().hex[:8]
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    secret = os.environ.get("COMMUNITY_AUTH_HS256_SECRET") or "write-path-" + "x" * 32
    topic, args.database = f"feedbench.{run}.feed", f"feedbench_{run}"
    port = free_port()
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, 6, 1)])
    env = {
        **os.environ,
        "GRPC_PORT": str(port),
        "MONGODB_DATABASE": args.database,
        "COMMUNITY_AUTH_HS256_SECRET": secret,
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", topic, f"feedbench-{run}-"], env=env
    )
    args.server_pid = server.pid
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                grpc.channel_ready_future(grpc.insecure_channel(f"127.0.0.1:{port}")).result(1)
                break
            except grpc.FutureTimeoutError:
                assert time.monotonic() < deadline and server.poll() is None, "server not up"
        asyncio.run(drive(args, port, topic, secret))
    finally:
        server.terminate()
        server.wait(30)
        admin.delete_topics([topic])
        admin.close()
        blocking_client(os.environ["MONGODB_URI"]).drop_database(args.database)


if __name__ == "__main__":
    main()
