"""The standard load tools and measurements the scenarios share: ghz (built from its Go
module on first use), Kafka's own ProducerPerformance/ConsumerPerformance, py-spy (run from
PyPI by uvx), RSS from /proc, and small Kafka/Mongo helpers."""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

ROOT = Path(__file__).resolve().parents[1]
GOBIN = ROOT / ".local" / "build" / "gobin"
KAFKA_LIBS = ROOT / ".local" / "build" / "kafka-libs"
GHZ_MODULE = "github.com/bojand/ghz/cmd/ghz@v0.93.0"


def ghz_binary() -> str:
    """ghz, built into .local/build/gobin from the Go module proxy the first time."""
    binary = GOBIN / "ghz"
    if not binary.exists():
        GOBIN.mkdir(parents=True, exist_ok=True)
        print(f"[bench] building ghz ({GHZ_MODULE}) ...", flush=True)
        subprocess.run(["go", "install", GHZ_MODULE], env={**os.environ, "GOBIN": str(GOBIN)},
                       check=True)
    return str(binary)


def protoset(proto: str, out: Path) -> Path:
    """A descriptor set of `proto` (path under protos/) and its imports, for ghz: ghz 0.93's
    reflection client asks for symbols the services' reflection v1 does not resolve."""
    import grpc_tools

    includes = Path(grpc_tools.__file__).parent / "_proto"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{ROOT / 'protos'}",
                    f"-I{includes}", "--include_imports", f"--descriptor_set_out={out}",
                    str(ROOT / "protos" / proto)], check=True)
    return out


