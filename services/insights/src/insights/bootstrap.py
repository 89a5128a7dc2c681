"""Wires the insights API process: settings, logging, the MongoDB serving view, the gRPC
host and the web dashboard beside it. The Faust worker that fills the view is its own process
(`python -m insights.worker`).
"""

from __future__ import annotations

from dataclasses import dataclass

from community.insights.v1 import insights_service_pb2_grpc
from community_common.config import Settings
from community_common.logging import configure_logging
from community_common.mongo import async_client
from community_common.rebuild import RebuildWatch
from community_common.server import ServiceHost
from community_contracts import services, topics
from grpc import aio

from insights.adapters.mongo_view import MongoServingView
from insights.api import InsightsService
from insights.application.get_insights import InsightsQueries
from insights.dashboard.server import DashboardServer
from insights.settings import DashboardSettings

SERVICE = services.INSIGHTS


@dataclass
class InsightsHost(ServiceHost):
    """The gRPC host, and the dashboard's HTTP server on the same loop: started before the
    gRPC server (a port it cannot bind stops the process before anything else runs) and
    stopped first, so neither answers while the other has gone."""

    dashboard: DashboardServer | None = None

    async def start(self) -> int:
        if self.dashboard is not None:
            await self.dashboard.start()
        return await super().start()

    async def stop(self) -> None:
        if self.dashboard is not None:
            await self.dashboard.stop()
        await super().stop()


def build(
    settings: Settings | None = None, dashboard: DashboardSettings | None = None
) -> InsightsHost:
    settings = settings or Settings.from_env(SERVICE.short_name, SERVICE.default_port)
    dashboard = dashboard or DashboardSettings.from_env()
    configure_logging(SERVICE.short_name, settings.log_level)
    mongo = async_client(settings.mongodb_uri)
    view = MongoServingView(mongo[settings.mongodb_database])
    # Whether `python -m insights.rebuild` is rebuilding the view: reads wait for it.
    rebuilds = RebuildWatch(mongo[settings.mongodb_database], SERVICE.short_name)
    service = InsightsService(InsightsQueries(view, settled=rebuilds.settled))

    def register_api(server: aio.Server) -> None:
        insights_service_pb2_grpc.add_InsightsServiceServicer_to_server(service, server)

    return InsightsHost(
        settings=settings,
        service_full_name=SERVICE.full_name,
        register=[register_api],
        mongo=mongo,
        tasks=[rebuilds.watch],
        topics=[SERVICE.topic, *(topics.dlq(topic) for topic in SERVICE.consumes)],
        dashboard=(
            DashboardServer(service, settings.auth_secret, dashboard.http_port)
            if dashboard.http_port is not None else None
        ),
    )
