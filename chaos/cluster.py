"""The servers a chaos run owns: started, signalled and restarted by PID through stack.py.

Everything here acts on one stack.py instance (`chaos`, or `chaos-short` for the short run in
`make test`), never on `dev` or `test`.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy" / "local"))
import stack

SERVICES = ("membership", "feed", "moderation", "insights")
WORKER = "insights-worker"


@dataclass
class Cluster:
    inst: stack.Instance
    replicas: int = 2

    @classmethod
    def named(cls, name: str, replicas: int = 2) -> Cluster:
        return cls(stack.INSTANCES[name], replicas)

    # --- whole stack ---------------------------------------------------------------------

    def start(self) -> None:
        """A fresh stack: old data wiped, so the topics hold only this run's records."""
        stack.down(self.inst)
        import shutil

        shutil.rmtree(self.inst.dir, ignore_errors=True)
        stack.infra_up(self.inst)
        # Two members of every group join at once: on a busy machine their first rebalance
        # alone has taken ~90 s, stack.py's usual start wait.
        stack.start_services(self.inst, replicas=self.replicas, timeout=300)

    def stop(self) -> None:
        stack.down(self.inst)

    @property
    def secret(self) -> str:
        return stack.auth_secret(self.inst)

    def addresses(self, service: str) -> list[str]:
        return [f"127.0.0.1:{stack.grpc_port(self.inst, service, k)}"
                for k in stack.replica_ids(self.replicas)]

    def replicas_of(self, kind: str) -> list[int | None]:
        return stack.replica_ids(self.replicas)

    # --- processes -----------------------------------------------------------------------

    def pid(self, name: str) -> int | None:
        return stack.running_pid(self.inst, name)

    def signal(self, name: str, sig: signal.Signals, group: bool = False) -> int:
        pid = self.pid(name)
        if pid is None:
            raise RuntimeError(f"{name} is not running")
        if group:  # a server with children (PostgreSQL's backends) dies whole
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
        return pid

    def kill(self, name: str, group: bool = False) -> None:
        pid = self.signal(name, signal.SIGKILL, group)
        deadline = time.monotonic() + 10
        while stack._alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        stack._pid_file(self.inst, name).unlink(missing_ok=True)

    def terminate(self, name: str) -> None:
        stack.stop(self.inst, name)

    def start_service(self, kind: str, replica: int | None, wait: bool = True) -> None:
        stack.spawn_service(self.inst, kind, replica)
        if wait:
            stack.wait_service_ready(self.inst, kind, replica)

    def start_kafka(self) -> None:
        """After a SIGKILL the broker recovers every partition's log before it listens: on a
        busy 2-core machine that alone took ~2.5 min, past stack.py's 90 s start wait."""
        try:
            stack.start_kafka(self.inst)
        except SystemExit:
            if not self.pid("kafka"):
                raise
            stack.wait_for("kafka (recovering its logs)", lambda: stack._kafka_ready(self.inst),
                           240)

    def start_ferretdb(self) -> None:
        stack.start_ferretdb(self.inst)

    def start_postgres(self) -> None:
        # The killed postmaster's shared memory goes with its last backend; until then a
        # new one refuses to start, so the start is retried until it stays up.
        deadline = time.monotonic() + 60
        while True:
            stack.spawn(self.inst, "postgres", self._postgres_argv(), user=stack._server_user())
            try:
                stack.wait_for("postgres", lambda: self._postgres_up(), 10)
                return
            except SystemExit:
                if time.monotonic() > deadline:
                    raise

    def _postgres_argv(self) -> list[str]:
        return [str(stack.PG_BIN / "postgres"), "-D", str(self.inst.pg_data),
                "-c", "listen_addresses=127.0.0.1", "-c", f"port={self.inst.pg_port}",
                "-c", "unix_socket_directories=",
                "-c", f"max_connections={stack.PG_MAX_CONNECTIONS}",
                "-c", "plan_cache_mode=force_custom_plan"]

    def _postgres_up(self) -> bool:
        if not self.pid("postgres"):
            raise SystemExit("postgres exited")
        return stack._postgres_ready(self.inst)

    def health(self, kind: str, replica: int | None) -> str | None:
        """The replica's overall health status name, or None while it does not answer."""
        import grpc
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        port = stack.grpc_port(self.inst, kind, replica)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            try:
                reply = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service=""), timeout=1)
            except grpc.RpcError:
                return None
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

    def log_path(self, name: str) -> Path:
        return self.inst.dir / "logs" / f"{name}.log"

    # --- who holds the relay lease -------------------------------------------------------

    def mongo(self) -> Any:
        from pymongo import MongoClient

        return MongoClient(self.inst.mongo_uri, serverSelectionTimeoutMS=5000)

    def relay_lease_holder(self, service: str) -> str:
        """The replica (process name) holding `service`'s relay lease now, from the lease
        document: its holder names the replica (`<service>-<k>`) or carries its PID
        (`host:pid:…`)."""
        client = self.mongo()
        try:
            leases = client[service]["leases"]
            newest = max(leases.find({"_id": {"$regex": "^relay:"}}),
                         key=lambda d: int(d["_id"].split(":")[1]), default=None)
        finally:
            client.close()
        if newest is None:
            raise RuntimeError(f"no relay lease in {service}'s database")
        holder = str(newest["holder"])
        if m := re.fullmatch(rf"{service}-(\d+)", holder):
            return stack.process_name(service, int(m.group(1)))
        for replica in stack.replica_ids(self.replicas):
            name = stack.process_name(service, replica)
            if (pid := self.pid(name)) and f":{pid}:" in f":{holder}:":
                return name
        raise RuntimeError(f"relay lease holder {holder!r} is none of {service}'s replicas")
