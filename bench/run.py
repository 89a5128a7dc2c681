"""`make bench`: database commands per command (P0), the write path, the insights pipeline,
freshness, rebuild speed and footprint, each also as a ratio to a raw ceiling measured in the
same run on the same machine.

    uv run python bench/run.py            (starts the `test` instance's Kafka and FerretDB;
                                           STACK_INSTANCE=ci uses the `ci` instance's instead)

Everything the run creates is private to it: scratch topics `bench.<run>.*`, databases
`bench_<run>_*`, consumer groups `bench-<run>-*`, service processes on their own ports
(29xxx) started from .local/bench and stopped at the end. Prints the table and writes
bench/results/<date>.json. Sizes come from the environment (defaults fit a shared 2-core
machine in a few minutes): BENCH_EVENTS (P2 history), BENCH_REBUILD_EVENTS (P4: each
service's rebuild), BENCH_SECONDS (each ghz phase), BENCH_FRESH_RATE and BENCH_FRESH_SECONDS (P3),
BENCH_UNRELATED (P5 flat reads), BENCH_PROFILE=0 to skip py-spy, BENCH_DASHBOARD_CALLS and
BENCH_DASHBOARD_PAGES (P6: GetInsights latency without / with the dashboard's HTTP side),
BENCH_ONLY to run some scenarios (e.g. BENCH_ONLY=p6). P2 reports the insights worker, the
Faust floor (bench/faust_floor.py: the worker's app with a bare agent) and raw aiokafka on
one topic, each per second and per CPU-second.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy" / "local"))

import grpc
import history
import round_trips
import stack
from community.feed.v1 import feed_service_pb2, feed_service_pb2_grpc
from community.insights.v1 import insights_service_pb2, insights_service_pb2_grpc
from community.membership.v1 import events_pb2 as membership_events
from community.membership.v1 import types_pb2 as membership_types
from community_common.auth import mint_token
from community_common.envelope import EventEnvelope, envelope_for
from community_common.healthcheck import serving
from community_common.kafka_clients import event_producer
from community_common.lease import LEASES
from community_common.relay import KEY_SEQUENCES, POSITIONS
from community_contracts import topics
from kafka import KafkaConsumer, TopicPartition
from pymongo import MongoClient

import tools

RESULTS = Path(__file__).resolve().parent / "results"
# The broker and database of `make test`'s instance, so a bench can run beside busy `test`
# servers the way a whole suite can (STACK_INSTANCE=ci).
INFRA = stack.INSTANCES[os.environ.get("STACK_INSTANCE", "test")]
# Own ports (below the ephemeral range, where no client socket can hold them) and PID/log
# directory; INFRA's broker and database.
BENCH = stack.Instance("bench", INFRA.kafka_port, INFRA.controller_port, INFRA.mongo_port,
                       INFRA.pg_port, {"membership": 29051, "feed": 29052, "moderation": 29053,
                        "insights": 29054}, 29080)
ENV = os.environ.get
EVENTS = int(ENV("BENCH_EVENTS", "100000"))
REBUILD_EVENTS = int(ENV("BENCH_REBUILD_EVENTS", "100000"))
SECONDS = int(ENV("BENCH_SECONDS", "10"))
FRESH_RATE = int(ENV("BENCH_FRESH_RATE", "1000"))
FRESH_SECONDS = int(ENV("BENCH_FRESH_SECONDS", "10"))
UNRELATED = int(ENV("BENCH_UNRELATED", "100000"))
PROFILE = ENV("BENCH_PROFILE", "1") != "0"
# P6: GetInsights calls per reading, and the dashboard pages open while it is read.
DASHBOARD_CALLS = int(ENV("BENCH_DASHBOARD_CALLS", "300"))
DASHBOARD_PAGES = int(ENV("BENCH_DASHBOARD_PAGES", "10"))
# The scenarios to run (all by default), e.g. BENCH_ONLY=p3,p6 for the insights API alone.
ONLY = set(ENV("BENCH_ONLY", "p0,p1,p2,p3,p4,p6").split(","))
# P6's two insights API processes (gRPC), beside BENCH's ports.
P6_PORTS = (29055, 29056)
COMMUNITIES = 50
RELAY_COLLECTIONS = {POSITIONS, KEY_SEQUENCES, LEASES}


def say(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


class Run:
    def __init__(self) -> None:
        self.id = uuid.uuid4().hex[:8]
        self.bootstrap = INFRA.kafka_bootstrap
        self.mongo_uri = INFRA.mongo_uri
        self.secret = stack.auth_secret(INFRA)
        self.mongo = MongoClient(self.mongo_uri)
        self.results: dict = {"run": self.id, "started": datetime.now(UTC).isoformat(),
                              "machine": machine(), "sizes": {
                                  "events": EVENTS, "rebuild_events": REBUILD_EVENTS,
                                  "ghz_seconds": SECONDS, "fresh_rate": FRESH_RATE,
                                  "fresh_seconds": FRESH_SECONDS, "unrelated": UNRELATED}}
        self.processes: list[str] = []

    def db(self, what: str) -> str:
        return f"bench_{self.id}_{what}"

    def topic(self, what: str) -> str:
        return f"bench.{self.id}.{what}"

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> int:
        base = {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap, "MONGODB_URI": self.mongo_uri,
                "COMMUNITY_AUTH_HS256_SECRET": self.secret, "LOG_LEVEL": "WARNING"}
        pid = stack.spawn(BENCH, name, [sys.executable, *argv], env={**base, **env},
                          cwd=stack.ROOT)
        self.processes.append(name)
        return pid

    def serve(self, name: str, argv: list[str], env: dict[str, str]) -> int:
        port = BENCH.grpc_ports[name]
        own = {"GRPC_PORT": str(port)}
        if name == "insights":
            own["INSIGHTS_HTTP_PORT"] = str(BENCH.http_port)
        pid = self.spawn(name, argv, {**own, **env})
        stack.wait_for(f"{name} health", lambda: serving(port, timeout=1), 90)
        return pid

    def stop(self, name: str) -> None:
        stack.stop(BENCH, name)
        self.processes.remove(name)

    def stop_all(self) -> None:
        for name in reversed(self.processes):
            stack.stop(BENCH, name)
        self.processes.clear()

    def cleanup(self) -> None:
        self.stop_all()
        for name in self.mongo.list_database_names():
            if name.startswith(f"bench_{self.id}_"):
                self.mongo.drop_database(name)
        tools.delete_topics(self.bootstrap, f"bench.{self.id}.")
        tools.delete_topics(self.bootstrap, f"bench-{self.id}-")
        tools.delete_groups(self.bootstrap, f"bench-{self.id}-")


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               "?")
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": mem,
            "load_at_start": os.getloadavg()[0], "python": sys.version.split()[0]}


# ---------------------------------------------------------------------------- P0 round trips
def p0_round_trips() -> dict:
    """Database commands per budgeted command on a warm process (bench/round_trips.py)."""
    say("P0 database commands per command")
    measured = {label: asyncio.run(round_trips.measure(INFRA.mongo_uri, with_id))
                for label, with_id in (("with_request_id", True), ("without", False))}
    return {rpc: {label: [statistics.median(m[rpc]), round(statistics.mean(m[rpc]), 2)]
                  for label, m in measured.items()} | {"budget": budget}
            for rpc, budget in round_trips.BUDGETS.items()}


# ---------------------------------------------------------------------------- P1 write path

def wait_until(what: str, check, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise RuntimeError(f"{what} not reached in {timeout}s")


def posts_on_kafka(run: Run, since: dict[TopicPartition, int], community_id: str,
                   expected: int, timeout: float = 120) -> list[tuple[float, float]]:
    """(broker timestamp, ce_time) of each PostCreated of `community_id` after `since`."""
    consumer = KafkaConsumer(bootstrap_servers=run.bootstrap, enable_auto_commit=False)
    found: list[tuple[float, float]] = []
    try:
        consumer.assign(list(since))
        for tp, offset in since.items():
            consumer.seek(tp, offset)
        deadline = time.monotonic() + timeout
        while len(found) < expected and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500, max_records=5000).values():
                for r in records:
                    if r.key != community_id.encode():
                        continue
                    event = EventEnvelope.from_kafka_record(r.key, r.value, r.headers)
                    if event.type.endswith("PostCreated"):
                        found.append((r.timestamp / 1000, event.occurred_at.timestamp()))
    finally:
        consumer.close()
    return found


def p1_write_path(run: Run) -> dict:
    say("P1 write path: feed CreatePost via ghz")
    prefix = f"bench-{run.id}-"
    from feed.entrypoints.consumers import MEMBERSHIP_GROUP, MODERATION_GROUP

    tools.start_groups_at_end(run.bootstrap, prefix + MEMBERSHIP_GROUP, topics.MEMBERSHIP_EVENTS)
    tools.start_groups_at_end(run.bootstrap, prefix + MODERATION_GROUP, topics.MODERATION_EVENTS)
    code = ("from community_common.server import serve_forever; from feed.bootstrap import build;"
            f" serve_forever(build(consumer_group_prefix={prefix!r}))")
    pid = run.serve("feed", ["-c", code], {"MONGODB_DATABASE": run.db("feed")})
    time.sleep(1)  # let the relay and consumers settle before the idle reading
    idle_rss = tools.rss_mb(pid)

    community, owner = f"bench-{run.id}-write", f"bench-{run.id}-author"
    producer = event_producer(run.bootstrap, "bench")
    key, value, headers = envelope_for(membership_events.CommunityCreated(
        community_id=community, name="bench", owner_id=owner,
        visibility=membership_types.VISIBILITY_PUBLIC,
        join_policy=membership_types.JOIN_POLICY_OPEN), source="/services/membership",
        sequence=1, key_sequence=1).to_kafka_record()
    producer.send(topics.MEMBERSHIP_EVENTS, key=key, value=value, headers=headers)
    producer.flush()
    producer.close()
    token = mint_token(run.secret, owner, ttl=3600)
    target = f"127.0.0.1:{BENCH.grpc_ports['feed']}"
    channel = grpc.insecure_channel(target)
    stub = feed_service_pb2_grpc.FeedServiceStub(channel)
    metadata = [("authorization", f"Bearer {token}")]

    def first_post() -> bool:
        try:
            stub.CreatePost(feed_service_pb2.CreatePostRequest(
                community_id=community, body="first"), metadata=metadata, timeout=5)
            return True
        except grpc.RpcError:
            return False

    wait_until("feed knows the bench community", first_post, 60)
    list_posts = lambda: stub.ListPosts(  # noqa: E731
        feed_service_pb2.ListPostsRequest(community_id=community, page_size=20),
        metadata=metadata, timeout=10)

    call = "community.feed.v1.FeedService.CreatePost"
    descriptors = tools.protoset("community/feed/v1/feed_service.proto",
                                 BENCH.dir / "feed.protoset")
    data = json.dumps({"community_id": community, "body": "bench post {{.RequestNumber}}",
                       "request_id": "{{.UUID}}"})
    since = tools.end_offsets(run.bootstrap, topics.FEED_EVENTS)
    profile = RESULTS / f"{run.id}-feed-createpost.txt"
    spy = tools.py_spy(pid, SECONDS, profile) if PROFILE else None
    started = time.time()
    with tools.PeakRss(pid) as peak:
        report = tools.ghz(target, call, data, token, concurrency=50, duration_s=SECONDS,
                           protoset_file=descriptors)
    if spy:
        spy.wait(timeout=60)
    peak_run = tools.ghz_summary(report)
    ok = peak_run["status"].get("OK", 0)
    landed = posts_on_kafka(run, since, community, ok)
    last_on_kafka = max(ts for ts, _ in landed) if landed else float("nan")
    to_kafka_rps = round(len(landed) / (last_on_kafka - started), 1) if landed else 0.0

    rate = max(10, int(peak_run["rps"] / 2))
    since = tools.end_offsets(run.bootstrap, topics.FEED_EVENTS)
    fixed = tools.ghz_summary(tools.ghz(target, call, data, token, concurrency=50,
                                        duration_s=SECONDS, protoset_file=descriptors, rps=rate))
    landed_fixed = posts_on_kafka(run, since, community, fixed["status"].get("OK", 0))
    relay_lag = [(ts - at) * 1000 for ts, at in landed_fixed]

    ceiling = raw_write_ceiling(run, ok or 1000)
    flat = flat_read(run, run.db("feed"), list_posts)
    channel.close()
    run.stop_all()
    return {
        "create_post_peak": {**peak_run, "landed_on_kafka": len(landed),
                             "to_kafka_rps": to_kafka_rps},
        "create_post_fixed_rate": {**fixed, "rate": rate,
                                   "relay_lag_p50_ms": round(tools.percentile(relay_lag, .5), 1),
                                   "relay_lag_p99_ms": round(tools.percentile(relay_lag, .99), 1)},
        "raw_ceiling_rps": ceiling,
        "ratio": round(to_kafka_rps / ceiling, 2) if ceiling else None,
        "rss_mb": {"idle": idle_rss, "load": peak.peak},
        "profile_top": tools.top_frames(profile),
        "flat_list_posts_ms": flat,
    }


def raw_write_ceiling(run: Run, count: int) -> float:
    """One process: a pymongo insert per event (the commit a command appends) and a
    kafka-python send of the same record with the relay's producer settings (acks=all)."""
    collection = run.mongo[run.db("ceiling")]["commits"]
    producer = event_producer(run.bootstrap, "bench-ceiling")
    topic = tools.create_topic(run.bootstrap, run.topic("ceiling"))
    records = [envelope_for(membership_events.MemberJoined(
        community_id=f"bench-{run.id}-raw", user_id=f"u{i}"), source="/services/feed",
        sequence=i + 1, key_sequence=i + 1).to_kafka_record() for i in range(count)]
    started = time.perf_counter()
    for i, (key, value, headers) in enumerate(records):
        collection.insert_one({"_id": f"raw:{i:012d}", "events": [value], "stream_id": "raw"})
        producer.send(topic, key=key, value=value, headers=headers)
    producer.flush()
    elapsed = time.perf_counter() - started
    producer.close()
    return round(count / elapsed, 1)


