"""What the clients were told: every acknowledged write, and the phase (fault) it was sent in.

A write counts as acknowledged when the service answered it OK; whatever happens after, it
must be found everywhere at the end (`reconcile`). Phases are the time windows of the faults,
so a lost or duplicated write is charged to the fault it was sent during.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Ack:
    kind: str  # CreateCommunity, JoinCommunity, CreatePost, AddComment, LikePost, ReportContent
    request_id: str
    user_id: str
    phase: str
    service: str
    community_id: str = ""
    post_id: str = ""
    comment_id: str = ""
    report_id: str = ""
    consistency_token: str = ""
    attempts: int = 1


@dataclass
class Phase:
    name: str
    kind: str
    started: float  # wall clock (time.time), comparable with ce_time
    ended: float = 0.0
    recovery_s: float | None = None
    bound_s: float | None = None
    notes: list[str] = field(default_factory=list)
    # The fault broke a rule of its own (e.g. health said SERVING without the broker).
    failed: bool = False


class Ledger:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.acks: list[Ack] = []
        self.gave_up: list[dict[str, str]] = []
        self.phases: list[Phase] = [Phase("setup", "setup", time.time())]

    @property
    def phase(self) -> Phase:
        return self.phases[-1]

    def begin(self, name: str, kind: str, bound_s: float | None) -> Phase:
        with self._lock:
            self.phases[-1].ended = time.time()
            self.phases.append(Phase(name, kind, time.time(), bound_s=bound_s))
            return self.phases[-1]

    def end(self) -> None:
        with self._lock:
            self.phases[-1].ended = time.time()

    def acknowledged(self, ack: Ack) -> None:
        with self._lock:
            self.acks.append(ack)

    def failed(self, kind: str, request_id: str, error: str) -> None:
        with self._lock:
            self.gave_up.append({"kind": kind, "request_id": request_id, "phase": self.phase.name,
                                 "error": error})

    def phase_at(self, wall: float) -> str:
        """The phase running at wall-clock time `wall` (an event's ce_time)."""
        for phase in reversed(self.phases):
            if wall >= phase.started:
                return phase.name
        return self.phases[0].name

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            path.write_text(json.dumps({"acks": [asdict(a) for a in self.acks],
                                        "gave_up": self.gave_up}, indent=1))
