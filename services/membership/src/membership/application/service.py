"""The membership use cases: every command and query of the API.

A command loads the community, lets the aggregate decide, appends what it recorded with
the version it loaded (a lost race re-runs the whole decision: `retry_on_conflict`; commands
on one community in this process queue on its `StreamLocks` entry instead of racing), updates
the read models at once so the caller's next query sees the write, and remembers the answer
under the caller's request id. Queries about one community read its aggregate; queries across
communities read the read models.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from community.membership.v1 import membership_service_pb2 as api
from community.moderation.v1 import types_pb2 as moderation_types
from community_common.commands import run_once
from community_common.envelope import EventEnvelope, format_time
from community_common.errors import NotFound, PermissionDenied
from community_common.event_store import (
    Commit,
    DuplicateRequest,
    EventStore,
    NewEvent,
    Provenance,
    RequestKey,
)
from community_common.stream_locks import StreamLocks
from community_contracts import reasons
from google.protobuf import wrappers_pb2 as wrappers
from google.protobuf.message import Message

from membership.adapters.community_repository import CommunityRepository
from membership.adapters.owner_ledger import OwnerLedger
from membership.adapters.read_models import ReadModels
from membership.adapters.sanctions import Sanctions
from membership.application import messages, projection
from membership.application.paging import page
from membership.application.projection import UserFact
from membership.domain import roles
from membership.domain.community import Actor, Community, Invitation
from membership.domain.limits import Limits
from membership.domain.owner_slots import Standing

R = TypeVar("R", bound=Message)

ACTION_INVITE = moderation_types.Action.Name(moderation_types.ACTION_INVITE)
ACTION_CREATE_COMMUNITY = moderation_types.Action.Name(moderation_types.ACTION_CREATE_COMMUNITY)


def utc_now() -> datetime:
    """Now, to the millisecond: what MongoDB and ce_time can hold exactly."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def consistency_token(community_id: str, version: int) -> str:
    return f"{community_id}:{version}"


def community_of(resource_id: str) -> str:
    """Group, invitation and join request ids start with their community's id."""
    return resource_id.split("-", 1)[0]


def _hex(caller: str, request_id: str, operation: str, length: int) -> str:
    """A fresh id, or, for a request id, the same id on every retry, so a retry finds what a
    half-finished first attempt created instead of creating a second one."""
    if not request_id:
        return uuid.uuid4().hex[:length]
    seed = f"{operation}\0{caller}\0{request_id}".encode()
    return hashlib.sha256(seed).hexdigest()[:length]


def new_community_id(caller: str, request_id: str) -> str:
    return "c" + _hex(caller, request_id, "CreateCommunity", 24)


def new_child_id(community_id: str, kind: str, caller: str, request_id: str) -> str:
    return f"{community_id}-{kind}{_hex(caller, request_id, community_id + kind, 12)}"


def _not_found(reason: str, resource_id: str, what: str) -> NotFound:
    return NotFound(
        f"{what} not found", reason=reason, metadata={reasons.METADATA_RESOURCE_ID: resource_id}
    )


