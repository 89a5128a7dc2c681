"""What moderation knows of communities and roles, projected from membership's events.

Collections (one writer: the membership consumer owning the community's partition):
- `communities` `_id = community_id`: {public, archived}
- `members`     `_id = "<community_id>:<user_id>"`: {role} (ROLE_UNSPECIFIED once gone)
Each document keeps the last applied ce_sequence of the community's stream beside its state
(`community_common.projection`), so a redelivered event changes nothing.
"""

from __future__ import annotations

from typing import Any

from community.membership.v1 import events_pb2 as membership
from community.membership.v1 import types_pb2 as membership_types
from community_common.envelope import EventEnvelope
from community_common.projection import already_applied, applied_marker
from google.protobuf.message import Message
from pymongo.asynchronous.database import AsyncDatabase

from moderation.domain.standing import Community, Standing

COMMUNITIES = "communities"
MEMBERS = "members"

HANDLED = frozenset(
    cls.DESCRIPTOR.full_name
    for cls in (
        membership.CommunityCreated,
        membership.CommunityUpdated,
        membership.CommunityArchived,
        membership.MemberJoined,
        membership.MemberLeft,
        membership.MemberRemoved,
        membership.MemberRoleChanged,
        membership.OwnershipTransferred,
    )
)


def member_id(community_id: str, user_id: str) -> str:
    return f"{community_id}:{user_id}"


class MembershipView:
    def __init__(self, database: AsyncDatabase[Any]) -> None:
        self.communities = database[COMMUNITIES]
        self.members = database[MEMBERS]

    # --- reading (handlers) ----------------------------------------------------------------

    async def community(self, community_id: str) -> Community | None:
        found = await self.communities.find_one({"_id": community_id})
        if found is None:
            return None
        return Community(community_id, public=found["public"], archived=found["archived"])

    async def standing(self, community_id: str, user_id: str, platform_admin: bool) -> Standing:
        found = await self.members.find_one({"_id": member_id(community_id, user_id)})
        role = found["role"] if found else membership_types.ROLE_UNSPECIFIED
        return Standing(user_id, role=role, platform_admin=platform_admin)

    # --- writing (the membership consumer) -------------------------------------------------

    async def apply(self, event: EventEnvelope, message: Message) -> None:
        if isinstance(message, membership.CommunityCreated):
            await self._set_community(
                event,
                public=message.visibility != membership_types.VISIBILITY_PRIVATE,
                archived=False,
            )
            await self._set_role(event, message.owner_id, membership_types.ROLE_OWNER)
        elif isinstance(message, membership.CommunityUpdated):
            await self._set_community(
                event, public=message.visibility != membership_types.VISIBILITY_PRIVATE
            )
        elif isinstance(message, membership.CommunityArchived):
            await self._set_community(event, archived=True)
        elif isinstance(message, membership.MemberJoined):
            await self._set_role(
                event, message.user_id, message.role or membership_types.ROLE_MEMBER
            )
        elif isinstance(message, membership.MemberLeft | membership.MemberRemoved):
            await self._set_role(event, message.user_id, membership_types.ROLE_UNSPECIFIED)
        elif isinstance(message, membership.MemberRoleChanged):
            await self._set_role(event, message.user_id, message.new_role)
        elif isinstance(message, membership.OwnershipTransferred):
            await self._set_role(event, message.new_owner_id, membership_types.ROLE_OWNER)
            await self._set_role(event, message.previous_owner_id, membership_types.ROLE_ADMIN)

    async def _set_community(self, event: EventEnvelope, **fields: bool) -> None:
        found = await self.communities.find_one({"_id": event.community_id})
        if already_applied(found, event):
            return
        await self.communities.update_one(
            {"_id": event.community_id},
            {"$set": {**fields, **applied_marker(event)}},
            upsert=True,
        )

    async def _set_role(self, event: EventEnvelope, user_id: str, role: int) -> None:
        document_id = member_id(event.community_id, user_id)
        found = await self.members.find_one({"_id": document_id})
        if already_applied(found, event):
            return
        await self.members.update_one(
            {"_id": document_id}, {"$set": {"role": role, **applied_marker(event)}}, upsert=True
        )
