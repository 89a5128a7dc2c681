"""The in-process community cache and the summary guard, against the real FerretDB: a warm load
still sees what another replica committed, callers cannot change the cached state, a cold
replica starts from the snapshot the repository keeps (groups and their members included), and a
late summary never replaces a newer one."""

from __future__ import annotations

import uuid
from typing import Any

from community.membership.v1 import types_pb2 as types
from community_common.event_store import SNAPSHOTS
from community_common.repository import SNAPSHOT_EVERY
from membership.application.service import MembershipService
from membership.bootstrap import membership_service
from membership.domain.community import Actor, Community
from membership.domain.limits import Limits
from pymongo import AsyncMongoClient


def replica(mongo: AsyncMongoClient[Any], db_name: str) -> MembershipService:
    """A second deployment of the service on the same database, with a cache of its own."""
    return membership_service(mongo, db_name, Limits())


async def open_community(service: MembershipService, owner: str) -> str:
    created = await service.create_community(
        Actor(owner),
        "Cached",
        "",
        ["cache"],
        types.VISIBILITY_PUBLIC,
        types.JOIN_POLICY_OPEN,
        uuid.uuid4().hex,
    )
    return str(created.community.community_id)


async def test_warm_load_sees_another_replicas_commits(
    mongo: AsyncMongoClient[Any], db_name: str, unique
) -> None:
    first, second = replica(mongo, db_name), replica(mongo, db_name)
    community_id = await open_community(first, unique("owner"))
    warm = await first.repository.load(Community, community_id)  # now cached in `first`

    joiner = unique("joiner")
    await second.join_community(Actor(joiner), community_id, uuid.uuid4().hex)

    again = await first.repository.load(Community, community_id)
    assert joiner in again.members and joiner not in warm.members
    assert again.version == warm.version + 1
    # and `first` can write on top of it (a stale version would only lose and retry)
    late = unique("late")
    response = await first.join_community(Actor(late), community_id, uuid.uuid4().hex)
    assert response.HasField("membership")
    assert {joiner, late} <= set((await second.repository.load(Community, community_id)).members)


async def test_callers_get_their_own_copy(
    mongo: AsyncMongoClient[Any], db_name: str, unique
) -> None:
    service = replica(mongo, db_name)
    community_id = await open_community(service, unique("owner"))
    await service.repository.load(Community, community_id)  # cold: fills the cache
    loaded = await service.repository.load(Community, community_id)  # warm: from the cache
    loaded.members.clear()
    loaded.version += 5
    reloaded = await service.repository.load(Community, community_id)
    assert reloaded.members and reloaded.version == loaded.version - 5


async def test_cold_replica_starts_from_the_stored_snapshot(
    mongo: AsyncMongoClient[Any], db_name: str, unique
) -> None:
    service = replica(mongo, db_name)
    owner = unique("owner")
    community_id = await open_community(service, owner)
    group = await service.create_group(Actor(owner), community_id, "Group", "", uuid.uuid4().hex)
    for _ in range(SNAPSHOT_EVERY // 2 + 1):
        member = Actor(unique("m"))
        await service.join_community(member, community_id, uuid.uuid4().hex)
        await service.join_group(member, group.group.group_id, uuid.uuid4().hex)
    await service.repository.load(Community, community_id)

    snapshot = await mongo[db_name][SNAPSHOTS].find_one({"_id": community_id})
    assert snapshot is not None and snapshot["version"] >= SNAPSHOT_EVERY
    cold = await replica(mongo, db_name).repository.load(Community, community_id)
    warm = await service.repository.load(Community, community_id)
    assert cold.version == warm.version and cold.members.keys() == warm.members.keys()
    assert cold.groups == warm.groups


async def test_a_late_summary_never_replaces_a_newer_one(
    mongo: AsyncMongoClient[Any], db_name: str, unique
) -> None:
    read_models = replica(mongo, db_name).read_models
    community_id = unique("c")
    await read_models.put_summary({"_id": community_id, "projected": 5, "name": "newer"})
    await read_models.put_summary({"_id": community_id, "projected": 3, "name": "older"})
    assert (await read_models.summaries_by_id([community_id]))[community_id]["name"] == "newer"
    await read_models.put_summary({"_id": community_id, "projected": 6, "name": "newest"})
    assert (await read_models.summaries_by_id([community_id]))[community_id]["name"] == "newest"


async def test_a_current_kept_copy_evicted_while_it_was_checked_is_still_answered(
    mongo: AsyncMongoClient[Any], db_name: str, unique, monkeypatch
) -> None:
    """A load that finds its kept copy current after awaiting the store must not assume the
    copy is still kept: another load may have evicted it meanwhile (the demo's
    JoinLiveSession once answered INTERNAL with a KeyError there)."""
    service = replica(mongo, db_name)
    kept_id, other_id = [await open_community(service, unique("owner")) for _ in range(2)]
    repository = service.repository
    repository.keep = 1
    await repository.load(Community, kept_id)  # the one kept copy
    checked = repository.store.load_after

    async def evicted_meanwhile(stream_id: str, version: int) -> Any:
        newer = await checked(stream_id, version)
        if stream_id == kept_id:
            repository.forget(other_id)
            await repository.load(Community, other_id)  # another load takes the one place
        return newer

    monkeypatch.setattr(repository.store, "load_after", evicted_meanwhile)
    loaded = await repository.load(Community, kept_id)
    assert loaded.community_id == kept_id
