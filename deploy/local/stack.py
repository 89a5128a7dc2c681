"""The local stack without Docker: builds, starts and stops a real Kafka broker (KRaft), a
PostgreSQL 15 cluster, a FerretDB server on it (the MongoDB wire protocol) and the four services.

Two instances never share ports or data: `dev` is what `make up` runs, `test` is what
`make test` and CI run. Every process started is recorded in a PID file and stopped by that
PID only. Data lives under `.local/<instance>/` and survives `down`/`up`; `clean` wipes it.

    python deploy/local/stack.py up|down|clean|status [--instance dev|test] [--replicas N]
                                 [--insights-workers N]
    python deploy/local/stack.py infra-up|services-up|services-down [--instance ...]

`--replicas N` runs N processes of every service and N insights workers: replica k (1-based)
gets `REPLICA_ID=k`, gRPC port `base + 10*(k-1)` (the dashboard likewise) and PID/log files
`<service>-<k>`. Without it (or with 1), one unnamed process each, as always.
`--insights-workers N` (default: as many as `--replicas`) sets the insights workers alone:
N > 1 runs `insights-worker-1` … `-N` in one group, each with its REPLICA_ID and its own
Faust data directory (`.local/<instance>/data/insights-worker-<k>`).
    python deploy/local/stack.py env [--instance ...]     # export lines for a shell
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / ".local"
BUILD = LOCAL / "build"
KAFKA_DIR = Path(__file__).resolve().parent / "kafka"
FERRETDB_DIR = Path(__file__).resolve().parent / "ferretdb"
KAFKA_LIBS = BUILD / "kafka-libs"
# The insights dashboard's browser assets: npm project, and where the API process serves them.
DASHBOARD_NPM = ROOT / "services" / "insights"
DASHBOARD_VENDOR = DASHBOARD_NPM / "src" / "insights" / "dashboard" / "assets" / "vendor"
DASHBOARD_VENDOR_FILES = {"echarts.min.js": "echarts/dist/echarts.min.js",
                          "echarts.LICENSE": "echarts/LICENSE",
                          "echarts.NOTICE": "echarts/NOTICE"}
FERRETDB_BIN = BUILD / "ferretdb"
# The local broker's JVM. C1 alone (TieredStopAtLevel=1): a broker restarted on the 2-core
# machine spends ~half the CPU getting ready (12 s -> 6.5 s measured), which is most of a
# broker restart's recovery time; a local stack never runs long enough for C2 to pay back.
KAFKA_JVM = "-Xms256m -Xmx512m -XX:TieredStopAtLevel=1"
# Debian's postgresql-15 package (deploy/local/prerequisites.sh installs it).
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"
# PostgreSQL opens a backend per connection on demand; FerretDB holds one per command in
# flight (an update command: one per document it changes, community_common.mongo), summed over
# the five service processes, a benchmark and a test's private FerretDB servers.
PG_MAX_CONNECTIONS = 300
# FerretDB's pool may ask for more than PostgreSQL admits: a command that needs too many
# connections then fails with "too many clients" instead of waiting forever for a pool slot
# that its own open connections hold.
FERRETDB_POOL_MAX_CONNS = PG_MAX_CONNECTIONS + 50


@dataclass(frozen=True)
class Instance:
    name: str
    kafka_port: int
    controller_port: int
    mongo_port: int
    pg_port: int
    grpc_ports: dict[str, int]
    # The insights dashboard (INSIGHTS_HTTP_PORT); 0 = any free port.
    http_port: int = 0

    @property
    def dir(self) -> Path:
        return LOCAL / self.name

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def mongo_uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}"

    @property
    def listening_ports(self) -> list[int]:
        return [self.kafka_port, self.controller_port, self.mongo_port, self.pg_port,
                *self.grpc_ports.values(), *([self.http_port] if self.http_port else [])]

    @property
    def dashboard_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/"

    @property
    def pg_data(self) -> Path:
        return self.dir / "pgdata"

    @property
    def postgresql_url(self) -> str:
        """The database FerretDB keeps everything in (one schema per MongoDB database).
        sslmode=disable: the cluster has no certificate, so asking for TLS first only costs
        each new connection a refused round trip."""
        return (f"postgres://{PG_USER}@127.0.0.1:{self.pg_port}/ferretdb"
                f"?sslmode=disable&pool_max_conns={FERRETDB_POOL_MAX_CONNS}")


INSTANCES = {
    "dev": Instance("dev", 9092, 9093, 27017, 15432,
                    {"membership": 50051, "feed": 50052, "moderation": 50053, "insights": 50054},
                    50080),
    "test": Instance("test", 19092, 19093, 37017, 25432,
                     {"membership": 51051, "feed": 51052, "moderation": 51053, "insights": 51054},
                     51080),
    # A second test instance, so a whole `make test` can run (STACK_INSTANCE=ci) while the
    # `test` servers are busy with a developer's suites or benchmarks.
    "ci": Instance("ci", 29092, 29093, 47017, 30432,
                   {"membership": 52051, "feed": 52052, "moderation": 52053, "insights": 52054},
                   52080),
    # Two more for parallel work on one machine (each developer or helper its own servers).
    "h1": Instance("h1", 39092, 39093, 57017, 35432,
                   {"membership": 53051, "feed": 53052, "moderation": 53053, "insights": 53054},
                   53080),
    "h2": Instance("h2", 41092, 41093, 58017, 36432,
                   {"membership": 54051, "feed": 54052, "moderation": 54053, "insights": 54054},
                   54080),
    "h3": Instance("h3", 43092, 43093, 59017, 37432,
                   {"membership": 55051, "feed": 55052, "moderation": 55053, "insights": 55054},
                   55080),
    "h4": Instance("h4", 44092, 44093, 60017, 38432,
                   {"membership": 56051, "feed": 56052, "moderation": 56053, "insights": 56054},
                   56080),
    # `make chaos` (two replicas of everything: replica 2 on base + 10), and a second set for
    # the short chaos run in `make test`, so the two never share a broker or a database.
    "chaos": Instance("chaos", 45092, 45093, 61017, 39432,
                      {"membership": 57051, "feed": 57052, "moderation": 57053, "insights": 57054},
                      57080),
    "chaos-short": Instance("chaos-short", 46092, 46093, 62017, 40432,
                            {"membership": 58051, "feed": 58052, "moderation": 58053,
                             "insights": 58054}, 58080),
    # `make fuzz`: the long fuzzing run, beside everything above.
    "fuzz": Instance("fuzz", 48092, 48093, 48017, 48432,
                     {"membership": 48051, "feed": 48052, "moderation": 48053, "insights": 48054},
                     48080),
}
# Replica k of a service listens on its base port + REPLICA_PORT_STEP * (k - 1).
REPLICA_PORT_STEP = 10

# The service processes `up` starts: name -> python -m arguments. The gRPC port comes from
# the instance; every other setting from the environment (see each service's README).
SERVICE_PROCESSES: dict[str, list[str]] = {
    "membership": ["-m", "membership"],
    "feed": ["-m", "feed"],
    "moderation": ["-m", "moderation"],
    "insights": ["-m", "insights"],
    # The insights Faust worker (no gRPC port): fills the view `insights` serves.
    "insights-worker": ["-m", "insights.worker"],
}
# A process without a gRPC health service works once its consumer group has a member that
# owns partitions: `up` waits for that instead of health.
WORKER_GROUPS = {"insights-worker": "insights"}
# The processes that keep local state, in `.local/<instance>/data/<process name>`.
DATA_DIRS = {"insights-worker": "INSIGHTS_DATA_DIR"}


def log(msg: str) -> None:
    print(f"[stack] {msg}", flush=True)


# ---------------------------------------------------------------------------- build (cached)

def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _stamp_ok(stamp: Path, digest: str) -> bool:
    return stamp.exists() and stamp.read_text() == digest


def build_kafka() -> None:
    """Copies the broker's jars from Maven Central into .local/build/kafka-libs (once per pom)."""
    pom = KAFKA_DIR / "pom.xml"
    stamp = BUILD / "kafka-libs.stamp"
    digest = _digest(pom)
    if _stamp_ok(stamp, digest) and any(KAFKA_LIBS.glob("kafka_2.13-*.jar")):
        return
    log("assembling Kafka from Maven Central (first run only) ...")
    shutil.rmtree(KAFKA_LIBS, ignore_errors=True)
    subprocess.run(
        ["mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
         f"-DoutputDirectory={KAFKA_LIBS}", "-DincludeScope=runtime"],
        check=True,
    )
    stamp.write_text(digest)


