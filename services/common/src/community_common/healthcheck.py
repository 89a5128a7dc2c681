"""`python -m community_common.healthcheck [PORT]`: exits 0 when the gRPC server on
127.0.0.1:PORT (default GRPC_PORT) reports SERVING for its overall health — the container
healthcheck of every service image (no grpc_health_probe binary to download)."""

from __future__ import annotations

import os
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def serving(port: int, timeout: float = 2.0) -> bool:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout
            )
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ["GRPC_PORT"])
    sys.exit(0 if serving(port) else 1)


if __name__ == "__main__":
    main()