class MembershipService:
    def __init__(
        self,
        store: EventStore,
        repository: CommunityRepository,
        ledger: OwnerLedger,
        sanctions: Sanctions,
        read_models: ReadModels,
        limits: Limits,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.repository = repository
        self.ledger = ledger
        self.sanctions = sanctions
        self.read_models = read_models
        self.limits = limits
        self.clock = clock
        self.locks = StreamLocks()

    # --- the command pipeline ----------------------------------------------------------------

    async def _command(
        self,
        community_id: str,
        request: RequestKey | None,
        response_type: type[R],
        decide: Callable[[Community, datetime], Awaitable[Any]],
        respond: Callable[[Community, Any, str, datetime], R],
        missing: NotFound,
        provenance: Provenance | None = None,
    ) -> R:
        async def command(key: RequestKey | None) -> tuple[R, Commit | None]:
            async with self.locks.hold(community_id):
                return await decide_and_append(key)

        async def decide_and_append(key: RequestKey | None) -> tuple[R, Commit | None]:
            community = await self.repository.load(community_id)
            if not community.exists:
                raise missing
            before = copy.deepcopy(community)
            now = self.clock()
            decided = await decide(community, now)
            if not community.recorded:  # nothing changed (e.g. a role set to what it was)
                token = consistency_token(community_id, community.version)
                return respond(community, decided, token, now), None
            prepared = self.store.prepare(
                community_id,
                before.version,
                [
                    NewEvent(event, time=at)
                    for event, at in zip(community.recorded, community.recorded_at, strict=True)
                ],
                provenance=provenance,
            )
            after = self._replayed(before, community.recorded, prepared.commit.events)
            response = respond(after, decided, consistency_token(community_id, after.version), now)
            commit = await self.store.insert(prepared, request=key, result=response)
            self.repository.committed(after)
            await self._project(after, community.recorded, commit.events)
            return response, commit

        return await run_once(self.store, request, response_type, command)

    async def _project(
        self, community: Community, recorded: list[Message], stored: Iterable[EventEnvelope]
    ) -> None:
        """The read models, before anything else touches the community: the users' facts,
        then the summary. The projector redoes both for an event whose summary is behind, so
        a crash in between loses nothing; a later command's summary is never overtaken."""
        facts: list[UserFact] = [
            fact
            for event, envelope in zip(recorded, stored, strict=True)
            for fact in projection.user_facts(event, envelope.sequence, envelope.occurred_at)
        ]
        await self.read_models.add_user_facts(facts)
        await self.read_models.put_summary(projection.summary_of(community, community.version))

    @staticmethod
    def _replayed(
        before: Community, recorded: list[Message], stored: Iterable[EventEnvelope]
    ) -> Community:
        """The state after the commit, with the stored event times (what every later load
        will see), rather than the command's own clock."""
        for event, envelope in zip(recorded, stored, strict=True):
            before.apply(event, envelope.sequence, envelope.occurred_at)
        return before

    async def _require_unrestricted(self, user_id: str, action: str, now: datetime) -> None:
        until = await self.sanctions.restriction(user_id, action, now)
        if until is False:
            return
        metadata = {reasons.METADATA_ACTION: action}
        if isinstance(until, datetime):
            metadata[reasons.METADATA_EXPIRES_AT] = format_time(until)
        raise PermissionDenied(
            reasons.USER_RESTRICTED, f"you are restricted from {action}", metadata=metadata
        )

    async def _remove_if_banned(self, community_id: str, user_id: str) -> None:
        """A ban can land between a join's check and its write; whichever of the two writes
        last sees the other, so the banned user never stays in."""
        if await self.sanctions.is_banned(community_id, user_id, self.clock()):
            await self.remove_banned(community_id, user_id, actor_id="", reason="banned")

    def _membership(self, c: Community, user_id: str, now: datetime) -> api.Membership:
        return messages.membership(c, c.members[user_id], now, self.limits)

    # --- communities ---------------------------------------------------------------------

    async def create_community(
        self,
        actor: Actor,
        name: str,
        description: str,
        topics: list[str],
        visibility: int,
        join_policy: int,
        request_id: str,
    ) -> api.CreateCommunityResponse:
        request = RequestKey.of(actor.user_id, request_id, "CreateCommunity")
        first = await self.store.recall(request)
        if first is not None:
            return api.CreateCommunityResponse.FromString(first)
        now = self.clock()
        await self._require_unrestricted(actor.user_id, ACTION_CREATE_COMMUNITY, now)
        community_id = new_community_id(actor.user_id, request_id)
        existing = await self.repository.load(community_id)
        if existing.exists:  # stored before responses were kept with their commits
            return self._created(existing, actor.user_id)
        await self.ledger.claim(
            actor.user_id,
            community_id,
            now,
            self.limits.max_communities_per_user,
            lambda cid: self._standing(actor.user_id, cid),
        )
        created = Community.create(
            community_id,
            actor.user_id,
            name,
            description,
            topics,
            visibility,
            join_policy,
            now,
        )
        prepared = self.store.prepare(
            community_id, 0, [NewEvent(e) for e in created.recorded]
        )
        after = self._replayed(Community(community_id), created.recorded, prepared.commit.events)
        response = self._created(after, actor.user_id)
        try:
            # The id comes from the request id: a twin of this request collides here.
            commit = await self.store.insert(prepared, request=request, result=response)
        except DuplicateRequest as twin:
            return api.CreateCommunityResponse.FromString(twin.result)
        await self._project(after, created.recorded, commit.events)
        return response

    @staticmethod
    def _created(community: Community, owner_id: str) -> api.CreateCommunityResponse:
        return api.CreateCommunityResponse(
            community=messages.community(community, community.role_of(owner_id)),
            consistency_token=consistency_token(community.community_id, 1),
        )

    async def _standing(self, user_id: str, community_id: str) -> Standing:
        community = await self.repository.load(community_id)
        if community.archived:
            return Standing.RELEASED
        if community.exists and community.owner_id == user_id:
            return Standing.OWNED
        return Standing.ELSEWHERE

    async def get_community(self, actor: Actor, community_id: str) -> api.GetCommunityResponse:
        community = await self._readable(actor, community_id)
        return api.GetCommunityResponse(
            community=messages.community(community, community.role_of(actor.user_id))
        )

    async def _existing(self, community_id: str) -> Community:
        community = await self.repository.load(community_id)
        if not community.exists:
            raise _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community")
        return community

    async def _readable(self, actor: Actor, community_id: str) -> Community:
        community = await self._existing(community_id)
        community.require_readable(actor, self.clock())
        return community

    async def update_community(
        self, actor: Actor, community_id: str, changes: dict[str, Any], request_id: str
    ) -> api.UpdateCommunityResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.update(actor, changes, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "UpdateCommunity"),
            api.UpdateCommunityResponse,
            decide,
            lambda c, _, token, now: api.UpdateCommunityResponse(
                community=messages.community(c, c.role_of(actor.user_id)),
                consistency_token=token,
            ),
            _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

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
            _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
            provenance=Provenance(),  # the platform's own doing, caused by no request
        )
        return expired.value

    async def archive_community(
        self, actor: Actor, community_id: str, request_id: str
    ) -> api.ArchiveCommunityResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.archive(actor, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "ArchiveCommunity"),
            api.ArchiveCommunityResponse,
            decide,
            lambda c, _, token, now: api.ArchiveCommunityResponse(
                community=messages.community(c, c.role_of(actor.user_id)),
                consistency_token=token,
            ),
            _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    async def list_communities(
        self, actor: Actor, topic: str, query: str, page_size: int, page_token: str
    ) -> api.ListCommunitiesResponse:
        needle = query.casefold()
        found = [
            s
            for s in await self.read_models.public_summaries(topic)
            if not needle
            or needle in s["name"].casefold()
            or needle in s["description"].casefold()
        ]
        found.sort(key=lambda s: (-s["member_count"], s["_id"]))
        chosen, token = page(found, page_size, page_token, f"communities\0{topic}\0{needle}")
        mine = {m.community_id: m.role for m in await self._my_communities(actor.user_id)}
        return api.ListCommunitiesResponse(
            communities=[
                messages.community_from_summary(s, mine.get(s["_id"], roles.NONE)) for s in chosen
            ],
            next_page_token=token,
        )

    async def _my_communities(self, user_id: str) -> list[projection.MyCommunity]:
        return projection.memberships_of(await self.read_models.user_facts(user_id))

    async def list_my_communities(
        self, actor: Actor, page_size: int, page_token: str
    ) -> api.ListMyCommunitiesResponse:
        mine = await self._my_communities(actor.user_id)
        chosen, token = page(mine, page_size, page_token, "my-communities")
        summaries = await self.read_models.summaries_by_id([m.community_id for m in chosen])
        return api.ListMyCommunitiesResponse(
            communities=[
                messages.community_from_summary(summaries[m.community_id], m.role)
                for m in chosen
                if m.community_id in summaries
            ],
            next_page_token=token,
        )

    # --- joining ---------------------------------------------------------------------------

    async def join_community(
        self, actor: Actor, community_id: str, request_id: str
    ) -> api.JoinCommunityResponse:
        join_request_id = new_child_id(community_id, "r", actor.user_id, request_id)

        async def decide(c: Community, now: datetime) -> None:
            banned = await self.sanctions.is_banned(community_id, actor.user_id, now)
            c.join(actor, join_request_id, banned, now)

        def respond(c: Community, _: Any, token: str, now: datetime) -> api.JoinCommunityResponse:
            if actor.user_id in c.members:
                return api.JoinCommunityResponse(
                    membership=self._membership(c, actor.user_id, now), consistency_token=token
                )
            return api.JoinCommunityResponse(
                join_request=messages.join_request(
                    c.community_id, c.join_requests[join_request_id]
                ),
                consistency_token=token,
            )

        response = await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "JoinCommunity"),
            api.JoinCommunityResponse,
            decide,
            respond,
            _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )
        if response.HasField("membership"):
            await self._remove_if_banned(community_id, actor.user_id)
        return response

    async def list_join_requests(
        self, actor: Actor, community_id: str, status: int, page_size: int, page_token: str
    ) -> api.ListJoinRequestsResponse:
        community = await self._existing(community_id)
        community.require_rank(actor, roles.MODERATOR)
        found = [r for r in community.join_requests.values() if status in (0, r.status)]
        chosen, token = page(
            found, page_size, page_token, f"join-requests\0{community_id}\0{status}"
        )
        return api.ListJoinRequestsResponse(
            join_requests=[messages.join_request(community_id, r) for r in chosen],
            next_page_token=token,
        )

    async def approve_join_request(
        self, actor: Actor, join_request_id: str, request_id: str
    ) -> api.ApproveJoinRequestResponse:
        community_id = community_of(join_request_id)

        async def decide(c: Community, now: datetime) -> None:
            request = c.join_requests.get(join_request_id)
            banned = request is not None and await self.sanctions.is_banned(
                community_id, request.user_id, now
            )
            c.approve_join_request(actor, join_request_id, banned, now)

        def respond(c: Community, _: Any, token: str, now: datetime) -> Any:
            request = c.join_requests[join_request_id]
            return api.ApproveJoinRequestResponse(
                join_request=messages.join_request(community_id, request),
                membership=self._membership(c, request.user_id, now),
                consistency_token=token,
            )

        response = await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "ApproveJoinRequest"),
            api.ApproveJoinRequestResponse,
            decide,
            respond,
            _not_found(reasons.JOIN_REQUEST_NOT_FOUND, join_request_id, "join request"),
        )
        await self._remove_if_banned(community_id, response.membership.user_id)
        return response

    async def reject_join_request(
        self, actor: Actor, join_request_id: str, request_id: str
    ) -> api.RejectJoinRequestResponse:
        community_id = community_of(join_request_id)

        async def decide(c: Community, now: datetime) -> None:
            c.reject_join_request(actor, join_request_id, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "RejectJoinRequest"),
            api.RejectJoinRequestResponse,
            decide,
            lambda c, _, token, now: api.RejectJoinRequestResponse(
                join_request=messages.join_request(community_id, c.join_requests[join_request_id]),
                consistency_token=token,
            ),
            _not_found(reasons.JOIN_REQUEST_NOT_FOUND, join_request_id, "join request"),
        )

    # --- invitations -----------------------------------------------------------------------

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
            _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
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
                _not_found(reasons.INVITATION_NOT_FOUND, invitation_id, "invitation"),
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
            _not_found(reasons.INVITATION_NOT_FOUND, invitation_id, "invitation"),
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

    # --- leaving and roles -----------------------------------------------------------------

    async def leave_community(
        self, actor: Actor, community_id: str, request_id: str
    ) -> api.LeaveCommunityResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.leave(actor, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "LeaveCommunity"),
            api.LeaveCommunityResponse,
            decide,
            lambda c, _, token, now: api.LeaveCommunityResponse(consistency_token=token),
            _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    async def remove_member(
        self, actor: Actor, community_id: str, user_id: str, reason: str, request_id: str
    ) -> api.RemoveMemberResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.remove_member(actor, user_id, reason, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "RemoveMember"),
            api.RemoveMemberResponse,
            decide,
            lambda c, _, token, now: api.RemoveMemberResponse(consistency_token=token),
            _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    async def remove_banned(
        self,
        community_id: str,
        user_id: str,
        actor_id: str,
        reason: str,
        provenance: Provenance | None = None,
    ) -> None:
        """Moderation banned the user: remove them (nothing to do for a non-member)."""

        async def decide(c: Community, now: datetime) -> None:
            c.remove_banned(user_id, actor_id, reason, now)

        try:
            await self._command(
                community_id,
                None,
                api.RemoveMemberResponse,
                decide,
                lambda c, _, token, now: api.RemoveMemberResponse(consistency_token=token),
                _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
                provenance=provenance,
            )
        except NotFound:
            pass  # a ban in a community membership never stored: nobody to remove

    async def set_member_role(
        self, actor: Actor, community_id: str, user_id: str, role: int, request_id: str
    ) -> api.SetMemberRoleResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.set_role(actor, user_id, role, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "SetMemberRole"),
            api.SetMemberRoleResponse,
            decide,
            lambda c, _, token, now: api.SetMemberRoleResponse(
                membership=self._membership(c, user_id, now), consistency_token=token
            ),
            _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    async def transfer_ownership(
        self, actor: Actor, community_id: str, new_owner_id: str, request_id: str
    ) -> api.TransferOwnershipResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.transfer_ownership(actor, new_owner_id, now)
            # The new owner takes one of their creation slots before the transfer is stored.
            await self.ledger.claim(
                new_owner_id,
                community_id,
                now,
                self.limits.max_communities_per_user,
                lambda cid: self._standing(new_owner_id, cid),
            )

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "TransferOwnership"),
            api.TransferOwnershipResponse,
            decide,
            lambda c, _, token, now: api.TransferOwnershipResponse(
                community=messages.community(c, c.role_of(actor.user_id)),
                consistency_token=token,
            ),
            _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    async def get_membership(
        self, actor: Actor, community_id: str, user_id: str
    ) -> api.GetMembershipResponse:
        community = await self._existing(community_id)
        user_id = user_id or actor.user_id
        if user_id != actor.user_id and community.rank_of(actor) == roles.NONE:
            raise PermissionDenied(reasons.NOT_A_MEMBER, "only members can see memberships")
        if user_id not in community.members:
            raise _not_found(reasons.MEMBER_NOT_FOUND, user_id, "membership")
        return api.GetMembershipResponse(
            membership=self._membership(community, user_id, self.clock())
        )

    async def list_members(
        self, actor: Actor, community_id: str, role: int, page_size: int, page_token: str
    ) -> api.ListMembersResponse:
        community = await self._readable(actor, community_id)
        now = self.clock()
        chosen, token = page(
            community.members_in_order(role),
            page_size,
            page_token,
            f"members\0{community_id}\0{role}",
        )
        return api.ListMembersResponse(
            members=[messages.membership(community, m, now, self.limits) for m in chosen],
            next_page_token=token,
        )

    # --- groups ----------------------------------------------------------------------------

    async def create_group(
        self, actor: Actor, community_id: str, name: str, description: str, request_id: str
    ) -> api.CreateGroupResponse:
        group_id = new_child_id(community_id, "g", actor.user_id, request_id)

        async def decide(c: Community, now: datetime) -> None:
            if group_id not in c.groups:  # else a retry of a create that was half done
                c.create_group(actor, group_id, name, description, now, self.limits)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "CreateGroup"),
            api.CreateGroupResponse,
            decide,
            lambda c, _, token, now: api.CreateGroupResponse(
                group=messages.group(community_id, c.groups[group_id]), consistency_token=token
            ),
            _not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    def _group_missing(self, group_id: str) -> NotFound:
        return _not_found(reasons.GROUP_NOT_FOUND, group_id, "group")

    async def remove_group(
        self, actor: Actor, group_id: str, request_id: str
    ) -> api.RemoveGroupResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.remove_group(actor, group_id, now)

        return await self._command(
            community_of(group_id),
            RequestKey.of(actor.user_id, request_id, "RemoveGroup"),
            api.RemoveGroupResponse,
            decide,
            lambda c, _, token, now: api.RemoveGroupResponse(consistency_token=token),
            self._group_missing(group_id),
        )

    async def join_group(
        self, actor: Actor, group_id: str, request_id: str
    ) -> api.JoinGroupResponse:
        return await self._group_membership(actor, group_id, actor.user_id, request_id)

    async def add_group_member(
        self, actor: Actor, group_id: str, user_id: str, request_id: str
    ) -> api.AddGroupMemberResponse:
        return await self._group_membership(actor, group_id, user_id, request_id)

    async def _group_membership(
        self, actor: Actor, group_id: str, user_id: str, request_id: str
    ) -> Any:
        joining = user_id == actor.user_id
        operation = "JoinGroup" if joining else "AddGroupMember"
        response_type = api.JoinGroupResponse if joining else api.AddGroupMemberResponse
        community_id = community_of(group_id)

        async def decide(c: Community, now: datetime) -> None:
            if joining:
                c.join_group(actor, group_id, now)
            else:
                c.add_group_member(actor, group_id, user_id, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, operation),
            response_type,  # type: ignore[arg-type]
            decide,
            lambda c, _, token, now: response_type(
                group_member=messages.group_member(community_id, c.groups[group_id], user_id),
                consistency_token=token,
            ),
            self._group_missing(group_id),
        )

    async def leave_group(
        self, actor: Actor, group_id: str, request_id: str
    ) -> api.LeaveGroupResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.leave_group(actor, group_id, now)

        return await self._command(
            community_of(group_id),
            RequestKey.of(actor.user_id, request_id, "LeaveGroup"),
            api.LeaveGroupResponse,
            decide,
            lambda c, _, token, now: api.LeaveGroupResponse(consistency_token=token),
            self._group_missing(group_id),
        )

    async def list_groups(
        self, actor: Actor, community_id: str, page_size: int, page_token: str
    ) -> api.ListGroupsResponse:
        community = await self._readable(actor, community_id)
        chosen, token = page(
            list(community.groups.values()), page_size, page_token, f"groups\0{community_id}"
        )
        return api.ListGroupsResponse(
            groups=[messages.group(community_id, g) for g in chosen], next_page_token=token
        )

    async def list_group_members(
        self, actor: Actor, group_id: str, page_size: int, page_token: str
    ) -> api.ListGroupMembersResponse:
        community = await self.repository.load(community_of(group_id))
        group = community.groups.get(group_id)
        if group is None:
            raise self._group_missing(group_id)
        community.require_readable(actor, self.clock())
        chosen, token = page(list(group.members), page_size, page_token, f"group\0{group_id}")
        return api.ListGroupMembersResponse(
            members=[messages.group_member(community.community_id, group, u) for u in chosen],
            next_page_token=token,
        )

    # --- moderation's decisions ------------------------------------------------------------

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

    # --- read models -------------------------------------------------------------------------

    async def project_event(self, event: EventEnvelope, message: Message) -> None:
        """The projector's step for one published event; a no-op when the command that stored
        it (or an earlier delivery) has projected it already."""
        community_id = event.community_id or event.subject
        if await self.read_models.projected_version(community_id) >= event.sequence:
            return
        community = await self.repository.load(community_id)
        if community.version < event.sequence:
            return  # not from this service's store (e.g. another deployment on the topic)
        await self.read_models.add_user_facts(
            projection.user_facts(message, event.sequence, event.occurred_at)
        )
        await self.read_models.put_summary(projection.summary_of(community, event.sequence))

    async def rebuild_projections(self, community_ids: Iterable[str]) -> int:
        """Drop the read models and project every community's stream again."""
        await self.read_models.drop()
        count = 0
        for community_id in community_ids:
            stream = await self.store.load(community_id, use_snapshot=False)
            community = Community(community_id)
            for envelope in stream.events:
                message = envelope.message()
                community.apply(message, envelope.sequence, envelope.occurred_at)
                await self.read_models.add_user_facts(
                    projection.user_facts(message, envelope.sequence, envelope.occurred_at)
                )
            await self.read_models.put_summary(projection.summary_of(community, community.version))
            count += 1
        return count