def build_ferretdb() -> None:
    """Builds FerretDB through our wrapper module from the Go module proxy (once per source)."""
    # *.sql: embedded into the binary (go:embed).
    sources = [FERRETDB_DIR / "go.mod", FERRETDB_DIR / "go.sum",
               *sorted(FERRETDB_DIR.glob("*.go")), *sorted(FERRETDB_DIR.glob("*.sql"))]
    stamp = BUILD / "ferretdb.stamp"
    digest = _digest(*sources)
    if _stamp_ok(stamp, digest) and FERRETDB_BIN.exists():
        return
    log("building FerretDB v1.24.2 (first run only) ...")
    subprocess.run(["go", "build", "-trimpath", "-o", str(FERRETDB_BIN), "."],
                   cwd=FERRETDB_DIR, check=True)
    stamp.write_text(digest)


def build_dashboard_assets() -> None:
    """Installs the insights dashboard's chart library with npm (pinned by package-lock.json)
    and copies it where the insights API serves it from: the machines that run the dashboard
    have no internet, so nothing is loaded from a CDN (once per lock file)."""
    lock = DASHBOARD_NPM / "package-lock.json"
    stamp = BUILD / "dashboard-assets.stamp"
    digest = _digest(lock)
    if _stamp_ok(stamp, digest) and all((DASHBOARD_VENDOR / name).exists()
                                        for name in DASHBOARD_VENDOR_FILES):
        return
    log("installing the dashboard's chart library from npm (first run only) ...")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                   cwd=DASHBOARD_NPM, check=True)
    DASHBOARD_VENDOR.mkdir(parents=True, exist_ok=True)
    for name, source in DASHBOARD_VENDOR_FILES.items():
        shutil.copyfile(DASHBOARD_NPM / "node_modules" / source, DASHBOARD_VENDOR / name)
    stamp.write_text(digest)