def bulk_insert_ceiling(run: Run, count: int) -> float:
    """The database's own bulk-insert rate: `count` read-model-sized documents (a user fact)
    in unordered inserts of 5,000, the most a rebuild that writes each document once gets."""
    collection = run.mongo[run.db("bulk_ceiling")]["facts"]
    documents = [{"_id": f"u{i}:bench-{run.id}:{i:012d}", "user_id": f"u{i}",
                  "community_id": f"bench-{run.id}", "version": i, "kind": "joined",
                  "role": "ROLE_MEMBER", "at": datetime.now(UTC)} for i in range(count)]
    started = time.perf_counter()
    for start in range(0, count, 5000):
        collection.insert_many(documents[start:start + 5000], ordered=False)
    return round(count / (time.perf_counter() - started), 1)


def flat_read(run: Run, database: str, read) -> dict:
    """A hot read's median before and after UNRELATED documents land in its database's
    collections (spread evenly), which an `_id`-addressed read must not notice."""
    before = tools.median_ms(read)
    db = run.mongo[database]
    # Not the relay's bookkeeping: a foreign entry there is not "unrelated", it is a
    # malformed position or lease the relay would (rightly) choke on.
    names = [n for n in db.list_collection_names()
             if not n.startswith("system.") and n not in RELAY_COLLECTIONS]
    per = UNRELATED // max(len(names), 1)
    started = time.perf_counter()
    for name in names:
        for start in range(0, per, 5000):
            db[name].insert_many([{"_id": f"unrelated-{uuid.uuid4().hex}", "n": start + i}
                                  for i in range(min(5000, per - start))], ordered=False)
    inserted_s = time.perf_counter() - started
    after = tools.median_ms(read)
    return {"before_ms": before, "after_ms": after, "unrelated": per * len(names),
            "collections": len(names), "insert_s": round(inserted_s, 1)}


