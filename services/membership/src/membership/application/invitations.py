"""Invitations: sending, accepting, declining, revoking, listing; expiry by the timer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from community.membership.v1 import membership_service_pb2 as api
from community_common.event_store import (
    Provenance,
    RequestKey,
)
from community_contracts import reasons
from google.protobuf import wrappers_pb2 as wrappers

from membership.application import messages, projection
from membership.application.paging import page
from membership.application.pipeline import (
    ACTION_INVITE,
    UseCases,
    community_of,
    new_child_id,
    not_found,
)
from membership.domain import roles
from membership.domain.community import Actor, Community, Invitation


class Invitations(UseCases):
    async def expire_invitations(self, community_id: str) -> bool:
        """The invitation timer's command: record the expiry of the community's invitations
        past their time (each with its expiry as ce_time); True if any was due."""

        async def decide(community: Community, now: datetime) -> bool:
            return community.expire_invitations(now)

        expired = await self._command(
            community_id,
            None,
            wrappers.BoolValue,
            decide,
            lambda c, any_due, token, now: wrappers.BoolValue(value=any_due),
            not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
            provenance=Provenance(),  # the platform's own doing, caused by no request
        )
        return expired.value

    async def invite_member(
        self, actor: Actor, community_id: str, invitee_id: str, request_id: str
    ) -> api.InviteMemberResponse:
        invitation_id = new_child_id(community_id, "i", actor.user_id, request_id)

        async def decide(c: Community, now: datetime) -> None:
            if invitation_id in c.invitations:  # a retry of a create that was half done
                return
            if c.rank_of(actor) != roles.NONE:
                await self._require_unrestricted(actor.user_id, ACTION_INVITE, now)
            banned = await self.sanctions.is_banned(community_id, invitee_id, now)
            c.invite(actor, invitation_id, invitee_id, banned, now, self.limits)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "InviteMember"),
            api.InviteMemberResponse,
            decide,
            lambda c, _, token, now: api.InviteMemberResponse(
                invitation=messages.invitation(community_id, c.invitations[invitation_id], now),
                consistency_token=token,
            ),
            not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    def _invitation_command(
        self, operation: str, act: Callable[[Community, Actor, str, datetime], Any]
    ) -> Callable[[Actor, str, str], Awaitable[Any]]:
        """Decline and revoke: act on one invitation, answer with it."""
        response_type = getattr(api, f"{operation}Response")

        async def run(actor: Actor, invitation_id: str, request_id: str) -> Any:
            async def decide(c: Community, now: datetime) -> None:
                act(c, actor, invitation_id, now)

            return await self._command(
                community_of(invitation_id),
                RequestKey.of(actor.user_id, request_id, operation),
                response_type,
                decide,
                lambda c, _, token, now: response_type(
                    invitation=messages.invitation(
                        c.community_id, c.invitations[invitation_id], now
                    ),
                    consistency_token=token,
                ),
                not_found(reasons.INVITATION_NOT_FOUND, invitation_id, "invitation"),
            )

        return run

    async def decline_invitation(
        self, actor: Actor, invitation_id: str, request_id: str
    ) -> api.DeclineInvitationResponse:
        run = self._invitation_command("DeclineInvitation", Community.decline_invitation)
        response: api.DeclineInvitationResponse = await run(actor, invitation_id, request_id)
        return response

    async def revoke_invitation(
        self, actor: Actor, invitation_id: str, request_id: str
    ) -> api.RevokeInvitationResponse:
        run = self._invitation_command("RevokeInvitation", Community.revoke_invitation)
        response: api.RevokeInvitationResponse = await run(actor, invitation_id, request_id)
        return response

    async def accept_invitation(
        self, actor: Actor, invitation_id: str, request_id: str
    ) -> api.AcceptInvitationResponse:
        community_id = community_of(invitation_id)

        async def decide(c: Community, now: datetime) -> None:
            banned = await self.sanctions.is_banned(community_id, actor.user_id, now)
            c.accept_invitation(actor, invitation_id, banned, now)

        response = await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "AcceptInvitation"),
            api.AcceptInvitationResponse,
            decide,
            lambda c, _, token, now: api.AcceptInvitationResponse(
                invitation=messages.invitation(community_id, c.invitations[invitation_id], now),
                membership=self._membership(c, actor.user_id, now),
                consistency_token=token,
            ),
            not_found(reasons.INVITATION_NOT_FOUND, invitation_id, "invitation"),
        )
        await self._remove_if_banned(community_id, actor.user_id)
        return response

    async def list_invitations(
        self, actor: Actor, community_id: str, status: int, page_size: int, page_token: str
    ) -> api.ListInvitationsResponse:
        now = self.clock()
        if community_id:
            community = await self._existing(community_id)
            community.require_rank(actor, roles.MODERATOR)
            ordered: list[Invitation] = sorted(
                community.invitations.values(),
                key=lambda i: (i.created_at, i.invitation_id),
                reverse=True,
            )
            found = [
                messages.invitation(community_id, i, now)
                for i in ordered
                if status in (0, i.status_at(now))
            ]
        else:
            facts = await self.read_models.user_facts(actor.user_id)
            found = [
                message
                for fact in projection.invitations_of(facts)
                if status in (0, (message := messages.invitation_from_fact(fact, now)).status)
            ]
        chosen, token = page(found, page_size, page_token, f"invitations\0{community_id}\0{status}")
        return api.ListInvitationsResponse(invitations=chosen, next_page_token=token)