def build() -> None:
    BUILD.mkdir(parents=True, exist_ok=True)
    build_kafka()
    build_ferretdb()
    build_dashboard_assets()


# ---------------------------------------------------------------------------- processes

def _pid_file(inst: Instance, name: str) -> Path:
    return inst.dir / "pids" / f"{name}.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); treat it as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def running_pid(inst: Instance, name: str) -> int | None:
    pf = _pid_file(inst, name)
    if not pf.exists():
        return None
    pid = int(pf.read_text().strip())
    if _alive(pid):
        return pid
    pf.unlink()
    return None


def spawn(inst: Instance, name: str, argv: list[str], env: dict[str, str] | None = None,
          cwd: Path | None = None, user: str | None = None) -> int:
    pid = running_pid(inst, name)
    if pid:
        log(f"{name} already running (pid {pid})")
        return pid
    (inst.dir / "pids").mkdir(parents=True, exist_ok=True)
    (inst.dir / "logs").mkdir(parents=True, exist_ok=True)
    logf = open(inst.dir / "logs" / f"{name}.log", "ab")
    # `user` runs the process itself under that account (not through su/runuser), so the PID
    # recorded is the server's own and stop() signals it directly.
    as_user = {"user": user, "group": user, "extra_groups": []} if user else {}
    proc = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True,
                            **as_user)
    _pid_file(inst, name).write_text(str(proc.pid))
    log(f"started {name} (pid {proc.pid}), log: {inst.dir / 'logs' / (name + '.log')}")
    return proc.pid


def stop(inst: Instance, name: str, timeout: float = 30.0,
         how: signal.Signals = signal.SIGTERM) -> None:
    pid = running_pid(inst, name)
    if not pid:
        return
    os.kill(pid, how)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        log(f"{name} (pid {pid}) did not stop in {timeout:.0f}s; killing it")
        os.kill(pid, signal.SIGKILL)
    _pid_file(inst, name).unlink(missing_ok=True)
    log(f"stopped {name} (pid {pid})")