# ---------------------------------------------------------------------------- P2-P4 insights

def p2_insights(run: Run) -> dict:
    say(f"P2 insights throughput: {EVENTS} mixed events, raw aiokafka vs the Faust worker")
    source = tools.create_topic(run.bootstrap, run.topic("events"))
    count, produce_s = history.produce(
        run.bootstrap, source, history.mixed_history(f"bench-{run.id}", COMMUNITIES, EVENTS))
    say(f"  pre-filled {count} events in {produce_s:.1f}s")
    raw, raw_per_cpu = asyncio.run(raw_aiokafka(run.bootstrap, source, count))
    java = tools.consumer_performance(run.bootstrap, source, count)
    perf_topic = tools.create_topic(run.bootstrap, run.topic("perf"))
    broker_produce = tools.producer_performance(run.bootstrap, perf_topic, count, 400)

    pid, env = start_insights_worker(run, "replay", source)
    app_id = env["INSIGHTS_APP_ID"]
    profile = RESULTS / f"{run.id}-insights-worker.txt"
    rate, done, took, peak, per_cpu = committed_rate(run, pid, app_id, count,
                                                     profile if PROFILE else None)
    say(f"  worker: {rate}/s, {per_cpu} per CPU-second ({done} committed)")
    run.stop("replay-worker")
    floor, floor_per_cpu = faust_floor(run, source, count)
    view = run.mongo[env["MONGODB_DATABASE"]].command("dbStats")
    return {
        "events": count, "produce_s": round(produce_s, 1),
        "raw_aiokafka_rps": raw, "kafka_consumer_performance_rps": java,
        "kafka_producer_performance_rps": broker_produce,
        "faust_rps": rate, "faust_consumed": done,
        "faust_total_s_with_startup": round(took, 1),
        "ratio": round(rate / raw, 3) if rate else None,
        "faust_per_cpu_s": per_cpu,
        "faust_floor_rps": floor, "faust_floor_per_cpu_s": floor_per_cpu,
        "raw_aiokafka_per_cpu_s": raw_per_cpu,
        "floor_ratio": round(floor / raw, 3) if floor else None,
        "load_average": os.getloadavg(),
        "worker_rss_mb": {"load": peak},
        "profile_top": tools.top_frames(profile),
        "state": {"communities": COMMUNITIES, "events": count,
                  "view_documents": view.get("objects"), "view_bytes": view.get("dataSize"),
                  "changelog_records": changelog_records(run, app_id)},
    }


