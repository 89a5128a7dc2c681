"""Wires the feed service process: settings, logging, gRPC host and background workers.

The one place that decides which adapters the handlers get; grows as the service's issues land.
Until then the generated servicer base class answers every RPC with UNIMPLEMENTED, and
reflection already shows the whole contract.
"""

from __future__ import annotations

from community.feed.v1 import feed_service_pb2, feed_service_pb2_grpc
from community_common.config import Settings
from community_common.logging import configure_logging
from community_common.server import ServiceHost
from grpc import aio

SERVICE_NAME = "feed"
_API = feed_service_pb2.DESCRIPTOR.services_by_name["FeedService"]
SERVICE_FULL_NAME = _API.full_name
DEFAULT_PORT = 50052


def register_api(server: aio.Server) -> None:
    feed_service_pb2_grpc.add_FeedServiceServicer_to_server(
        feed_service_pb2_grpc.FeedServiceServicer(), server
    )


def build(settings: Settings | None = None) -> ServiceHost:
    settings = settings or Settings.from_env(SERVICE_NAME, DEFAULT_PORT)
    configure_logging(SERVICE_NAME, settings.log_level)
    return ServiceHost(
        settings=settings, service_full_name=SERVICE_FULL_NAME, register=[register_api]
    )