def wait_for(what: str, check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as e:  # any failure means "not ready yet"
            last = e
        time.sleep(0.2)
    raise SystemExit(f"[stack] {what} not ready after {timeout:.0f}s ({last!r})")


RESERVED_PORTS = Path("/proc/sys/net/ipv4/ip_local_reserved_ports")


def reserve_ports(inst: Instance, extra: list[int] | None = None) -> None:
    """Keeps the kernel from handing the instance's listening ports to outgoing connections.

    The gRPC ports (50051-50054 by contract) and some test ports lie inside Linux's ephemeral
    range (32768-60999): a client socket of any process that happens to take one as its
    source port makes the server's bind fail with "Address already in use" (seen as a
    service that exited during `up`, about 1 start in 10). Needs root; without it, says so.
    """
    try:
        current = RESERVED_PORTS.read_text().strip()
        reserved: set[int] = set()
        for part in filter(None, current.split(",")):
            low, _, high = part.partition("-")
            reserved.update(range(int(low), int(high or low) + 1))
        missing = sorted((set(inst.listening_ports) | set(extra or [])) - reserved)
        if missing:
            RESERVED_PORTS.write_text(",".join(filter(None, [current, *map(str, missing)])))
    except OSError as error:
        log(f"could not reserve ports {inst.listening_ports + (extra or [])} ({error}); a server "
            "may fail to bind if an outgoing connection holds its port")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# ---------------------------------------------------------------------------- Kafka

def _kafka_properties(inst: Instance) -> str:
    data = inst.dir / "kafka-data"
    return "\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@127.0.0.1:{inst.controller_port}",
        f"listeners=PLAINTEXT://127.0.0.1:{inst.kafka_port},CONTROLLER://127.0.0.1:{inst.controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{inst.kafka_port}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        f"log.dirs={data}",
        # Single broker: internal topics cannot have more than one replica.
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=12",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        # Topics are created explicitly (stack.py topics), so a typo fails loudly.
        "auto.create.topics.enable=false",
        # Consumers join at once instead of waiting 3 s for more members.
        "group.initial.rebalance.delay.ms=0",
        "num.partitions=6",
        "log.retention.hours=-1",
        "",
    ])


def start_kafka(inst: Instance) -> None:
    if running_pid(inst, "kafka"):
        log("kafka already running")
        return
    data = inst.dir / "kafka-data"
    props = inst.dir / "server.properties"
    inst.dir.mkdir(parents=True, exist_ok=True)
    props.write_text(_kafka_properties(inst))
    java = ["java", *KAFKA_JVM.split(),
            f"-Dlog4j2.configurationFile={KAFKA_DIR / 'log4j2.properties'}",
            "-cp", f"{KAFKA_LIBS}/*"]
    if not (data / "meta.properties").exists():
        cluster_id = "-"
        while cluster_id.startswith("-"):  # StorageTool would read a leading '-' as an option
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        subprocess.run([*java, "kafka.tools.StorageTool", "format", "--cluster-id", cluster_id,
                        "--config", str(props), "--ignore-formatted"],
                       check=True, stdout=subprocess.DEVNULL)
    spawn(inst, "kafka", [*java, "kafka.Kafka", str(props)])
    wait_for("kafka", lambda: _kafka_ready(inst), 90)


def _kafka_ready(inst: Instance) -> bool:
    if not _port_open(inst.kafka_port):
        return False
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=inst.kafka_bootstrap, request_timeout_ms=3000)
    try:
        admin.list_topics()
        return True
    finally:
        admin.close()


def create_topics(inst: Instance) -> None:
    from community_common.config import topic_partitions
    from community_common.kafka_clients import ensure_topics
    from community_common.topics_init import all_topics

    ensure_topics(inst.kafka_bootstrap, all_topics(), topic_partitions())
    log(f"topics: {len(all_topics())} present ({topic_partitions()} partitions each)")