def committed_rate(run: Run, pid: int, group: str, count: int,
                   profile: Path | None = None) -> tuple[float | None, int, float, float,
                                                         float | None]:
    """Events per second a consumer group commits, from its first commit until it has
    committed `count` (or 120 s plus 1 s per 5,000 events after the start): (rate, committed,
    seconds since the start, peak RSS in MB, events per CPU-second of the process over the
    same stretch). A py-spy profile of 15 s from the first commit when `profile` is set."""
    started = time.monotonic()
    first: tuple[float, int] | None = None
    first_cpu = 0.0
    spy = None
    done = 0
    with tools.PeakRss(pid) as peak:
        # Bounded: the rate is measured over what was consumed.
        deadline = started + 120 + count / 5000
        while time.monotonic() < deadline:
            done = tools.committed_total(run.bootstrap, group)
            if done and first is None:
                first = (time.monotonic(), done)
                first_cpu = tools.cpu_seconds(pid)
                if profile:
                    spy = tools.py_spy(pid, 15, profile)
            if done >= count:
                break
            time.sleep(0.5)
        finished = time.monotonic()
        cpu = tools.cpu_seconds(pid) - first_cpu
    if spy:
        spy.wait(timeout=60)
    rate = per_cpu = None
    if first and done > first[1]:
        rate = round((done - first[1]) / (finished - first[0]), 1)
        per_cpu = round((done - first[1]) / cpu, 1) if cpu > 0 else None
    return rate, done, finished - started, peak.peak, per_cpu


