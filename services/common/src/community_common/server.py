"""The asyncio gRPC server every service runs: interceptors, health, reflection, workers, drain.

`ServiceHost` owns the process lifecycle: it starts the service's background workers
(threads: relay, consumers), serves gRPC with the request-context, auth, error-mapping and
request-decoding interceptors, reports health NOT_SERVING until its readiness checks pass
(Kafka reachable, MongoDB reachable, every worker able to work: a consumer holds its
partitions and its loop moves) and keeps re-checking, and on SIGTERM/SIGINT turns health to
NOT_SERVING, drains in-flight calls (`server.stop(grace)`) and stops the workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import grpc
from grpc import aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from kafka.admin import KafkaAdminClient
from pymongo import AsyncMongoClient

from community_common.auth import AuthInterceptor
from community_common.config import Settings
from community_common.interceptors import (
    ErrorMappingInterceptor,
    RequestContextInterceptor,
    RequestDecodingInterceptor,
)
from community_common.kafka_clients import RECONNECT_BACKOFF_MAX_MS, ensure_topics
from community_common.mongo import async_client

log = logging.getLogger("community_common.server")

HEALTH_SERVICE_NAME = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name


class BackgroundWorker(Protocol):
    """A thread-backed worker the service runs beside its gRPC server (relay, consumer)."""

    name: str

    def start(self) -> None: ...

    def stop(self, timeout: float = ...) -> None: ...

    def unready_reason(self) -> str | None:
        """Why the worker cannot do its work right now (None when it can)."""
        ...


# A readiness check answers None when ready, else a short reason it is not.
ReadinessCheck = Callable[[], Awaitable[str | None]]


def mongo_reachable(client: AsyncMongoClient[Any]) -> ReadinessCheck:
    async def check() -> str | None:
        try:
            await client.admin.command("ping")
        except Exception as error:
            return f"mongodb unreachable: {type(error).__name__}"
        return None

    return check


class KafkaProbe:
    """Asks the broker for cluster metadata; kafka-python blocks, so it runs in a thread."""

    def __init__(self, bootstrap_servers: str) -> None:
        self.bootstrap_servers = bootstrap_servers
        self._admin: KafkaAdminClient | None = None
        self._lock = threading.Lock()

    def _describe(self) -> None:
        with self._lock:
            try:
                if self._admin is None:
                    self._admin = KafkaAdminClient(
                        bootstrap_servers=self.bootstrap_servers,
                        client_id="readiness-probe",
                        request_timeout_ms=3000,
                        bootstrap_timeout_ms=3000,
                        reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
                    )
                self._admin.describe_cluster()
            except Exception:
                # Start from a clean connection next time rather than a half-broken one.
                self.close_locked()
                raise

    def close_locked(self) -> None:
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()
            self._admin = None

    def close(self) -> None:
        with self._lock:
            self.close_locked()

    async def __call__(self) -> str | None:
        try:
            await asyncio.to_thread(self._describe)
        except Exception as error:
            return f"kafka unreachable: {type(error).__name__}"
        return None


@dataclass
class ServiceHost:
    """One service process: gRPC API + background workers + health, as SPEC §9 asks."""

    settings: Settings
    # Full protobuf service name, e.g. "community.membership.v1.MembershipService".
    service_full_name: str
    # Callables that add servicers to the server (the generated add_*_to_server functions).
    register: Sequence[Callable[[aio.Server], None]] = ()
    workers: Sequence[BackgroundWorker] = ()
    # Checks beyond the built-in Kafka / MongoDB / workers-running ones.
    readiness: Sequence[ReadinessCheck] = ()
    # Index builders (idempotent, e.g. EventStore.ensure_indexes): run until they have all
    # succeeded once; NOT_SERVING until then, since rules rely on unique indexes.
    indexes: Sequence[Callable[[], Awaitable[None]]] = ()
    mongo: AsyncMongoClient[Any] | None = None
    # Topics the service writes to (its events, its consumers' dead-letter topics): created
    # when missing, and ready only once they exist.
    topics: Sequence[str] = ()
    # Coroutines that run as long as the process serves, on its loop (e.g. RebuildWatch.watch):
    # started with the server, cancelled when it stops.
    tasks: Sequence[Callable[[], Coroutine[Any, Any, None]]] = ()
    health_interval_s: float = 2.0
    grace_s: float = 10.0
    host: str = "[::]"

    port: int = field(init=False, default=0)
    health: health.aio.HealthServicer = field(init=False)
    _server: aio.Server | None = field(init=False, default=None)
    _health_task: asyncio.Task[None] | None = field(init=False, default=None)
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)
    _kafka_probe: KafkaProbe | None = field(init=False, default=None)
    _own_mongo: bool = field(init=False, default=False)
    _serving: bool | None = field(init=False, default=None)
    _topics_missing: bool = field(init=False, default=True)
    _indexes_built: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self._topics_missing = bool(self.topics)
        self._indexes_built = not self.indexes

    async def _build_indexes(self) -> str | None:
        try:
            for build in self.indexes:
                await build()
        except Exception as error:
            return f"indexes not built: {type(error).__name__}"
        self._indexes_built = True
        return None

    async def _create_topics(self) -> str | None:
        try:
            await asyncio.to_thread(
                ensure_topics,
                self.settings.kafka_bootstrap_servers,
                self.topics,
                self.settings.kafka_topic_partitions,
            )
        except Exception as error:
            return f"topics not created: {type(error).__name__}"
        self._topics_missing = False
        return None

    async def start(self) -> int:
        """Start workers and the server; returns the bound port (useful when GRPC_PORT=0)."""
        server = aio.server(
            interceptors=[
                RequestContextInterceptor(),
                AuthInterceptor(self.settings.auth_secret),
                ErrorMappingInterceptor(),
                # Last, so a body is decoded only after authentication (SPEC §3, §9).
                RequestDecodingInterceptor(),
            ]
        )
        self.health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        for add_to_server in self.register:
            add_to_server(server)
        reflection.enable_server_reflection(
            [self.service_full_name, HEALTH_SERVICE_NAME, reflection.SERVICE_NAME], server
        )
        for name in ("", self.service_full_name):
            await self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        if self.mongo is None:
            self.mongo = async_client(self.settings.mongodb_uri)
            self._own_mongo = True
        self._kafka_probe = KafkaProbe(self.settings.kafka_bootstrap_servers)

        self._tasks = [asyncio.create_task(task(), name=task.__qualname__) for task in self.tasks]
        for worker in self.workers:
            worker.start()
        self.port = server.add_insecure_port(f"{self.host}:{self.settings.grpc_port}")
        if self.port == 0:
            raise RuntimeError(f"cannot bind gRPC port {self.settings.grpc_port}")
        await server.start()
        self._server = server
        self._health_task = asyncio.create_task(self._watch_readiness(), name="readiness")
        log.info(
            "serving %s on port %d",
            self.service_full_name,
            self.port,
            extra={"fields": {"port": self.port}},
        )
        return self.port

    async def unready_reasons(self) -> list[str]:
        checks: list[ReadinessCheck] = [*self.readiness]
        if self._kafka_probe is not None:
            checks.append(self._kafka_probe)
        if self._topics_missing:
            checks.append(self._create_topics)
        if not self._indexes_built:
            checks.append(self._build_indexes)
        if self.mongo is not None:
            checks.append(mongo_reachable(self.mongo))
        results = await asyncio.gather(*(check() for check in checks))
        reasons = [reason for reason in results if reason]
        reasons += [reason for w in self.workers if (reason := w.unready_reason())]
        return reasons

    async def _watch_readiness(self) -> None:
        while True:
            try:
                reasons = await self.unready_reasons()
            except Exception as error:  # a broken check must not kill the watcher
                reasons = [f"readiness check failed: {error!r}"]
            serving = not reasons
            if serving != self._serving:
                status = (
                    health_pb2.HealthCheckResponse.SERVING
                    if serving
                    else health_pb2.HealthCheckResponse.NOT_SERVING
                )
                for name in ("", self.service_full_name):
                    await self.health.set(name, status)
                log.info(
                    "health %s",
                    "SERVING" if serving else "NOT_SERVING",
                    extra={"fields": {"unready": reasons}},
                )
                self._serving = serving
            # Look again soon while not ready, so the service turns SERVING promptly.
            await asyncio.sleep(self.health_interval_s if serving else 0.5)

    async def stop(self) -> None:
        """Stop taking new calls, drain in-flight ones, then stop the workers."""
        if self._health_task is not None:
            self._health_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._health_task
        if self._server is not None:
            await self.health.enter_graceful_shutdown()
            await self._server.stop(self.grace_s)
        # All at once: each may wait for its thread (a poll, a batch, leaving its group), and
        # one after another those waits added up past the grace period.
        await asyncio.gather(*(asyncio.to_thread(worker.stop) for worker in self.workers))
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._kafka_probe is not None:
            await asyncio.to_thread(self._kafka_probe.close)
        if self._own_mongo and self.mongo is not None:
            await self.mongo.close()
        log.info("stopped %s", self.service_full_name)

    async def run_until_signalled(self) -> None:
        """Serve until SIGTERM or SIGINT, then drain and stop."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        try:
            await stop.wait()
            log.info("signal received, draining")
        finally:
            await self.stop()


def serve_forever(host: ServiceHost) -> None:
    """Process entrypoint: run the host on a fresh event loop until signalled."""
    asyncio.run(host.run_until_signalled())


__all__ = [
    "HEALTH_SERVICE_NAME",
    "BackgroundWorker",
    "KafkaProbe",
    "ReadinessCheck",
    "ServiceHost",
    "grpc",
    "mongo_reachable",
    "serve_forever",
]