# ---------------------------------------------------------------------------- PostgreSQL

def _server_user() -> str | None:
    """PostgreSQL refuses to run as root: as root, its files and processes belong to the
    `postgres` account Debian's package creates; otherwise to whoever runs the stack."""
    return PG_USER if os.geteuid() == 0 else None


def init_postgres(inst: Instance) -> None:
    """A cluster of the instance's own, created once under .local/<instance>/pgdata."""
    data = inst.pg_data
    if (data / "PG_VERSION").exists():
        return
    data.mkdir(parents=True, exist_ok=True)
    user = _server_user()
    run_as: list[str] = []
    if user:
        shutil.chown(data, user, user)
        run_as = ["runuser", "-u", user, "--"]
    data.chmod(0o700)
    log(f"creating a PostgreSQL cluster in {data} (first run only) ...")
    # trust: the cluster listens on 127.0.0.1 only, like FerretDB and Kafka, without passwords.
    subprocess.run([*run_as, str(PG_BIN / "initdb"), "-D", str(data), "-U", PG_USER,
                    "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"],
                   check=True, stdout=subprocess.DEVNULL)


def start_postgres(inst: Instance) -> None:
    if running_pid(inst, "postgres"):
        log("postgres already running")
        return
    init_postgres(inst)
    spawn(inst, "postgres", [
        str(PG_BIN / "postgres"), "-D", str(inst.pg_data),
        "-c", "listen_addresses=127.0.0.1", "-c", f"port={inst.pg_port}",
        # TCP only: no socket in /var/run/postgresql, which only Debian's service creates.
        "-c", "unix_socket_directories=",
        "-c", f"max_connections={PG_MAX_CONNECTIONS}",
        # FerretDB's statements are prepared with the field name as a parameter
        # (`_jsonb->$1 @> $2`); only a plan made for the actual values matches the GIN
        # indexes on `_jsonb->'<field>'` (deploy/local/ferretdb/ginindex.go).
        "-c", "plan_cache_mode=force_custom_plan",
    ], user=_server_user())
    wait_for("postgres", lambda: _postgres_ready(inst), 60)


def _postgres_ready(inst: Instance) -> bool:
    return subprocess.run([str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1",
                           "-p", str(inst.pg_port), "-U", PG_USER]).returncode == 0


def stop_postgres(inst: Instance) -> None:
    # SIGINT is PostgreSQL's fast shutdown: SIGTERM would wait for every client to leave.
    stop(inst, "postgres", how=signal.SIGINT)


# ---------------------------------------------------------------------------- FerretDB

def start_ferretdb(inst: Instance) -> None:
    if running_pid(inst, "ferretdb"):
        log("ferretdb already running")
        return
    spawn(inst, "ferretdb", [str(FERRETDB_BIN), "--listen-addr", f"127.0.0.1:{inst.mongo_port}",
                             "--postgresql-url", inst.postgresql_url])
    wait_for("ferretdb", lambda: _mongo_ready(inst), 60)


def _mongo_ready(inst: Instance) -> bool:
    from pymongo import MongoClient

    client = MongoClient(inst.mongo_uri, serverSelectionTimeoutMS=1000)
    try:
        client.admin.command("ping")
        return True
    finally:
        client.close()


# ---------------------------------------------------------------------------- services

def auth_secret(inst: Instance) -> str:
    """The JWT secret: the caller's COMMUNITY_AUTH_HS256_SECRET, else one kept per instance."""
    if os.environ.get("COMMUNITY_AUTH_HS256_SECRET"):
        return os.environ["COMMUNITY_AUTH_HS256_SECRET"]
    f = inst.dir / "auth-secret"
    if not f.exists():
        inst.dir.mkdir(parents=True, exist_ok=True)
        f.write_text(secrets.token_urlsafe(48))
        f.chmod(0o600)
    return f.read_text().strip()


def process_name(kind: str, replica: int | None = None) -> str:
    """The PID/log file name of a service process: `feed`, or `feed-2` for replica 2."""
    return kind if replica is None else f"{kind}-{replica}"


