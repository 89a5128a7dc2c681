"""The membership use cases: every command and query of the API, one family per module
(communities, joining, invitations, members, groups, projector) on the shared pipeline
(`membership.application.pipeline`)."""

from __future__ import annotations

from membership.application.communities import Communities
from membership.application.groups import Groups
from membership.application.invitations import Invitations
from membership.application.joining import Joining
from membership.application.members import Members
from membership.application.projector import Projector


class MembershipService(Communities, Joining, Invitations, Members, Groups, Projector):
    """What the gRPC API, the consumers and the invitation timer call."""
