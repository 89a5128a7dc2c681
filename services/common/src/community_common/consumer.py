"""The idempotent event consumer: a worker that hands each event to a projector or policy, and a
watchdog that never leaves it wedged.

At-least-once delivery: offsets are committed only after the handler has finished with a
record, so a crash or rebalance re-delivers, and handlers deduplicate by keeping the applied
ce_sequence beside the state it guards (`SequenceGuard`). Three kinds of trouble, three
answers:

- a record that can never be handled (not a CloudEvent of ours, undecodable payload, or a
  handler that keeps failing on it, MAX_HANDLER_ATTEMPTS times) goes to `<topic>.dlq` with the
  error in its headers, and the consumer moves on;
- MongoDB or Kafka being unreachable is not the record's fault: the consumer blocks and
  retries with backoff, never dead-lettering for an outage;
- event types the consumer does not handle are skipped without being decoded.

The records are read by a `ConsumerRun` (community_common.consumer_run): one kafka-python
consumer on its own thread. The watchdog replaces the run with a fresh one, logged with the
reason and counted in `restarts`, when it holds no partitions past `assignment_grace_s` while
the group leaves partitions without an owner, when its loop has not moved for `stall_after_s`,
or when it died. `unready_reason()` tells the service's health what keeps it from working.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from kafka.admin import KafkaAdminClient

from community_common.consumer_run import ConsumerRun, ConsumerSpec, EventHandler
from community_common.envelope import EventEnvelope
from community_common.kafka_clients import RECONNECT_BACKOFF_MAX_MS

log = logging.getLogger("community_common.consumer")

# A handler that fails this many times on the same record is failing deterministically.
MAX_HANDLER_ATTEMPTS = 3
# A member joins in well under a second; past this it holds no partitions for a reason (and
# the watchdog, asking the broker first, replaces it within the 10 s recovery bound).
ASSIGNMENT_GRACE_S = 5.0
# A rebalance takes a member's partitions away for a moment: not a reason to report unready.
REBALANCE_SETTLE_S = 5.0
# A run that has no member id yet is still joining its group; on a loaded machine a first
# join takes seconds. Past this it is wedged too.
JOIN_PATIENCE_S = 15.0
# A poll takes 100 ms and a record a few (the loop moves even while its group rebalances);
# a loop this long without either is stuck.
STALL_AFTER_S = 15.0
# Blocked this long on metadata or an outage, the consumer says so in health.
WAIT_REPORT_S = 1.0
WATCH_INTERVAL_S = 1.0
# A run that will not end when asked is abandoned (it ends itself once it wakes up).
RUN_STOP_TIMEOUT_S = 10.0

__all__ = ["MAX_HANDLER_ATTEMPTS", "EventConsumer", "EventHandler"]


class EventConsumer:
    """A background worker consuming `topics` as consumer group `group_id`.

    `handler(event, message)` is called once per record (more after a crash: deduplicate),
    in partition order, from the consumer's own thread. `handles` limits it to those ce_types.
    `checkpoint(event)`, if given, runs after every well-formed event, handled or not (e.g.
    `ConsistencyCheckpoints.record`, so consistency tokens advance past skipped types too).
    While `paused()` says True the consumer handles nothing and stays in its group.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        group_id: str,
        topics: Sequence[str],
        handler: EventHandler,
        *,
        handles: Collection[str] | None = None,
        checkpoint: Callable[[EventEnvelope], None] | None = None,
        paused: Callable[[], bool] | None = None,
        max_attempts: int = MAX_HANDLER_ATTEMPTS,
        dlq_partitions: int = 6,
        consumer_options: Mapping[str, Any] | None = None,
        assignment_grace_s: float = ASSIGNMENT_GRACE_S,
        stall_after_s: float = STALL_AFTER_S,
    ) -> None:
        self.name = f"consumer:{group_id}"
        self.group_id = group_id
        self.spec = ConsumerSpec(
            name=self.name,
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            topics=list(topics),
            handler=handler,
            handles=frozenset(handles) if handles is not None else None,
            checkpoint=checkpoint,
            max_attempts=max_attempts,
            dlq_partitions=dlq_partitions,
            consumer_options=dict(consumer_options or {}),
            paused=paused,
        )
        self.assignment_grace_s = assignment_grace_s
        self.stall_after_s = stall_after_s
        # How many times the watchdog replaced a wedged run.
        self.restarts = 0
        self._run: ConsumerRun | None = None
        # The run the watchdog last found standing by (the group owns every partition without
        # it: more members than partitions), and when: an idle member is healthy, not wedged,
        # until a look older than the grace period is taken again.
        self._standby: tuple[ConsumerRun, float] | None = None
        self._stopping = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._admin: KafkaAdminClient | None = None

    # --- worker lifecycle ----------------------------------------------------------------

    def start(self) -> None:
        self._stopping.clear()
        self._run = self._new_run()
        self._watchdog = threading.Thread(
            target=self._watch, name=f"{self.name}-watchdog", daemon=True
        )
        self._watchdog.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._watchdog is not None:
            self._watchdog.join(timeout)
        if self._run is not None:
            self._run.stop(timeout)

    def is_running(self) -> bool:
        return self._run is not None and self._run.is_alive()

    def unready_reason(self) -> str | None:
        """Why this consumer cannot do its work right now, or None when it can."""
        run = self._run
        if run is None or not run.is_alive():
            return f"{self.name} not running"
        progress = run.progress
        now = time.monotonic()
        if progress.waiting_for is not None and now - progress.waiting_since >= WAIT_REPORT_S:
            return f"{self.name} waiting for {progress.waiting_for}"
        if now - progress.moved_at >= self.stall_after_s:
            where = f" handling {progress.handling}" if progress.handling else ""
            stuck_for = now - progress.moved_at
            return f"{self.name} stuck{where}: its loop has not moved for {stuck_for:.0f}s"
        # Health trusts the watchdog's last look for twice as long as the watchdog does, so it
        # does not flicker while the watchdog looks again.
        if progress.assignment or self._stands_by(run, 2 * self.assignment_grace_s):
            return None
        if not progress.ever_assigned:
            return f"{self.name} has no partitions assigned yet"
        if now - progress.unassigned_since >= REBALANCE_SETTLE_S:
            return f"{self.name} has held no partitions for {now - progress.unassigned_since:.0f}s"
        return None

    # --- the watchdog --------------------------------------------------------------------

    def _new_run(self) -> ConsumerRun:
        run = ConsumerRun(self.spec, generation=self.restarts)
        run.start()
        return run

    def _watch(self) -> None:
        try:
            while not self._stopping.wait(WATCH_INTERVAL_S):
                run = self._run
                if run is None:
                    continue
                reason = self._wedged(run)
                if reason is not None and not self._stopping.is_set():
                    self._restart(run, reason)
        finally:
            if self._admin is not None:
                with contextlib.suppress(Exception):
                    self._admin.close()

    def _wedged(self, run: ConsumerRun) -> str | None:
        """Why `run` must be replaced, or None while it works (or only waits for others)."""
        if not run.is_alive():
            return "its thread ended"
        progress = run.progress
        now = time.monotonic()
        if progress.waiting_for is not None:
            # Blocked on metadata or an outage: a new run would block on the same thing.
            return None
        if now - progress.moved_at >= self.stall_after_s:
            if progress.handling is not None:
                # Stuck in the service's handler: a new run would call it again on the same
                # record (and on the same event loop). Health reports it; nothing to replace.
                return None
            return f"its loop has not moved for {now - progress.moved_at:.0f}s"
        if progress.assignment:
            self._standby = None
            return None
        unassigned_for = now - max(progress.unassigned_since, progress.started_at)
        if unassigned_for < self.assignment_grace_s or self._stands_by(
            run, self.assignment_grace_s
        ):
            return None
        if not progress.member_id and unassigned_for < JOIN_PATIENCE_S:
            return None
        return self._unowned_partitions(run, unassigned_for)

    def _unowned_partitions(self, run: ConsumerRun, unassigned_for: float) -> str | None:
        """Asks the broker who owns the partitions while `run`'s member holds none."""
        progress = run.progress
        try:
            if self._admin is None:
                self._admin = KafkaAdminClient(
                    bootstrap_servers=self.spec.bootstrap_servers,
                    client_id=f"{self.name}-watchdog",
                    request_timeout_ms=5000,
                    reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
                )
            group = self._admin.describe_groups([self.group_id])[self.group_id]
        except Exception as error:
            # The broker cannot say; the Kafka probe reports an outage, and we look again.
            log.info("%s: watchdog could not describe the group: %r", self.name, error)
            return None
        if group.get("group_state") in ("PreparingRebalance", "CompletingRebalance"):
            # Mid-rebalance nobody owns anything yet; judge the group once it has settled.
            return None
        members = group.get("members") or []
        owned_by_others = 0
        me = None
        for member in members:
            assignment = member.get("member_assignment") or {}
            owned = sum(len(t["partitions"]) for t in assignment.get("assigned_partitions", []))
            if member["member_id"] == progress.member_id:
                me = owned
            else:
                owned_by_others += owned
        if me == 0 and owned_by_others >= progress.partitions:
            self._standby = (run, time.monotonic())
            log.info("%s: every partition has another owner; this member stands by", self.name)
            return None
        if me is None:
            return f"no partitions for {unassigned_for:.0f}s and the group does not list it"
        if me > 0:
            # The broker says this member owns partitions its client never took up: the
            # kafka-python wedge, or, on a loaded machine, a client still taking them up.
            if unassigned_for < 2 * self.assignment_grace_s:
                return None
            return f"no partitions for {unassigned_for:.0f}s, though the group gave it {me}"
        return (
            f"no partitions for {unassigned_for:.0f}s while "
            f"{progress.partitions - owned_by_others} of {progress.partitions} have no owner"
        )

    def _stands_by(self, run: ConsumerRun, looked_within_s: float) -> bool:
        standby = self._standby
        return (
            standby is not None
            and standby[0] is run
            and time.monotonic() - standby[1] < looked_within_s
        )

    def _restart(self, run: ConsumerRun, reason: str) -> None:
        self.restarts += 1
        log.warning(
            "%s: restarting the consumer: %s",
            self.name,
            reason,
            extra={"fields": {"reason": reason, "restarts": self.restarts}},
        )
        if not run.stop(RUN_STOP_TIMEOUT_S):
            log.warning("%s: the wedged run did not stop; abandoned", self.name)
        if not self._stopping.is_set():
            self._run = self._new_run()