def replica_ids(replicas: int) -> list[int | None]:
    """One unnamed process (today's single instance), or replicas 1..N."""
    return [None] if replicas <= 1 else list(range(1, replicas + 1))


def grpc_port(inst: Instance, service: str, replica: int | None = None) -> int:
    return inst.grpc_ports[service] + REPLICA_PORT_STEP * ((replica or 1) - 1)


def http_port(inst: Instance, replica: int | None = None) -> int:
    """The insights dashboard's port; 0 (any free port) stays 0 for every replica."""
    return inst.http_port + REPLICA_PORT_STEP * ((replica or 1) - 1) if inst.http_port else 0


def service_env(inst: Instance, service: str, replica: int | None = None) -> dict[str, str]:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": inst.kafka_bootstrap,
        "MONGODB_URI": inst.mongo_uri,
        "COMMUNITY_AUTH_HS256_SECRET": auth_secret(inst),
    }
    if replica is not None:
        # Names the process: its relay lease holder, an insights worker's group member.
        env["REPLICA_ID"] = str(replica)
    if service in inst.grpc_ports:
        env["GRPC_PORT"] = str(grpc_port(inst, service, replica))
    if service == "insights":
        env["INSIGHTS_HTTP_PORT"] = str(http_port(inst, replica))
    if service in DATA_DIRS:
        # Each process its own: two Faust workers must not share one.
        env[DATA_DIRS[service]] = str(inst.dir / "data" / process_name(service, replica))
    return env


def replica_listening_ports(inst: Instance, replicas: int) -> list[int]:
    """The ports replicas 2..N listen on, beside the instance's own."""
    extra = []
    for replica in range(2, replicas + 1):
        extra += [grpc_port(inst, s, replica) for s in inst.grpc_ports]
        extra += [http_port(inst, replica)] if inst.http_port else []
    return extra


def spawn_service(inst: Instance, kind: str, replica: int | None = None) -> int:
    env = service_env(inst, kind, replica)
    if kind in DATA_DIRS:
        Path(env[DATA_DIRS[kind]]).mkdir(parents=True, exist_ok=True)
    return spawn(inst, process_name(kind, replica), [sys.executable, *SERVICE_PROCESSES[kind]],
                 env=env, cwd=ROOT)


def wait_service_ready(inst: Instance, kind: str, replica: int | None = None,
                       timeout: float = 90) -> None:
    name = process_name(kind, replica)
    if kind in inst.grpc_ports:
        wait_for(f"{name} health", lambda: _serving(inst, kind, replica), timeout)
    else:
        wait_for(f"{name} in group {WORKER_GROUPS[kind]}", lambda: _working(inst, kind, replica),
                 timeout)


def counts(replicas: int, workers: int | None = None) -> dict[str, int]:
    """How many processes of each kind: `replicas` of each, `workers` insights workers."""
    return {kind: workers if kind == "insights-worker" and workers else replicas
            for kind in SERVICE_PROCESSES}


def start_services(inst: Instance, names: list[str] | None = None, replicas: int = 1,
                   timeout: float = 90, workers: int | None = None) -> None:
    names = names or list(SERVICE_PROCESSES)
    count = counts(replicas, workers)
    wanted = {process_name(kind, k) for kind in names for k in replica_ids(count[kind])}
    if others := [n for kind in names for n in service_processes(inst, kind)
                  if n not in wanted and running_pid(inst, n)]:
        raise SystemExit(f"[stack] {', '.join(others)} already run with another count "
                         "(their ports and names would collide); `make down` first")
    reserve_ports(inst, replica_listening_ports(inst, replicas))
    for kind in names:
        for replica in replica_ids(count[kind]):
            spawn_service(inst, kind, replica)
    for kind in names:
        for replica in replica_ids(count[kind]):
            wait_service_ready(inst, kind, replica, timeout)


def _serving(inst: Instance, service: str, replica: int | None = None) -> bool:
    from community_common.healthcheck import serving

    name = process_name(service, replica)
    if not running_pid(inst, name):
        raise SystemExit(f"[stack] {name} exited; see {inst.dir / 'logs' / (name + '.log')}")
    return serving(grpc_port(inst, service, replica), timeout=1)


