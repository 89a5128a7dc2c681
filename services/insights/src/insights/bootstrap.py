"""Wires the insights service process: settings, logging, gRPC host and background workers.

The one place that decides which adapters the handlers get; grows as the service's issues land.
Until then the generated servicer base class answers every RPC with UNIMPLEMENTED, and
reflection already shows the whole contract.
"""

from __future__ import annotations

from community.insights.v1 import insights_service_pb2_grpc
from community_common.config import Settings
from community_common.logging import configure_logging
from community_common.server import ServiceHost
from community_contracts import services, topics
from grpc import aio

SERVICE = services.INSIGHTS


def register_api(server: aio.Server) -> None:
    insights_service_pb2_grpc.add_InsightsServiceServicer_to_server(
        insights_service_pb2_grpc.InsightsServiceServicer(), server
    )


def build(settings: Settings | None = None) -> ServiceHost:
    settings = settings or Settings.from_env(SERVICE.short_name, SERVICE.default_port)
    configure_logging(SERVICE.short_name, settings.log_level)
    return ServiceHost(
        settings=settings,
        service_full_name=SERVICE.full_name,
        register=[register_api],
        topics=[SERVICE.topic, *(topics.dlq(topic) for topic in SERVICE.consumes)],
    )
