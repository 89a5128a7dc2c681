"""A service run as its own OS process, for tests that kill it (failpoints, crash drills)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServiceProcess:
    """`python -m <module>` on a free gRPC port, its output appended to `log`; `stub` is the
    service's client stub on a channel to it."""

    def __init__(
        self, module: str, stub: Callable[[grpc.Channel], Any], env: dict[str, str], log: Path
    ) -> None:
        self.module = module
        self.log = log
        port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", module],
            env=env | {"GRPC_PORT": str(port)},
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = stub(self.channel)

    def wait_serving(self, deadline_s: float = 60) -> None:
        health = health_pb2_grpc.HealthStub(self.channel)
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the {self.module} process exited"
            try:
                status = health.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                if status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the {self.module} process never became SERVING")

    def killed_by(self, call: Callable[[], object]) -> None:
        """`call` reaches a failpoint: its client sees UNAVAILABLE and the process dies of
        SIGKILL, mid-call."""
        try:
            call()
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.UNAVAILABLE, self.log.read_text()[-3000:]
        else:
            raise AssertionError(f"the call returned: {self.module}'s failpoint did not fire")
        assert self.process.wait(timeout=10) == -9

    def stop(self) -> None:
        self.channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