def _working(inst: Instance, worker: str, replica: int | None = None) -> bool:
    name = process_name(worker, replica)
    if not running_pid(inst, name):
        raise SystemExit(f"[stack] {name} exited; see {inst.dir / 'logs' / (name + '.log')}")
    [(_, _, _, partitions)] = consumer_groups(inst, [WORKER_GROUPS[worker]])
    return partitions > 0


def service_processes(inst: Instance, only: str | None = None) -> list[str]:
    """The service processes (of kind `only`, else all) with a PID file, unnamed or
    replicas, in start order."""
    pids = inst.dir / "pids"
    names = {p.stem for p in pids.glob("*.pid")} if pids.exists() else set()
    found = []
    for kind in [only] if only else SERVICE_PROCESSES:
        replicas = sorted(int(n[len(kind) + 1:]) for n in names
                          if n.startswith(kind + "-") and n[len(kind) + 1:].isdigit())
        found += [kind] * (kind in names) + [process_name(kind, k) for k in replicas]
    return found


def stop_services(inst: Instance) -> None:
    # Every replica `up` started, whatever --replicas the stop is called with.
    for name in reversed(service_processes(inst)):
        stop(inst, name)


# ---------------------------------------------------------------------------- commands

def infra_up(inst: Instance) -> None:
    build()
    reserve_ports(inst)
    start_postgres(inst)
    start_ferretdb(inst)
    start_kafka(inst)
    create_topics(inst)


def up(inst: Instance, replicas: int = 1, workers: int | None = None) -> None:
    started = time.monotonic()
    infra_up(inst)
    start_services(inst, replicas=replicas, workers=workers)
    print_endpoints(inst, replicas)
    log(f"up in {time.monotonic() - started:.1f}s")


def down(inst: Instance) -> None:
    stop_services(inst)
    stop(inst, "kafka")
    stop(inst, "ferretdb")
    stop_postgres(inst)


def print_endpoints(inst: Instance, replicas: int = 1) -> None:
    from community_contracts import services

    def ports(service: str) -> str:
        return ",".join(f"127.0.0.1:{grpc_port(inst, service, k)}" for k in replica_ids(replicas))

    print(f"\nKafka      {inst.kafka_bootstrap}")
    print(f"MongoDB    {inst.mongo_uri}  (FerretDB)")
    print(f"PostgreSQL {inst.postgresql_url.split('?')[0]}  (FerretDB's storage)")
    for svc in services.ALL:
        print(f"{svc.short_name:<10} {ports(svc.short_name)}  {svc.full_name}")
    print(f"dashboard  {inst.dashboard_url}  (insights, for a community's moderators and above)")
    print_workers(inst)
    if replicas > 1:
        print(f"\n{replicas} replicas of each service; a client "
              "can spread its calls over a service's replicas with gRPC's round_robin, e.g. "
              f"target ipv4:{ports('membership')}")
    secret_hint = ("from your environment" if os.environ.get("COMMUNITY_AUTH_HS256_SECRET")
                   else f"in {inst.dir / 'auth-secret'}")
    print(f"\nJWT secret {secret_hint}. Mint a token and call a service:")
    print(f"  export COMMUNITY_AUTH_HS256_SECRET=$(cat {inst.dir / 'auth-secret'})"
          if not os.environ.get("COMMUNITY_AUTH_HS256_SECRET") else "")
    print("  TOKEN=$(uv run communityctl token --user alice)")
    print(f"  grpcurl -plaintext -H \"authorization: Bearer $TOKEN\" "
          f"127.0.0.1:{inst.grpc_ports['membership']} list\n")


def print_workers(inst: Instance) -> None:
    """The insights workers running (one group, sharing the partitions): PID, data
    directory and log of each."""
    names = [n for n in service_processes(inst, "insights-worker") if running_pid(inst, n)]
    print(f"insights workers in group {WORKER_GROUPS['insights-worker']}: {len(names)}")
    for name in names:
        print(f"  {name:<17} pid {running_pid(inst, name):<8} data {inst.dir / 'data' / name}"
              f"  log {inst.dir / 'logs' / (name + '.log')}")


