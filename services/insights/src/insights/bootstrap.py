"""Wires the insights API process: settings, logging, the MongoDB serving view and the gRPC
host. The Faust worker that fills the view is its own process (`python -m insights.worker`).
"""

from __future__ import annotations

from community.insights.v1 import insights_service_pb2_grpc
from community_common.config import Settings
from community_common.logging import configure_logging
from community_common.mongo import async_client
from community_common.server import ServiceHost
from community_contracts import services, topics
from grpc import aio

from insights.adapters.mongo_view import MongoServingView
from insights.api import InsightsService
from insights.application.get_insights import InsightsQueries

SERVICE = services.INSIGHTS


def build(settings: Settings | None = None) -> ServiceHost:
    settings = settings or Settings.from_env(SERVICE.short_name, SERVICE.default_port)
    configure_logging(SERVICE.short_name, settings.log_level)
    mongo = async_client(settings.mongodb_uri)
    view = MongoServingView(mongo[settings.mongodb_database])
    service = InsightsService(InsightsQueries(view))

    def register_api(server: aio.Server) -> None:
        insights_service_pb2_grpc.add_InsightsServiceServicer_to_server(service, server)

    return ServiceHost(
        settings=settings,
        service_full_name=SERVICE.full_name,
        register=[register_api],
        mongo=mongo,
        topics=[SERVICE.topic, *(topics.dlq(topic) for topic in SERVICE.consumes)],
    )
