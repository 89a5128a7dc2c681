"""The four services (SPEC §2): gRPC names, default ports, event source and topics.

Full gRPC names come from the generated descriptors, so they cannot drift from the protos.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.descriptor import FileDescriptor, ServiceDescriptor

from community.feed.v1 import feed_service_pb2
from community.insights.v1 import insights_service_pb2
from community.membership.v1 import membership_service_pb2
from community.moderation.v1 import moderation_service_pb2
from community_contracts import topics


@dataclass(frozen=True)
class Service:
    # "membership", "feed", "moderation" or "insights".
    short_name: str
    # The gRPC service's descriptor.
    descriptor: ServiceDescriptor
    # Port it listens on unless configured otherwise.
    default_port: int
    # The topic it publishes to.
    topic: str
    # The topics it consumes.
    consumes: tuple[str, ...]

    @property
    def full_name(self) -> str:
        """e.g. "community.membership.v1.MembershipService" (also its health-check name)."""
        return self.descriptor.full_name

    @property
    def package(self) -> str:
        """The protobuf package of its API and events, e.g. "community.membership.v1"."""
        return self.descriptor.file.package

    @property
    def source(self) -> str:
        """The `ce_source` of everything it publishes, e.g. "/services/membership"."""
        return f"/services/{self.short_name}"


def _service(file: FileDescriptor) -> ServiceDescriptor:
    (service,) = file.services_by_name.values()
    return service


MEMBERSHIP = Service(
    "membership",
    _service(membership_service_pb2.DESCRIPTOR),
    default_port=50051,
    topic=topics.MEMBERSHIP_EVENTS,
    consumes=(topics.MODERATION_EVENTS,),
)
FEED = Service(
    "feed",
    _service(feed_service_pb2.DESCRIPTOR),
    default_port=50052,
    topic=topics.FEED_EVENTS,
    consumes=(topics.MEMBERSHIP_EVENTS, topics.MODERATION_EVENTS),
)
MODERATION = Service(
    "moderation",
    _service(moderation_service_pb2.DESCRIPTOR),
    default_port=50053,
    topic=topics.MODERATION_EVENTS,
    consumes=(topics.MEMBERSHIP_EVENTS, topics.FEED_EVENTS),
)
INSIGHTS = Service(
    "insights",
    _service(insights_service_pb2.DESCRIPTOR),
    default_port=50054,
    topic=topics.INSIGHTS_SNAPSHOTS,
    consumes=(topics.MEMBERSHIP_EVENTS, topics.FEED_EVENTS, topics.MODERATION_EVENTS),
)

ALL: tuple[Service, ...] = (MEMBERSHIP, FEED, MODERATION, INSIGHTS)


def by_short_name(short_name: str) -> Service:
    for service in ALL:
        if service.short_name == short_name:
            return service
    raise KeyError(f"no service named {short_name!r}")


def by_package(package: str) -> Service:
    """The service that owns a protobuf package, e.g. "community.feed.v1"."""
    for service in ALL:
        if service.package == package:
            return service
    raise KeyError(f"no service owns package {package!r}")
