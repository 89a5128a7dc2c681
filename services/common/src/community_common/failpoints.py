"""Failpoints: kill the process at a named step, to prove what a crash there leaves behind.

Off unless `COMMUNITY_FAILPOINTS` names the step (comma-separated), which only tests and
chaos drills set. The kill is SIGKILL: no cleanup runs, as in a real crash.

Steps: `after-commit` (a command's commit is stored, its response not yet sent),
`rebuild-checkpointed` (a rebuild saved its first checkpoint: community_common.rebuild).
"""

from __future__ import annotations

import os
import signal


def failpoint(step: str) -> None:
    enabled = os.environ.get("COMMUNITY_FAILPOINTS", "")
    if step in {name.strip() for name in enabled.split(",")}:
        os.kill(os.getpid(), signal.SIGKILL)