def ghz(target: str, call: str, data: str, token: str, *, concurrency: int, duration_s: int,
        protoset_file: Path, rps: int = 0) -> dict:
    """Runs ghz and returns its JSON report."""
    argv = [ghz_binary(), "--insecure", "--protoset", str(protoset_file), "--call", call,
            "-d", data,
            "-m", json.dumps({"authorization": f"Bearer {token}"}),
            "-c", str(concurrency), "-z", f"{duration_s}s", "--connections", "4",
            "--format", "json", target]
    if rps:
        argv += ["--rps", str(rps)]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0 and not done.stdout.strip():
        raise RuntimeError(f"ghz failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def ghz_summary(report: dict) -> dict:
    distribution = report.get("latencyDistribution") or []
    latencies = {d["percentage"]: d["latency"] / 1e6 for d in distribution}
    return {
        "requests": report["count"],
        "rps": round(report["rps"], 1),
        "p50_ms": round(latencies.get(50, float("nan")), 1),
        "p99_ms": round(latencies.get(99, float("nan")), 1),
        "status": report.get("statusCodeDistribution", {}),
        # ghz's error messages (status and detail) with their counts: what the refusals were.
        "errors": dict(list((report.get("errorDistribution") or {}).items())[:5]),
    }


def java_tool(cls: str, *args: str, timeout: float = 180) -> str:
    return subprocess.run(["java", "-Xmx256m", "-cp", f"{KAFKA_LIBS}/*", cls, *args],
                          capture_output=True, text=True, timeout=timeout, check=True).stdout


def producer_performance(bootstrap: str, topic: str, records: int, size: int) -> float:
    """Kafka's ProducerPerformance with acks=all; records/s."""
    out = java_tool("org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
                    "--num-records", str(records), "--record-size", str(size),
                    "--throughput", "-1", "--producer-props", f"bootstrap.servers={bootstrap}",
                    "acks=all", "linger.ms=20", "batch.size=524288")
    last = [line for line in out.splitlines() if "records sent" in line][-1]
    return float(re.search(r"([\d.]+) records/sec", last).group(1))


def consumer_performance(bootstrap: str, topic: str, records: int) -> float:
    """Kafka's ConsumerPerformance; records/s over the fetch time."""
    out = java_tool("org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", bootstrap,
                    "--topic", topic, "--messages", str(records), "--timeout", "60000")
    header, row = [line for line in out.splitlines() if line.strip()][-2:]
    names = [h.strip() for h in header.split(",")]
    fields = dict(zip(names, [v.strip() for v in row.split(",")], strict=False))
    return float(fields.get("nMsg.sec") or fields["data.consumed.in.nMsg"])


def create_topic(bootstrap: str, name: str, partitions: int = 6) -> str:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        admin.close()
    return name


def delete_topics(bootstrap: str, prefix: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        doomed = [t for t in admin.list_topics() if t.startswith(prefix)]
        if doomed:
            admin.delete_topics(doomed)
    finally:
        admin.close()


def delete_groups(bootstrap: str, prefix: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        doomed = [g["group_id"] for g in admin.list_groups() if g["group_id"].startswith(prefix)]
        if doomed:
            admin.delete_groups(doomed)
    finally:
        admin.close()


def end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return consumer.end_offsets(parts)
    finally:
        consumer.close()


def start_groups_at_end(bootstrap: str, group: str, topic: str) -> None:
    """Commits `group`'s offsets at the topic's end, so a new consumer skips the history."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                             enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(parts)
        from kafka.structs import OffsetAndMetadata

        consumer.commit({tp: OffsetAndMetadata(end, "", -1)
                         for tp, end in consumer.end_offsets(parts).items()})
    finally:
        consumer.close()


def committed_total(bootstrap: str, group: str) -> int:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        total = 0
        for entry in admin.list_group_offsets(group).values():
            # {partition: OffsetAndMetadata} per topic (kafka-python 3), or one per partition.
            for o in entry.values() if isinstance(entry, dict) else [entry]:
                total += max(o.offset, 0)
        return total
    finally:
        admin.close()


def with_children(pid: int) -> list[int]:
    """A process and its direct children (what a process's figures add up)."""
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        pids += [int(p) for p in children.stdout.split()]
    except OSError:
        pass
    return pids


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, MB."""
    total = 0
    for p in with_children(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children have used so far, seconds: on a
    shared machine, events per CPU-second move far less with the load than events per
    second."""
    ticks = 0
    for p in with_children(pid):
        try:
            # Fields after the command's closing parenthesis; utime and stime are 14 and 15.
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


class PeakRss:
    """Samples a process's RSS every 0.2 s in a thread while used as a context manager."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, rss_mb(self.pid))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def py_spy(pid: int, seconds: int, out: Path) -> subprocess.Popen | None:
    """Starts `py-spy record` (raw collapsed stacks) on a process, or None if uvx is missing."""
    uvx = shutil.which("uvx")
    if not uvx:
        return None
    return subprocess.Popen([uvx, "py-spy", "record", "--pid", str(pid), "--duration",
                             str(seconds), "--format", "raw", "--rate", "50", "--subprocesses",
                             "--nonblocking", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def top_frames(collapsed: Path, n: int = 8) -> dict[str, list[tuple[str, float]]]:
    """Shares of samples: the project's own functions anywhere on the stack (inclusive), and
    the leaf functions where the time is actually spent (self)."""
    if not collapsed.exists():
        return {}
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        frames = stack.split(";")
        own[frames[-1]] = own.get(frames[-1], 0) + samples
        for frame in set(frames):
            if any(f"({pkg}/" in frame for pkg in PROJECT_PACKAGES):
                inclusive[frame] = inclusive.get(frame, 0) + samples

    def ranked(counts: dict[str, int]) -> list[tuple[str, float]]:
        top = sorted(counts.items(), key=lambda kv: -kv[1])[:n]
        return [(frame, round(c / max(total, 1), 3)) for frame, c in top]

    return {"project_inclusive": ranked(inclusive), "self": ranked(own)}


PROJECT_PACKAGES = ("feed", "insights", "membership", "moderation", "community_common")


def median_ms(call, samples: int = 15) -> float:
    call()
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings) * 1000, 2)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def publish_at_rate(producer, topic: str, records: list, rate: float, give_up_s: float,
                    visible) -> tuple[list[float], list[float]]:
    """Sends `records` (key, value, headers) at `rate` per second and polls `visible()` (how
    many of them are visible so far) until all are, or `give_up_s` pass; returns when each
    was sent and when each became visible (monotonic seconds, in record order)."""
    published: list[float] = []
    seen_at: list[float] = []
    started, tick = time.monotonic(), 0.01
    while len(seen_at) < len(records) and time.monotonic() - started < give_up_s:
        now = time.monotonic()
        due = min(len(records), int((now - started) * rate) + 1)
        while len(published) < due:
            key, value, headers = records[len(published)]
            producer.send(topic, key=key, value=value, headers=headers)
            published.append(time.monotonic())
        producer.flush()
        seen = min(visible(), len(published))
        seen_at.extend([time.monotonic()] * (seen - len(seen_at)))
        time.sleep(max(0.0, tick - (time.monotonic() - now)))
    return published, seen_at


def paired_latency_ms(calls: dict, rounds: int, warmup: int = 20) -> dict:
    """p50 / p99 / mean per named call, each round calling every one once (in turn, the
    order alternating), so load that comes and goes weighs on all of them alike."""
    names = list(calls)
    timings: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(warmup):
        for call in calls.values():
            call()
    for i in range(rounds):
        for name in names if i % 2 == 0 else reversed(names):
            started = time.perf_counter()
            calls[name]()
            timings[name].append((time.perf_counter() - started) * 1000)
    return {name: {"calls": rounds, "p50_ms": round(percentile(values, .5), 2),
                   "p99_ms": round(percentile(values, .99), 2),
                   "mean_ms": round(statistics.fmean(values), 2)}
            for name, values in timings.items()}


class Pollers:
    """`pages` open dashboard pages: each calls `poll` (True = answered) every `every_s`
    seconds, as the page asks for its figures, until the block ends."""

    def __init__(self, poll, pages: int, every_s: float = 2.0) -> None:
        self.poll, self.pages, self.every_s = poll, pages, every_s
        self.polls = self.failures = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def _page(self, offset_s: float) -> None:
        # Pages opened at different moments: their polls spread over the interval.
        next_poll = time.monotonic() + offset_s
        while not self._stop.wait(max(0.0, next_poll - time.monotonic())):
            try:
                ok = self.poll()
            except Exception:
                ok = False
            with self._lock:
                self.polls += 1
                self.failures += not ok
            next_poll += self.every_s

    def __enter__(self) -> Pollers:
        for page in range(self.pages):
            thread = threading.Thread(target=self._page, args=(page * self.every_s / self.pages,),
                                      daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)


def dashboard_poll(address: str, community_id: str, token: str):
    """What an open dashboard page asks for: the JSON endpoint's figures."""
    import urllib.request

    request = urllib.request.Request(
        f"http://{address}/api/v1/communities/{community_id}/insights",
        headers={"Authorization": f"Bearer {token}"})

    def poll() -> bool:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status == 200

    return poll