def status(inst: Instance) -> None:
    # The processes with a PID file (a dead one shows as stopped), else the unnamed ones.
    for name in ["postgres", "ferretdb", "kafka",
                 *(service_processes(inst) or SERVICE_PROCESSES)]:
        pid = running_pid(inst, name)
        print(f"{name:<17} {'running pid ' + str(pid) if pid else 'stopped'}")
    if running_pid(inst, "kafka"):
        print()
        for group, state, members, partitions in consumer_groups(inst):
            print(f"group {group:<34} {state:<12} {members} member(s), "
                  f"{partitions} partitions owned")


def consumer_groups(inst: Instance,
                    ids: list[str] | None = None) -> list[tuple[str, str, int, int]]:
    """Consumer groups on the broker (`ids`, else every one): state, members, and the
    partitions their members own."""
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=inst.kafka_bootstrap, request_timeout_ms=5000)
    try:
        ids = ids or sorted(g["group_id"] for g in admin.list_groups())
        described = admin.describe_groups(ids) if ids else {}
    finally:
        admin.close()
    rows = []
    for group in ids:
        members = described[group].get("members") or []
        owned = sum(len(t["partitions"]) for m in members
                    for t in (m.get("member_assignment") or {}).get("assigned_partitions", []))
        rows.append((group, described[group]["group_state"], len(members), owned))
    return rows


def env_lines(inst: Instance) -> None:
    print(f"export KAFKA_BOOTSTRAP_SERVERS={inst.kafka_bootstrap}")
    print(f"export MONGODB_URI={inst.mongo_uri}")
    print(f"export COMMUNITY_AUTH_HS256_SECRET={auth_secret(inst)}")
    print(f"export FERRETDB_BIN={FERRETDB_BIN}")
    print(f"export FERRETDB_POSTGRESQL_URL='{inst.postgresql_url}'")
    print(f"export COMMUNITY_STACK_INSTANCE={inst.name}")
    print(f"export COMMUNITY_GRPC_PORTS='{json.dumps(inst.grpc_ports)}'")
    print(f"export COMMUNITY_DASHBOARD_URL={inst.dashboard_url}")


REBUILDABLE = ("membership", "feed", "moderation", "insights")


def rebuild(inst: Instance, service: str | None) -> None:
    """`make rebuild SERVICE=...`: the service's own rebuild command against this instance's
    servers, while the services keep running; its progress and rate print as it goes."""
    if service not in REBUILDABLE:
        raise SystemExit(f"usage: make rebuild SERVICE=<{'|'.join(REBUILDABLE)}>")
    env = {**os.environ, **service_env(inst, service)}
    done = subprocess.run([sys.executable, "-m", f"{service}.rebuild"], env=env, cwd=ROOT)
    raise SystemExit(done.returncode)


def main() -> None:
    commands = {
        "build": lambda i: build(),
        "up": lambda i: up(i, args.replicas, args.insights_workers),
        "down": down, "status": status, "env": env_lines,
        "infra-up": infra_up, "topics": create_topics,
        "services-up": lambda i: start_services(i, replicas=args.replicas,
                                                workers=args.insights_workers),
        "services-down": stop_services,
        "clean": lambda i: (down(i), shutil.rmtree(i.dir, ignore_errors=True),
                            log(f"wiped {i.dir}")),
    }
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=[*commands, "rebuild"])
    parser.add_argument("--instance", choices=INSTANCES, default="dev")
    parser.add_argument("service", nargs="?", help="rebuild: the service")
    parser.add_argument("--replicas", type=int, default=1,
                        help="up/services-up: processes of every service and insights workers")
    parser.add_argument("--insights-workers", type=int, default=None,
                        help="up/services-up: insights workers (default: --replicas)")
    args = parser.parse_args()
    if args.insights_workers is not None and args.insights_workers < 1:
        parser.error("--insights-workers must be at least 1")
    if args.command == "rebuild":
        rebuild(INSTANCES[args.instance], args.service)
    commands[args.command](INSTANCES[args.instance])


if __name__ == "__main__":
    main()
