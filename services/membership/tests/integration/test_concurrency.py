"""Race safety with real OS processes against the real MongoDB-protocol server.

Six processes run each step at the same moment through the application layer; the counts
must be exact every time: the per-owner limit holds, no two writes to one community apply on
the same version, the invitation quota holds, and one request id creates one community.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from community_contracts import reasons
from membership.application.projection import memberships_of
from membership.application.service import MembershipService
from membership.domain import roles
from membership.domain.community import Actor, Community

WORKERS = 6
WORKER = Path(__file__).with_name("concurrent_worker.py")


def wait_for_files(
    paths: list[Path], processes: list[subprocess.Popen[bytes]], timeout_s: float = 120.0
) -> None:
    deadline = time.monotonic() + timeout_s
    while not all(p.exists() for p in paths):
        assert time.monotonic() < deadline, "workers did not get there in time"
        # A worker done with its last step exits 0; any other exit is a crash.
        assert all(p.poll() in (None, 0) for p in processes), "a worker crashed"
        time.sleep(0.01)


def run_plan(
    mongo_uri: str, db_name: str, tmp_path: Path, plan: list[dict[str, Any]]
) -> list[list[str]]:
    """Run the plan in WORKERS processes, each step started at once; the outcomes per step."""
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan))
    command = [sys.executable, str(WORKER), mongo_uri, db_name, str(tmp_path)]
    processes = [subprocess.Popen([*command, str(i), str(plan_file)]) for i in range(WORKERS)]
    try:
        outcomes = []
        for step in range(len(plan)):
            ready = [tmp_path / f"ready-{step}-{i}" for i in range(WORKERS)]
            wait_for_files(ready, processes)
            (tmp_path / f"go-{step}").touch()
            results = [tmp_path / f"result-{step}-{i}" for i in range(WORKERS)]
            wait_for_files(results, processes)
            outcomes.append([r.read_text() for r in results])
        for process in processes:
            assert process.wait(60) == 0
        return outcomes
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()


async def test_concurrent_commands_from_several_processes(
    service: MembershipService, mongo_uri: str, db_name: str, tmp_path: Path, unique
) -> None:
    owner, member, creator, retrier = (unique(n) for n in ("owner", "amy", "cre", "retry"))
    open_id = (
        await service.create_community(Actor(owner), "Open", "", [], 1, 1, "")
    ).community.community_id
    await service.join_community(Actor(member), open_id, "")
    plan = [
        {"op": "create", "user": creator},
        {"op": "join", "user": unique("joiner") + "-{i}", "community_id": open_id},
        {"op": "invite", "user": member, "community_id": open_id, "invitee": "guest-{i}"},
        {"op": "create", "user": retrier, "request_id": "same-request"},
    ]
    outcomes = await asyncio.to_thread(run_plan, mongo_uri, db_name, tmp_path, plan)
    creates, joins, invites, retries = outcomes

    # The limit holds: exactly the three free slots succeed, the rest are told why.
    created = [o.split()[1] for o in creates if o.startswith("ok")]
    assert len(created) == 3, creates
    assert Counter(o for o in creates if not o.startswith("ok")) == {
        reasons.COMMUNITY_LIMIT_REACHED: WORKERS - 3
    }
    owned = memberships_of(await service.read_models.user_facts(creator))
    assert sorted(m.community_id for m in owned if m.role == roles.OWNER) == sorted(created)

    # Every join applied, each on its own version: versions 3..8, no two alike.
    assert all(o.startswith("ok") for o in joins), joins
    tokens = sorted(int(o.split(":")[-1]) for o in joins)
    assert tokens == list(range(3, 3 + WORKERS))

    # A member's five invitations hold under concurrency.
    assert sum(o.startswith("ok") for o in invites) == 5, invites
    assert [o for o in invites if not o.startswith("ok")] == [reasons.INVITE_QUOTA_EXHAUSTED]
    community = await service.repository.load(Community, open_id)
    assert (community.version, community.member_count) == (2 + WORKERS + 5, 2 + WORKERS)
    stream = await service.store.load(open_id, use_snapshot=False)
    assert [e.sequence for e in stream.events] == list(range(1, community.version + 1))

    # One request id, sent six times at once: one community, the same answer for all.
    assert len(set(retries)) == 1 and retries[0].startswith("ok"), retries
    mine = memberships_of(await service.read_models.user_facts(retrier))
    assert [m.community_id for m in mine] == [retries[0].split()[1]]
    retried = await service.store.load(retries[0].split()[1], use_snapshot=False)
    assert retried.version == 1
