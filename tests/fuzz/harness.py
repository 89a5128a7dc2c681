"""What the fuzzer's conftest and tests share: the stack instance, the budget, the tally of
what was sent, and what is watched across the run."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
import stack
from communityctl.client import User

INSTANCE = stack.INSTANCES[os.environ.get("COMMUNITY_STACK_INSTANCE", "test")]
# Requests per RPC (and raw bodies per RPC): a short, derandomized budget for `make test`;
# `make fuzz` raises it.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# A service may grow this much over the run (caches, allocator pools) and no more.
RSS_MARGIN_KB = int(os.environ.get("FUZZ_RSS_MARGIN_KB", str(256 * 1024)))
# The run's numbers, beside the instance's data (`make fuzz`: .local/fuzz/fuzz-report.json).
REPORT = INSTANCE.dir / "fuzz-report.json"


@dataclass
class Tally:
    """What the run sent and what came back, for the report."""

    requests: int = 0
    rpcs: set[str] = field(default_factory=set)
    codes: Counter[str] = field(default_factory=Counter)

    def count(self, rpc: str, code: str) -> None:
        self.requests += 1
        self.rpcs.add(rpc)
        self.codes[code] += 1


TALLY = Tally()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


def log_path(service: str) -> Path:
    return INSTANCE.dir / "logs" / f"{service}.log"


@dataclass
class Watch:
    """Each service's pid, RSS and log size when fuzzing began."""

    pids: dict[str, int]
    rss_before: dict[str, int]
    log_offsets: dict[str, int]

    def new_log_lines(self, service: str) -> list[str]:
        with log_path(service).open("rb") as log:
            log.seek(self.log_offsets[service])
            return log.read().decode(errors="replace").splitlines()


def tracebacks_for_callers(lines: list[str]) -> list[str]:
    """Log lines with a traceback written while serving a call (they carry its request id),
    or by grpc itself, or raw (not a JSON line: something printed past the logger)."""
    found = []
    for line in lines:
        if "Traceback" not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            found.append(line)
            continue
        if "request_id" in record or str(record.get("logger", "")).startswith("grpc"):
            found.append(line)
    return found


@dataclass
class World:
    """Real resources the fuzzed requests may name, and the callers who send them."""

    owner: User
    member: User
    outsider: User
    ids: dict[str, list[str]]
    tokens: list[str]
