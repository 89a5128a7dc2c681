"""`python -m membership.rebuild` against a running membership process: a varied history
through the real API, every list and get captured, the rebuild killed right after its first
checkpoint and run again to the end while the process serves (a read meanwhile waits, a
command meanwhile takes effect), then every answer is the same, in the same order."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from community.membership.v1 import membership_service_pb2 as api
from community.membership.v1 import membership_service_pb2_grpc
from community.membership.v1 import types_pb2 as types
from community.moderation.v1 import events_pb2 as mod
from community_common.auth import mint_token
from community_common.event_store import COMMITS
from community_common.mongo import blocking_client
from community_common.rebuild import DONE, REBUILDS, RUNNING
from community_common.testing.events import produce_event
from community_common.testing.polling import eventually
from community_common.testing.service_process import ServiceProcess
from google.protobuf.message import Message
from membership.adapters.read_models import SUMMARIES, USER_INDEX
from pymongo.database import Database

from .test_crash_after_commit import fresh_groups

MODERATOR, ADMIN = types.ROLE_MODERATOR, types.ROLE_ADMIN


@pytest.fixture
def database(mongo_uri: str) -> Iterator[Database[Any]]:
    client = blocking_client(mongo_uri)
    name = f"membership_rebuild_{uuid.uuid4().hex[:10]}"
    yield client[name]
    client.drop_database(name)
    client.close()


class Api:
    """The process's RPCs by name, as a given user."""

    def __init__(self, process: ServiceProcess, secret: str) -> None:
        self.stub = process.stub
        self.secret = secret

    def __call__(self, rpc: str, user: str, **fields: Any) -> Any:
        request = getattr(api, f"{rpc}Request")(**fields)
        token = mint_token(self.secret, user)
        return getattr(self.stub, rpc)(
            request, metadata=[("authorization", f"Bearer {token}")], timeout=60
        )


def every_page(call: Api, rpc: str, user: str, **fields: Any) -> list[Message]:
    """Each page of a list (two items a page, so paging is part of the answer)."""
    pages, token = [], ""
    while True:
        page = call(rpc, user, page_size=2, page_token=token, **fields)
        pages.append(page)
        token = page.next_page_token
        if not token:
            return pages


def capture(call: Api, users: list[str], communities: dict[str, str], topic: str) -> list[bytes]:
    """Every list and get the history touches, in order, as serialized answers."""
    found: list[Message] = []
    for user in users:
        found += every_page(call, "ListMyCommunities", user)
        found += every_page(call, "ListInvitations", user)
        found += every_page(call, "ListCommunities", user, topic=topic)
    found += every_page(call, "ListCommunities", users[0], topic=topic, query="club")
    for community_id, moderator in communities.items():
        found.append(call("GetCommunity", moderator, community_id=community_id))
        members = every_page(call, "ListMembers", moderator, community_id=community_id)
        found += members
        found += every_page(
            call, "ListMembers", moderator, community_id=community_id, role=MODERATOR
        )
        for page in members:
            for member in page.members:
                found.append(
                    call(
                        "GetMembership",
                        moderator,
                        community_id=community_id,
                        user_id=member.user_id,
                    )
                )
        groups = every_page(call, "ListGroups", moderator, community_id=community_id)
        found += groups
        for page in groups:
            for group in page.groups:
                found += every_page(call, "ListGroupMembers", moderator, group_id=group.group_id)
        found += every_page(call, "ListJoinRequests", moderator, community_id=community_id)
        found += every_page(call, "ListInvitations", moderator, community_id=community_id)
    return [
        type(m).__name__.encode() + b":" + m.SerializeToString(deterministic=True) for m in found
    ]


