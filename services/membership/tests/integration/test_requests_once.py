"""A retried mutation returns the first result and changes nothing (SPEC §9): eight concurrent
calls with one request id store one event, for membership's creating RPCs."""

from __future__ import annotations

import asyncio
import uuid

from community_common.testing.stored import stored_events

from .conftest import Client, fresh

TWINS = 8


async def test_concurrent_twins_create_one_community_and_one_invitation(
    client: Client, service
) -> None:
    owner = fresh("owner")
    request_id = uuid.uuid4().hex
    created = await asyncio.gather(
        *(
            client("CreateCommunity", owner, name="Twins", request_id=request_id)
            for _ in range(TWINS)
        )
    )
    assert len({c.SerializeToString() for c in created}) == 1
    db = service.store.db
    assert await stored_events(db, "community.membership.v1.CommunityCreated", owner) == 1

    cid = created[0].community.community_id
    invite_id = uuid.uuid4().hex
    invited = await asyncio.gather(
        *(
            client("InviteMember", owner, community_id=cid, invitee_id="amy", request_id=invite_id)
            for _ in range(TWINS)
        )
    )
    assert len({i.invitation.invitation_id for i in invited}) == 1
    assert await stored_events(db, "community.membership.v1.InvitationSent", owner) == 1
