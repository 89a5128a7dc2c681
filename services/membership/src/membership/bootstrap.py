"""Wires the membership service process: settings, logging, gRPC host and background workers.

The one place that decides which adapters the handlers get; grows as the service's issues land.
"""

from __future__ import annotations

from community_common.config import Settings
from community_common.logging import configure_logging
from community_common.server import ServiceHost

SERVICE_NAME = "membership"
SERVICE_FULL_NAME = "community.membership.v1.MembershipService"
DEFAULT_PORT = 50051


def build(settings: Settings | None = None) -> ServiceHost:
    settings = settings or Settings.from_env(SERVICE_NAME, DEFAULT_PORT)
    configure_logging(SERVICE_NAME, settings.log_level)
    return ServiceHost(settings=settings, service_full_name=SERVICE_FULL_NAME)