def history(call: Api, kafka_bootstrap: str, users: dict[str, str], topic: str) -> dict[str, str]:
    """Four communities and what people do in them; community id -> a moderator of it."""
    alice, bob, carol, dave, erin, frank, grace = (users[n] for n in "abcdefg")
    open_ = call(
        "CreateCommunity", alice, name="Chess club", description="open", topics=[topic]
    ).community.community_id
    invite_only = call(
        "CreateCommunity",
        carol,
        name="Quiet club",
        topics=[topic],
        visibility=types.VISIBILITY_PRIVATE,
        join_policy=types.JOIN_POLICY_INVITE_ONLY,
    ).community.community_id
    by_request = call(
        "CreateCommunity",
        dave,
        name="Go circle",
        description="a club for go",
        topics=[topic, "go"],
        join_policy=types.JOIN_POLICY_REQUEST,
    ).community.community_id
    archived = call("CreateCommunity", erin, name="Old club", topics=[topic]).community.community_id

    # Joins, several at once (their order is the order their commits won).
    with ThreadPoolExecutor(4) as pool:
        list(
            pool.map(
                lambda u: call("JoinCommunity", u, community_id=open_), [bob, carol, dave, erin]
            )
        )
    call("JoinCommunity", frank, community_id=open_)
    call("SetMemberRole", alice, community_id=open_, user_id=bob, role=MODERATOR)
    call("SetMemberRole", alice, community_id=open_, user_id=erin, role=MODERATOR)
    call("SetMemberRole", alice, community_id=open_, user_id=erin, role=types.ROLE_MEMBER)
    first = call("CreateGroup", alice, community_id=open_, name="Openings").group.group_id
    second = call("CreateGroup", alice, community_id=open_, name="Endgames").group.group_id
    third = call("CreateGroup", alice, community_id=open_, name="Gone").group.group_id
    for user in (dave, carol, frank):
        call("JoinGroup", user, group_id=first)
    call("JoinGroup", dave, group_id=second)
    call("AddGroupMember", alice, group_id=second, user_id=bob)
    call("LeaveGroup", dave, group_id=second)
    call("JoinGroup", dave, group_id=second)
    call("RemoveGroup", alice, group_id=third)
    call("LeaveCommunity", carol, community_id=open_)  # and so its groups
    call("RemoveMember", bob, community_id=open_, user_id=frank)
    call("TransferOwnership", alice, community_id=open_, new_owner_id=bob)

    # Invitations: accepted, declined, revoked, pending; a member's own invitation.
    def invite(inviter: str, invitee: str) -> str:
        sent = call("InviteMember", inviter, community_id=invite_only, invitee_id=invitee)
        return str(sent.invitation.invitation_id)

    call("AcceptInvitation", erin, invitation_id=invite(carol, erin))
    call("DeclineInvitation", frank, invitation_id=invite(carol, frank))
    call("RevokeInvitation", carol, invitation_id=invite(carol, dave))
    call("AcceptInvitation", alice, invitation_id=invite(erin, alice))
    invite(erin, grace)  # pending
    invite(carol, bob)  # pending

    # Join requests: approved, rejected, pending.
    def request(user: str) -> str:
        answer = call("JoinCommunity", user, community_id=by_request)
        return str(answer.join_request.join_request_id)

    call("ApproveJoinRequest", dave, join_request_id=request(erin))
    call("RejectJoinRequest", dave, join_request_id=request(frank))
    request(grace)
    call("ApproveJoinRequest", dave, join_request_id=request(alice))
    call("SetMemberRole", dave, community_id=by_request, user_id=alice, role=ADMIN)
    call("UpdateCommunity", dave, community_id=by_request, name="Go club")

    # A community archived, and a ban from moderation (membership removes the member).
    call("JoinCommunity", grace, community_id=archived)
    call("ArchiveCommunity", erin, community_id=archived)
    call("JoinCommunity", grace, community_id=open_)
    produce_event(
        kafka_bootstrap,
        mod.MemberBanned(community_id=open_, user_id=grace, actor_id=bob, reason="spam"),
        sequence=1,
    )
    eventually(
        lambda: call("GetCommunity", bob, community_id=open_).community.member_count == 4,
        30,
        what="the ban's removing the member",
    )
    return {open_: bob, invite_only: carol, by_request: dave, archived: erin}


def rebuild(env: dict[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "membership.rebuild"],
        env=env | extra,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_rebuild_killed_mid_way_and_resumed_gives_every_answer_again_in_order(
    kafka_bootstrap: str, mongo_uri: str, database: Database[Any], secret: str, tmp_path: Path
) -> None:
    env = os.environ | {
        "COMMUNITY_AUTH_HS256_SECRET": secret,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database.name,
        "LOG_LEVEL": "WARNING",
    }
    process = ServiceProcess(
        "membership",
        membership_service_pb2_grpc.MembershipServiceStub,
        env | fresh_groups(kafka_bootstrap),
        tmp_path / "membership.log",
    )
    try:
        process.wait_serving()
        call = Api(process, secret)
        tag = uuid.uuid4().hex[:8]
        users = {n: f"{n}-{tag}" for n in "abcdefg"}
        topic = f"t-{tag}"
        communities = history(call, kafka_bootstrap, users, topic)
        names = list(users.values())
        before = capture(call, names, communities, topic)
        facts = database[USER_INDEX].count_documents({})
        summaries = database[SUMMARIES].count_documents({})

        # Killed right after its first checkpoint (a few commits per read, one per checkpoint).
        small = {
            "REBUILD_BATCH_COMMITS": "5",
            "REBUILD_CHECKPOINT_EVERY": "5",
            "REBUILD_LEASE_S": "1",
        }
        killed = rebuild(env, COMMUNITY_FAILPOINTS="rebuild-checkpointed", **small)
        assert killed.returncode == -9, killed.stderr
        state = database[REBUILDS].find_one({"_id": "membership"})
        assert state is not None and state["state"] == RUNNING and state["checkpoints"]
        total = sum(len(c["events"]) for c in database[COMMITS].find({}, {"events": 1}))
        assert 0 < state["events"] < total

        # While the rebuild is unfinished, reads of the read models wait for it; a command
        # still takes effect (and projects itself into the models being rebuilt).
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(call, "ListMyCommunities", users["a"])
            zed = f"zed-{tag}"
            created = call("CreateCommunity", zed, name="New club", topics=[f"new-{tag}"])
            assert not waiting.done()
            resumed = rebuild(env, **small)
            assert resumed.returncode == 0, resumed.stderr
            assert "resumed and finished the membership read models" in resumed.stdout
            waited = waiting.result(timeout=60)
        assert database[REBUILDS].find_one({"_id": "membership"})["state"] == DONE

        after = capture(call, names, communities, topic)
        assert after == before
        assert waited == call("ListMyCommunities", users["a"])
        assert len(waited.communities) == 3
        mine = call("ListMyCommunities", zed).communities
        assert [c.community_id for c in mine] == [created.community.community_id]
        # The same models: as many facts and summaries (plus the new community's).
        assert database[USER_INDEX].count_documents({}) == facts + 1
        assert database[SUMMARIES].count_documents({}) == summaries + 1
    finally:
        process.stop()