def faust_floor(run: Run, source: str, count: int) -> tuple[float | None, float | None]:
    """The Faust floor: the worker's app with a bare take_events agent (bench/faust_floor.py)
    on the same topic, measured the same way."""
    group = f"bench-{run.id}-floor"
    pid = run.spawn("floor-worker", [str(Path(__file__).resolve().parent / "faust_floor.py")],
                    {"INSIGHTS_SOURCE_TOPICS": source, "INSIGHTS_APP_ID": group,
                     "INSIGHTS_DATA_DIR": tempfile.mkdtemp(prefix="bench-floor-")})
    rate, done, _, _, per_cpu = committed_rate(run, pid, group, count)
    run.stop("floor-worker")
    say(f"  Faust floor (bare take_events agent): {rate}/s, {per_cpu} per CPU-second "
        f"({done} committed)")
    return rate, per_cpu


def changelog_records(run: Run, app_id: str) -> int:
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=run.bootstrap)
    try:
        names = [t for t in admin.list_topics() if t.startswith(app_id) and "changelog" in t]
    finally:
        admin.close()
    return sum(sum(tools.end_offsets(run.bootstrap, t).values()) for t in names)


async def raw_aiokafka(bootstrap: str, topic: str, count: int) -> tuple[float, float]:
    """The ceiling: aiokafka reading the same topic from the start, records only: events
    per second and per CPU-second of this process."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        seen, started, cpu = 0, time.perf_counter(), time.process_time()
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10000)
            seen += sum(len(records) for records in batches.values())
        return (round(seen / (time.perf_counter() - started), 1),
                round(seen / (time.process_time() - cpu), 1))
    finally:
        await consumer.stop()


def start_insights_worker(run: Run, name: str, source: str) -> tuple[int, dict[str, str]]:
    app_id = f"bench-{run.id}-{name}"
    env = {"INSIGHTS_SOURCE_TOPICS": source, "INSIGHTS_APP_ID": app_id,
           "INSIGHTS_SNAPSHOT_TOPIC": tools.create_topic(run.bootstrap, run.topic(f"{name}-snap")),
           "MONGODB_DATABASE": run.db(name),
           "INSIGHTS_DATA_DIR": tempfile.mkdtemp(prefix="bench-insights-")}
    return run.spawn(f"{name}-worker", ["-m", "insights.worker"], env), env


def p3_freshness(run: Run) -> dict:
    """A fresh worker on a topic holding one community's opening; then PostCreated at
    FRESH_RATE/s, each timed from its send until GetInsights counts it."""
    say(f"P3 freshness: {FRESH_RATE} events/s for {FRESH_SECONDS}s, publish -> GetInsights")
    from community.feed.v1 import events_pb2 as feed_events

    source = tools.create_topic(run.bootstrap, run.topic("fresh"))
    community = f"bench-{run.id}-fresh"
    c = history.Community(community)
    history.produce(run.bootstrap, source, history.opening(c, datetime.now(UTC)))
    worker_pid, env = start_insights_worker(run, "fresh", source)
    pid = run.serve("insights", ["-m", "insights"], {"MONGODB_DATABASE": env["MONGODB_DATABASE"]})
    idle_api, idle_worker = tools.rss_mb(pid), tools.rss_mb(worker_pid)
    channel = grpc.insecure_channel(f"127.0.0.1:{BENCH.grpc_ports['insights']}")
    stub = insights_service_pb2_grpc.InsightsServiceStub(channel)
    metadata = [("authorization", f"Bearer {mint_token(run.secret, history.owner_of(community))}")]
    request = insights_service_pb2.GetInsightsRequest(community_id=community)

    def posts() -> int:
        return stub.GetInsights(request, metadata=metadata, timeout=10).posts

    def answers() -> bool:
        try:
            posts()
            return True
        except grpc.RpcError:
            return False

    wait_until("GetInsights answers for the opened community", answers, 120)
    total = FRESH_RATE * FRESH_SECONDS
    records = [c.record(feed_events.PostCreated(post_id=f"{community}-p{i}",
                                                community_id=community, author_id=f"{community}-m1",
                                                body="fresh"), "/services/feed",
                        datetime.now(UTC), False) for i in range(total)]
    producer = event_producer(run.bootstrap, "bench-fresh")
    with tools.PeakRss(worker_pid) as worker_peak, tools.PeakRss(pid) as api_peak:
        published, visible = tools.publish_at_rate(producer, source, records, FRESH_RATE,
                                                   FRESH_SECONDS + 30, posts)
    sent = len(published)
    producer.close()
    channel.close()
    delays = [(v - p) * 1000 for p, v in zip(published, visible, strict=False)]
    return {"rate": FRESH_RATE, "events": total, "sent": sent, "visible": len(visible),
            "p50_ms": round(tools.percentile(delays, .5), 1),
            "p99_ms": round(tools.percentile(delays, .99), 1),
            "worker_rss_mb": {"idle": idle_worker, "load": worker_peak.peak},
            "api_rss_mb": {"idle": idle_api, "load": api_peak.peak},
            "_database": env["MONGODB_DATABASE"], "_community": community}


def flat_insights(run: Run, p3: dict) -> dict:
    community = p3["_community"]
    channel = grpc.insecure_channel(f"127.0.0.1:{BENCH.grpc_ports['insights']}")
    stub = insights_service_pb2_grpc.InsightsServiceStub(channel)
    metadata = [("authorization", f"Bearer {mint_token(run.secret, history.owner_of(community))}")]
    request = insights_service_pb2.GetInsightsRequest(community_id=community)
    try:
        return flat_read(run, p3["_database"],
                         lambda: stub.GetInsights(request, metadata=metadata, timeout=10))
    finally:
        channel.close()


def p6_dashboard_cost(run: Run, p3: dict) -> dict:
    """GetInsights latency on P3's community from two API processes side by side, one without
    the dashboard (INSIGHTS_HTTP_PORT=off) and one with it, called in turn (so a busy moment
    of the shared machine falls on both alike): with the dashboard idle, then with
    DASHBOARD_PAGES open pages polling its JSON endpoint at the page's rate (every 2 s) while
    as many gRPC clients ask the other process for the same figures at the same rate."""
    say(f"P6 dashboard cost: GetInsights latency without / with the HTTP side, idle and with "
        f"{DASHBOARD_PAGES} pages polling")
    community = p3["_community"]
    owner_token = mint_token(run.secret, history.owner_of(community))
    metadata = [("authorization", f"Bearer {owner_token}")]
    request = insights_service_pb2.GetInsightsRequest(community_id=community)
    if "insights" in run.processes:
        run.stop("insights")  # P3's: the two below are the only API processes
    stubs, channels = {}, []
    for variant, grpc_port, http_port in (("without", P6_PORTS[0], "off"),
                                          ("with", P6_PORTS[1], str(BENCH.http_port))):
        run.spawn(f"insights-{variant}-dashboard", ["-m", "insights"], {
            "MONGODB_DATABASE": p3["_database"], "GRPC_PORT": str(grpc_port),
            "INSIGHTS_HTTP_PORT": http_port})
        stack.wait_for(f"insights {variant} dashboard health",
                       lambda port=grpc_port: serving(port, timeout=1), 90)
        channels.append(grpc.insecure_channel(f"127.0.0.1:{grpc_port}"))
        stubs[variant] = insights_service_pb2_grpc.InsightsServiceStub(channels[-1])
    readings: dict[str, dict] = {}

    def grpc_poll() -> bool:
        stubs["without"].GetInsights(request, metadata=metadata, timeout=10)
        return True

    http_poll = tools.dashboard_poll(f"127.0.0.1:{BENCH.http_port}", community, owner_token)
    try:
        # Polled: the same load on both, 10 pages' figures every 2 s, through the dashboard's
        # JSON endpoint on the one and through gRPC on the other: what the HTTP side costs is
        # the difference between them.
        for phase, pages in (("dashboard idle", 0), ("dashboard polled", DASHBOARD_PAGES)):
            with tools.Pollers(http_poll, pages) as pages_open, \
                    tools.Pollers(grpc_poll, pages) as grpc_clients:
                timed = tools.paired_latency_ms({
                    variant: lambda stub=stub: stub.GetInsights(request, metadata=metadata,
                                                                timeout=10)
                    for variant, stub in stubs.items()}, DASHBOARD_CALLS)
                readings[phase] = {**timed, "page_polls": pages_open.polls,
                                   "poll_failures": pages_open.failures,
                                   "grpc_polls": grpc_clients.polls}
    finally:
        for channel in channels:
            channel.close()
        for variant in ("without", "with"):
            run.stop(f"insights-{variant}-dashboard")
    return readings


REBUILT = ("membership", "feed", "moderation", "insights")


def p4_rebuilds(run: Run) -> dict:
    """`make rebuild`'s speed per service: each bench/rebuild_<service>.py writes a synthetic
    history of REBUILD_EVENTS events (its event store, and the topics it replays from others)
    into scratch databases and topics on the same servers, rebuilds with the service's
    projector, and prints JSON on its last line. The ceilings of the same run: the database's
    own bulk-insert rate, and raw aiokafka (P2)."""
    say(f"P4 rebuilds: {REBUILD_EVENTS} events per service, and the bulk-insert ceiling")
    results: dict = {"bulk_insert_ceiling_dps": bulk_insert_ceiling(run, REBUILD_EVENTS)}
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": run.bootstrap, "MONGODB_URI": run.mongo_uri,
           "BENCH_REBUILD_EVENTS": str(REBUILD_EVENTS), "LOG_LEVEL": "WARNING"}
    for service in REBUILT:
        script = stack.ROOT / "bench" / f"rebuild_{service}.py"
        done = subprocess.run([sys.executable, str(script)], env=env, cwd=stack.ROOT,
                              capture_output=True, text=True, timeout=1800)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            results[service] = {"error": (done.stderr or done.stdout)[-600:]}
            say(f"P4 {service} failed: {results[service]['error']}")
            continue
        results[service] = json.loads(lines[-1])
        say(f"P4 {service}: {results[service]}")
    return results


# ---------------------------------------------------------------------------- report

def table(r: dict) -> str:
    p1, p2, p3, p4 = r.get("p1", {}), r.get("p2", {}), r.get("p3", {}), r.get("p4", {})
    peak, fixed = p1.get("create_post_peak", {}), p1.get("create_post_fixed_rate", {})
    rows = [
        (f"P0 {rpc}: database commands per call, median / mean", f"{c['with_request_id'][0]:g}"
         f" / {c['with_request_id'][1]} (without a request id {c['without'][0]:g} / "
         f"{c['without'][1]})", "", None, f"≤ {c['budget']}")
        for rpc, c in r.get("p0", {}).items() if "budget" in c
    ] + [
        ("P1 CreatePost peak (50 clients), on Kafka", f"{peak.get('to_kafka_rps')}/s",
         f"raw pymongo+kafka-python {p1.get('raw_ceiling_rps')}/s", p1.get("ratio"), "≥ 0.5x"),
        ("P1 CreatePost gRPC only (ghz)", f"{peak.get('rps')}/s p99 {peak.get('p99_ms')} ms",
         "", None, ""),
        (f"P1 CreatePost at {fixed.get('rate')}/s", f"p50 {fixed.get('p50_ms')} / p99 "
         f"{fixed.get('p99_ms')} ms; relay lag p50 {fixed.get('relay_lag_p50_ms')} / p99 "
         f"{fixed.get('relay_lag_p99_ms')} ms", "", None, "p99 ≤ 50 ms"),
        (f"P2 insights, {p2.get('events')} events, one Faust worker", f"{p2.get('faust_rps')}/s",
         f"raw aiokafka {p2.get('raw_aiokafka_rps')}/s", p2.get("ratio"), "≥ 0.12x, ≥ 20k/s"),
        ("P2 Faust floor: the worker's app, a bare take_events agent",
         f"{p2.get('faust_floor_rps')}/s", f"raw aiokafka {p2.get('raw_aiokafka_rps')}/s",
         p2.get("floor_ratio"), ""),
        ("P2 per CPU-second: worker / floor / raw aiokafka",
         f"{p2.get('faust_per_cpu_s')} / {p2.get('faust_floor_per_cpu_s')}",
         f"raw aiokafka {p2.get('raw_aiokafka_per_cpu_s')}", None,
         f"load average {p2.get('load_average')}"),
        ("P2 broker ceilings (Kafka tools)",
         f"ConsumerPerformance {p2.get('kafka_consumer_performance_rps')}/s, "
         f"ProducerPerformance {p2.get('kafka_producer_performance_rps')}/s", "", None, ""),
        (f"P3 freshness at {p3.get('rate')}/s", f"p50 {p3.get('p50_ms')} / p99 "
         f"{p3.get('p99_ms')} ms ({p3.get('visible')}/{p3.get('events')} seen)", "", None,
         "p99 ≤ 200 ms at 1,000/s, ≤ 1 s at 5,000/s"),
        *(
            (f"P4 make rebuild SERVICE={service}, {p4[service].get('events')} events",
             f"{p4[service].get('events_per_s')}/s",
             f"reading its sources {p4[service].get('read_ceiling_per_s')}/s; "
             f"bulk insert {p4.get('bulk_insert_ceiling_dps')}/s; "
             f"raw aiokafka {p2.get('raw_aiokafka_rps')}/s",
             " / ".join(str(round(p4[service]["events_per_s"] / c, 2)) if c else "?"
                        for c in (p4[service].get("read_ceiling_per_s"),
                                  p4.get("bulk_insert_ceiling_dps"), p2.get("raw_aiokafka_rps")))
             if p4[service].get("events_per_s") else None,
             "≥ 20k/s" if service in ("membership", "feed") else "")
            for service in REBUILT if service in p4
        ),
    ]
    fp = r.get("p5", {})
    for name, value in fp.items():
        rows.append((f"P5 {name}", str(value), "", None, ""))
    for phase, reading in r.get("p6", {}).items():
        if isinstance(reading, dict) and "with" in reading:
            without, with_ = reading["without"], reading["with"]
            rows.append((f"P6 GetInsights, {phase} ({reading.get('page_polls')} page polls / "
                         f"{reading.get('grpc_polls')} gRPC)",
                         f"with dashboard p50 {with_['p50_ms']} / p99 {with_['p99_ms']} ms",
                         f"without p50 {without['p50_ms']} / p99 {without['p99_ms']} ms",
                         round(with_["p50_ms"] / without["p50_ms"], 2)
                         if without["p50_ms"] else None, "no measurable cost"))
    lines = ["| scenario | measured | ceiling (same run) | ratio | goal |",
             "| --- | --- | --- | --- | --- |"]
    for name, measured, ceiling, ratio, goal in rows:
        lines.append(f"| {name} | {measured} | {ceiling} | "
                     f"{'' if ratio is None else f'{ratio}x'} | {goal} |")
    return "\n".join(lines)


def stop_on_signal(signum: int, frame: object) -> None:
    # SIGTERM, or SIGINT even when started in the background (where it is ignored): unwind
    # through run.cleanup() so no process, topic or database of the run is left behind.
    raise SystemExit(f"stopped by signal {signum}")


def main() -> None:
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    subprocess.run([sys.executable, str(stack.ROOT / "deploy/local/stack.py"), "infra-up",
                    "--instance", INFRA.name], check=True)
    tools.ghz_binary()
    RESULTS.mkdir(exist_ok=True)
    run = Run()
    say(f"run {run.id} on {run.results['machine']}")
    try:
        for name, scenario in (("p0", p0_round_trips),
                               ("p1", lambda: p1_write_path(run)),
                               ("p2", lambda: p2_insights(run))):
            if name not in ONLY:
                continue
            try:
                run.results[name] = scenario()
            except Exception as error:  # one scenario failing still reports the others
                run.results[name] = {"error": repr(error)}
                say(f"{name} failed: {error!r}")
        try:
            if ONLY & {"p3", "p6"}:
                run.results["p3"] = p3_freshness(run)
            if "p3" in ONLY:
                run.results["p5_flat_get_insights"] = flat_insights(run, run.results["p3"])
            if "p6" in ONLY:
                run.results["p6"] = p6_dashboard_cost(run, run.results["p3"])
        except Exception as error:
            run.results["p3"] = {"error": repr(error)}
            say(f"p3/p6 failed: {error!r}")
        run.stop_all()
        try:
            if "p4" in ONLY:
                run.results["p4"] = p4_rebuilds(run)
        except Exception as error:
            run.results["p4"] = {"error": repr(error)}
            say(f"p4 failed: {error!r}")
    finally:
        run.cleanup()
    p1, p2, p3 = (run.results.get(k, {}) for k in ("p1", "p2", "p3"))
    run.results["p5"] = {
        "feed RSS idle / under CreatePost load (MB)": p1.get("rss_mb"),
        "insights worker RSS under replay (MB)": p2.get("worker_rss_mb", {}).get("load"),
        "insights worker RSS idle / under P3 stream (MB)": p3.get("worker_rss_mb"),
        "insights API RSS idle / under polling (MB)": p3.get("api_rss_mb"),
        "insights state after P2 (communities, events, view docs, view bytes, changelog records)":
            p2.get("state"),
        "ListPosts median before / after unrelated docs (ms)": p1.get("flat_list_posts_ms"),
        "GetInsights median before / after unrelated docs (ms)":
            run.results.get("p5_flat_get_insights"),
    }
    for key in ("_database", "_community"):
        p3.pop(key, None)
    out = RESULTS / f"{datetime.now(UTC):%Y-%m-%dT%H%M%SZ}.json"
    out.write_text(json.dumps(run.results, indent=2, default=str))
    print("\n" + table(run.results) + "\n", flush=True)
    say(f"results: {out}")


if __name__ == "__main__":
    main()
