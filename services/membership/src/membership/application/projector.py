"""What arrives from events: moderation's bans applied, the read models projected (their
rebuild from the event store is membership.rebuild)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from community.moderation.v1 import types_pb2 as moderation_types
from community_common.envelope import EventEnvelope
from community_common.event_store import Provenance
from google.protobuf.message import Message

from membership.application import projection
from membership.application.pipeline import UseCases
from membership.domain.community import Community


class Projector(UseCases):
    async def apply_moderation_event(self, event: EventEnvelope, message: Message) -> None:
        """Bans remove and bar the member; restrictions bar inviting and creating. Each is
        stored with its moderation sequence, so a re-delivery changes nothing twice."""
        kind = message.DESCRIPTOR.name
        m: Any = message
        expires_at = (
            m.expires_at.ToDatetime(tzinfo=UTC)
            if kind in ("MemberBanned", "UserRestricted") and m.HasField("expires_at")
            else None
        )
        if kind in ("MemberBanned", "MemberUnbanned"):
            banned = kind == "MemberBanned"
            await self.sanctions.record_ban(
                m.community_id, m.user_id, banned, expires_at, event.sequence
            )
            # A re-delivered ban is enforced again (the removal is idempotent), in case the
            # process stopped between storing the ban and removing the member.
            current = await self.sanctions.ban_sequence(m.community_id, m.user_id)
            in_force = await self.sanctions.is_banned(m.community_id, m.user_id, self.clock())
            if banned and current == event.sequence and in_force:
                await self.remove_banned(
                    m.community_id,
                    m.user_id,
                    actor_id=m.actor_id,
                    reason=m.reason,
                    provenance=Provenance.caused_by(event),
                )
        elif kind in ("UserRestricted", "RestrictionLifted"):
            await self.sanctions.record_restriction(
                m.user_id,
                [moderation_types.Action.Name(a) for a in m.actions],
                kind == "UserRestricted",
                expires_at,
                event.sequence,
            )

    async def project_event(self, event: EventEnvelope, message: Message) -> None:
        """The projector's step for one published event; a no-op when the command that stored
        it (or an earlier delivery) has projected it already."""
        community_id = event.community_id or event.subject
        if await self.read_models.projected_version(community_id) >= event.sequence:
            return
        community = await self.repository.load(Community, community_id)
        if community.version < event.sequence:
            return  # not from this service's store (e.g. another deployment on the topic)
        await self.read_models.add_user_facts(
            projection.user_facts(message, event.sequence, event.occurred_at)
        )
        await self.read_models.put_summary(projection.summary_of(community, event.sequence))
