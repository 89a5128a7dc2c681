"""How a worker keeps out of the way of `python -m insights.rebuild`.

A worker watches the rebuild state (community_common.rebuild.RebuildWatch). When a rebuild
is announced it is fenced: its view writer saves nothing more, its agent counts nothing more
(so no changelog record either) and it commits no offset; then it stops as on SIGTERM,
leaving the group, which the rebuild waits for before it resets the group's offsets and the
tables' changelogs. The process then waits for the rebuild to be done and starts over in
place (`exec`, same PID, so `make down` still finds it), recovering the rebuilt tables from
their changelogs and reading on from the offsets the rebuild set. A worker started while a
rebuild runs waits before it joins the group.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from typing import Any

from community_common.mongo import MONGO_OUTAGE_ERRORS, blocking_client
from community_common.rebuild import REBUILDS, RUNNING, WATCH_POLL_S, RebuildWatch

log = logging.getLogger("insights.rebuild_fence")

SERVICE = "insights"


def rebuilding(states: Any) -> bool:
    found = states.find_one({"_id": SERVICE}, {"state": 1})
    return found is not None and found.get("state") == RUNNING


def wait_while_rebuilding(mongodb_uri: str, database: str) -> None:
    """Before the worker joins its group: wait for a running rebuild to be done."""
    client = blocking_client(mongodb_uri)
    try:
        states = client[database][REBUILDS]
        announced = False
        while True:
            try:
                if not rebuilding(states):
                    return
            except MONGO_OUTAGE_ERRORS:
                log.warning("rebuild state unreadable, retrying", exc_info=True)
            if not announced:
                log.info("an insights rebuild is running: waiting for it to be done")
                announced = True
            time.sleep(WATCH_POLL_S)
    finally:
        client.close()


async def stop_when_rebuilding(watch: RebuildWatch, fence: Any) -> None:
    """The worker's task: once a rebuild runs, fence (`fence()`) and stop the worker."""
    while True:
        try:
            if await watch.refresh():
                break
        except Exception:  # an outage: keep counting, read it again
            log.debug("rebuild state unreadable", exc_info=True)
        await asyncio.sleep(WATCH_POLL_S)
    fence()
    log.warning("an insights rebuild started: fenced, leaving the group until it is done")
    os.kill(os.getpid(), signal.SIGTERM)


def start_over() -> None:
    """Run this worker again from the start, in this process (after a rebuild)."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
