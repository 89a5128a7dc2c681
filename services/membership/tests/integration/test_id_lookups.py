"""The hot reads and the commands address documents only by equality on `_id` or on a field
the service indexes: on MongoDB and on the local FerretDB each is one index lookup however
much else the collections hold, and nothing is sorted or filtered otherwise. Checked by
recording every command the use cases send to the real FerretDB (pymongo command monitoring).
ListCommunities, discovery, is the one read by another field: an equality on the indexed
`topics` (test_discovery_by_topic.py).

The timing side is in bench/flat_reads.py (see the README for the figures measured)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from community.membership.v1 import types_pb2 as types
from community_common.event_store import COMMITS, REQUEST_KEY
from membership.adapters.read_models import SUMMARIES, USER_INDEX
from membership.application.service import MembershipService
from membership.bootstrap import membership_service
from membership.domain.community import Actor
from membership.domain.limits import Limits
from pymongo import AsyncMongoClient, monitoring

WATCHED = ("find", "aggregate", "count", "distinct", "update", "delete", "findAndModify")
# Reads by an indexed field besides `_id` (ReadModels.ensure_indexes): a user's facts; a
# request id's first answer (EventStore.ensure_indexes).
INDEXED = {USER_INDEX: "user_id", COMMITS: REQUEST_KEY}


class Recorder(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in WATCHED:
            self.commands.append(dict(event.command))

    def succeeded(self, event: Any) -> None:
        pass

    def failed(self, event: Any) -> None:
        pass


def by_indexed_equality(command: dict[str, Any]) -> bool:
    def exact(query: dict[str, Any]) -> bool:
        return list(query) == ["_id"] and not isinstance(query["_id"], dict)

    if "find" in command:
        query = command.get("filter", {})
        indexed = INDEXED.get(command["find"])
        by_index = list(query) == [indexed] and isinstance(query[indexed], str)
        return (exact(query) or by_index) and "sort" not in command
    if "update" in command:
        # Guarded replaces of a summary add a version condition to the `_id`.
        return all(next(iter(u["q"])) == "_id" for u in command["updates"])
    if "delete" in command:
        return all(exact(d["q"]) for d in command["deletes"])
    return False


@pytest.fixture
async def watched(
    mongo_uri: str, db_name: str
) -> AsyncIterator[tuple[MembershipService, Recorder]]:
    recorder = Recorder()
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        mongo_uri, event_listeners=[recorder], tz_aware=True
    )
    yield membership_service(client, db_name, Limits()), recorder
    await client.close()


async def test_reads_and_commands_use_only_id_lookups(
    watched: tuple[MembershipService, Recorder], unique
) -> None:
    service, recorder = watched
    owner, amy, bob = Actor(unique("owner")), Actor(unique("amy")), Actor(unique("bob"))
    created = await service.create_community(owner, "Lookups", "", ["x"], 1, 1, "req")
    cid = created.community.community_id
    await service.join_community(amy, cid, "")
    sent = await service.invite_member(amy, cid, bob.user_id, "")
    await service.accept_invitation(bob, sent.invitation.invitation_id, "")
    group = (await service.create_group(owner, cid, "G", "", "")).group
    await service.join_group(amy, group.group_id, "")
    await service.set_member_role(owner, cid, amy.user_id, types.ROLE_MODERATOR, "")
    await service.leave_community(bob, cid, "")
    await service.get_community(amy, cid)
    await service.get_membership(amy, cid, owner.user_id)
    await service.list_members(amy, cid, 0, 0, "")
    await service.list_groups(amy, cid, 0, "")
    await service.list_group_members(amy, group.group_id, 0, "")
    await service.list_join_requests(owner, cid, 0, 0, "")
    await service.list_invitations(owner, cid, 0, 0, "")
    await service.list_invitations(bob, "", 0, 0, "")
    await service.list_my_communities(amy, 0, "")
    assert len(recorder.commands) >= 19  # the listener saw them: one or more per call above
    offending = [c for c in recorder.commands if not by_indexed_equality(c)]
    assert offending == []
    recorder.commands.clear()
    await service.list_communities(amy, "x", "", 0, "")
    others = [c for c in recorder.commands if not by_indexed_equality(c)]
    assert [(c.get("find"), c.get("filter")) for c in others] == [
        (SUMMARIES, {"listed": True, "topics": "x"})
    ]
