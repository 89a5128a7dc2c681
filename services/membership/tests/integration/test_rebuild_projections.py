"""`python -m membership rebuild-projections`: drop the read models, rebuild them from the
event store, and every query answers as before."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from community.membership.v1 import types_pb2 as types
from membership.application.service import MembershipService

from .conftest import Client


async def answers(client: Client, users: list[str], topic: str) -> list[object]:
    found: list[object] = []
    for user in users:
        found.append(await client("ListMyCommunities", user))
        found.append(await client("ListInvitations", user))
    found.append(await client("ListCommunities", users[0], topic=topic))
    return found


async def test_drop_rebuild_same_answers(
    client: Client, service: MembershipService, mongo_uri: str, db_name: str, unique
) -> None:
    owner, amy, bob, carl = (unique(n) for n in ("owner", "amy", "bob", "carl"))
    topic = unique("t").lower()
    first = await client("CreateCommunity", owner, name="First", topics=[topic])
    second = await client(
        "CreateCommunity",
        amy,
        name="Second",
        topics=[topic],
        join_policy=types.JOIN_POLICY_INVITE_ONLY,
    )
    private = await client(
        "CreateCommunity", bob, name="Third", visibility=types.VISIBILITY_PRIVATE
    )
    c1, c2 = first.community.community_id, second.community.community_id
    for user in (amy, bob, carl):
        await client("JoinCommunity", user, community_id=c1)
    sent = await client("InviteMember", amy, community_id=c2, invitee_id=carl)
    await client("AcceptInvitation", carl, invitation_id=sent.invitation.invitation_id)
    await client("InviteMember", amy, community_id=c2, invitee_id=bob)
    await client("SetMemberRole", owner, community_id=c1, user_id=bob, role=3)
    await client("LeaveCommunity", carl, community_id=c1)
    await client("TransferOwnership", owner, community_id=c1, new_owner_id=amy)
    await client("ArchiveCommunity", bob, community_id=private.community.community_id)
    users = [owner, amy, bob, carl]
    before = await answers(client, users, topic)
    assert [c.community_id for c in before[0].communities] == [c1]  # type: ignore[attr-defined]

    await service.read_models.drop()
    assert (await client("ListMyCommunities", amy)).communities == []

    env = {**os.environ, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": db_name}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "membership", "rebuild-projections"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "rebuilt the read models of" in done.stdout
    assert await answers(client, users, topic) == before
