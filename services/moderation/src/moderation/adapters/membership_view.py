"""What moderation knows of communities and roles, projected from membership's events.

Collections (one writer: the membership consumer owning the community's partition):
- `communities` `_id = community_id`: {public, archived, staff: [{user, role}]}, `staff`
  being its moderators, admins and owner, so one `_id` get tells a command whether the
  community takes moderation and how its caller and target rank (anyone else ranks below
  every moderator). A community projected before `staff` was kept has none, and every role
  is then looked up in `members`.
- `members`     `_id = "<community_id>:<user_id>"`: {role} (ROLE_UNSPECIFIED once gone), for
  what only a member's exact role answers (reading a private community, why a refusal).
Each document keeps the last applied ce_sequence of the community's stream beside its state
(`community_common.projection`), so a redelivered event changes nothing. An event that leaves
the staff as they are does not write the community's document: re-applied later, it finds
them as it left them, or a later event's sequence, and changes nothing either.
"""

from __future__ import annotations

from typing import Any

from community.membership.v1 import events_pb2 as membership
from community.membership.v1 import types_pb2 as membership_types
from community_common.envelope import EventEnvelope
from community_common.projection import already_applied, applied_marker
from google.protobuf.message import Message
from pymongo.asynchronous.database import AsyncDatabase

from moderation.domain.standing import STAFF_ROLES, Community, Standing

COMMUNITIES = "communities"
MEMBERS = "members"
STAFF = "staff"

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


def _roles_set_by(message: Message) -> dict[str, int]:
    """The roles a membership event gives (ROLE_UNSPECIFIED: no longer a member)."""
    if isinstance(message, membership.CommunityCreated):
        return {message.owner_id: membership_types.ROLE_OWNER}
    if isinstance(message, membership.MemberJoined):
        return {message.user_id: message.role or membership_types.ROLE_MEMBER}
    if isinstance(message, membership.MemberLeft | membership.MemberRemoved):
        return {message.user_id: membership_types.ROLE_UNSPECIFIED}
    if isinstance(message, membership.MemberRoleChanged):
        return {message.user_id: message.new_role}
    if isinstance(message, membership.OwnershipTransferred):
        return {
            message.new_owner_id: membership_types.ROLE_OWNER,
            message.previous_owner_id: membership_types.ROLE_ADMIN,
        }
    return {}


def _staff_entries(roles: dict[str, int]) -> list[dict[str, Any]]:
    # Documents, not a dict keyed by user: user ids may hold characters BSON keys may not.
    return [{"user": user, "role": role} for user, role in roles.items() if role in STAFF_ROLES]


class MembershipView:
    def __init__(self, database: AsyncDatabase[Any]) -> None:
        self.communities = database[COMMUNITIES]
        self.members = database[MEMBERS]

    # --- reading (handlers) ----------------------------------------------------------------

    async def community(self, community_id: str) -> Community | None:
        found = await self.communities.find_one({"_id": community_id})
        if found is None:
            return None
        staff = found.get(STAFF)
        return Community(
            community_id,
            public=found["public"],
            archived=found["archived"],
            staff=None if staff is None else {entry["user"]: entry["role"] for entry in staff},
        )

    async def standing(self, community_id: str, user_id: str, platform_admin: bool) -> Standing:
        found = await self.members.find_one({"_id": member_id(community_id, user_id)})
        role = found["role"] if found else membership_types.ROLE_UNSPECIFIED
        return Standing(user_id, role=role, platform_admin=platform_admin)

    # --- writing (the membership consumer) -------------------------------------------------

    async def apply(self, event: EventEnvelope, message: Message) -> None:
        roles = _roles_set_by(message)
        for user_id, role in roles.items():
            await self._set_role(event, user_id, role)
        if isinstance(message, membership.CommunityCreated):
            await self._set_community(
                event,
                public=message.visibility != membership_types.VISIBILITY_PRIVATE,
                archived=False,
                staff=_staff_entries(roles),
            )
        elif isinstance(message, membership.CommunityUpdated):
            await self._set_community(
                event, public=message.visibility != membership_types.VISIBILITY_PRIVATE
            )
        elif isinstance(message, membership.CommunityArchived):
            await self._set_community(event, archived=True)
        elif roles:
            await self._set_staff(event, roles)

    async def _set_community(self, event: EventEnvelope, **fields: Any) -> None:
        found = await self.communities.find_one({"_id": event.community_id})
        if already_applied(found, event):
            return
        await self.communities.update_one(
            {"_id": event.community_id},
            {"$set": {**fields, **applied_marker(event)}},
            upsert=True,
        )

    async def _set_staff(self, event: EventEnvelope, roles: dict[str, int]) -> None:
        found = await self.communities.find_one({"_id": event.community_id})
        if found is None or STAFF not in found or already_applied(found, event):
            return
        before = {entry["user"]: entry["role"] for entry in found[STAFF]}
        staff = {user: role for user, role in before.items() if user not in roles}
        staff.update({user: role for user, role in roles.items() if role in STAFF_ROLES})
        if staff == before:
            return
        await self.communities.update_one(
            {"_id": event.community_id},
            {"$set": {STAFF: _staff_entries(staff), **applied_marker(event)}},
        )

    async def _set_role(self, event: EventEnvelope, user_id: str, role: int) -> None:
        document_id = member_id(event.community_id, user_id)
        found = await self.members.find_one({"_id": document_id})
        if already_applied(found, event):
            return
        await self.members.update_one(
            {"_id": document_id}, {"$set": {"role": role, **applied_marker(event)}}, upsert=True
        )
