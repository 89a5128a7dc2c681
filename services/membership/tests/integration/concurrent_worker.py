"""One OS process of the concurrency tests (run by test_concurrency.py, not collected).

    python concurrent_worker.py <mongo_uri> <database> <workdir> <index> <plan.json>

For each step of the plan it announces itself ready (`ready-<step>-<index>`), waits for the
parent's `go-<step>` so that every process starts the step at the same moment, runs the
command through the application layer against the real database, and writes the outcome to
`result-<step>-<index>` ("ok <answer>" or the refusal's reason).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from community_common.errors import DomainError
from community_common.mongo import async_client
from membership.bootstrap import membership_service
from membership.domain.community import Actor
from membership.domain.limits import Limits


def wait_for(path: Path, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {path}")
        time.sleep(0.002)


async def run_step(service: Any, step: dict[str, Any], index: int) -> str:
    op = step["op"]
    user = step["user"].format(i=index)
    actor = Actor(user)
    if op == "create":
        created = await service.create_community(
            actor, f"Race {index}", "", [], 1, 1, step.get("request_id", "")
        )
        return created.community.community_id
    if op == "join":
        joined = await service.join_community(actor, step["community_id"], "")
        return joined.consistency_token
    if op == "invite":
        invitee = step["invitee"].format(i=index)
        sent = await service.invite_member(actor, step["community_id"], invitee, "")
        return sent.invitation.invitation_id
    raise ValueError(op)


async def main(mongo_uri: str, database: str, work: Path, index: str, plan: list[Any]) -> None:
    client = async_client(mongo_uri)
    service = membership_service(client, database, Limits())
    try:
        for number, step in enumerate(plan):
            (work / f"ready-{number}-{index}").touch()
            wait_for(work / f"go-{number}")
            try:
                outcome = "ok " + await run_step(service, step, int(index))
            except DomainError as error:
                outcome = error.reason
            # Written aside and renamed, so the parent never reads a half-written file.
            partial = work / f"partial-{number}-{index}"
            partial.write_text(outcome)
            partial.rename(work / f"result-{number}-{index}")
    finally:
        await client.close()


if __name__ == "__main__":
    uri, db, workdir, worker_index, plan_file = sys.argv[1:6]
    steps = json.loads(Path(plan_file).read_text())
    asyncio.run(main(uri, db, Path(workdir), worker_index, steps))
