"""One chaos run: servers up, arenas and the canary set up, the load started, the faults one
at a time (each timed by the canary), the load stopped, the reconciliation, the report."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chaos import report
from chaos.canary import Canary
from chaos.client import Channels
from chaos.cluster import SERVICES, Cluster
from chaos.faults import Fault
from chaos.ledger import Ledger
from chaos.load import Load, World
from chaos.reconcile import Findings, reconcile


@dataclass
class Settings:
    instance: str
    replicas: int
    clients: int
    pace_s: float
    arenas: int
    settle_s: float
    plan: list[Fault]
    report: Path
    run_id: str
    # Faults start only within this many seconds of the run's start (`make chaos`: the whole
    # run is bounded) or of the first fault (the short run: every kind must run).
    budget_s: float = 480.0
    budget_from_start: bool = True
    keep: bool = False


def say(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Run:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cluster = Cluster.named(settings.instance, settings.replicas)
        self.ledger = Ledger()

    def execute(self) -> bool:
        s, ledger = self.settings, self.ledger
        run_from = time.monotonic()
        found = Findings()
        channels: Channels | None = None
        try:
            say(f"starting instance {s.instance}: {s.replicas} replicas of every service")
            self.cluster.start()
            channels = Channels({svc: self.cluster.addresses(svc) for svc in SERVICES})
            world = World(channels, self.cluster.secret, ledger, s.run_id)
            arenas = [world.arena(f"arena {i}") for i in range(s.arenas)]
            canary = Canary(world, world.arena("canary", played=False))
            say(f"{len(arenas)} arenas and the canary set up ({len(ledger.acks)} writes)")
            load = Load(world, s.clients, s.pace_s)
            ledger.begin("no fault (baseline)", "baseline", None)
            load.start()
            # The canary's round trip with no fault: what every recovery time includes.
            ledger.phase.recovery_s = canary.recovery(time.monotonic(), 60)
            say(f"baseline canary round trip {ledger.phase.recovery_s} s")
            time.sleep(s.settle_s)  # the load alone, for the baseline row
            faults_from = run_from if s.budget_from_start else time.monotonic()
            for fault in s.plan:
                if time.monotonic() - faults_from > s.budget_s:
                    ledger.begin(fault.name, fault.kind, fault.bound_s).notes.append(
                        f"not run: the faults' {s.budget_s:.0f} s budget was spent")
                    continue
                self._inject(fault, canary)
            ledger.begin("drain (load stopping)", "drain", None)
            load.stop()
            ledger.end()
            say(f"load stopped: {len(ledger.acks)} acknowledged writes; reconciling")
            found = reconcile(self.cluster, ledger, [*arenas, canary.arena])
        except BaseException:
            found.problems.append("the run broke off: " + traceback.format_exc(limit=5))
            say(found.problems[-1])
        finally:
            if channels is not None:
                channels.close()
            if not s.keep:
                say("stopping the servers")
                self.cluster.stop()
        ledger.save(s.report.with_name(s.report.stem + "-ledger.json"))
        table = report.rows(ledger, found)
        print()
        print(report.render(table))
        for problem in found.problems[:30]:
            print("  " + problem)
        report.write(s.report, table, found, ledger,
                     {"instance": s.instance, "replicas": s.replicas, "clients": s.clients})
        ok = report.goals_met(table, found) and not any(
            p.startswith("the run broke off") for p in found.problems)
        print("\ngoals " + ("met: 0 lost, 0 duplicated, 0 out of order, every recovery in bound"
                            if ok else "MISSED (see above and the report)"))
        return ok

    def _inject(self, fault: Fault, canary: Canary) -> None:
        phase = self.ledger.begin(fault.name, fault.kind, fault.bound_s)
        say(f"fault: {fault.name}")
        since = time.monotonic()
        try:
            restore = fault.inject(self.cluster)
        except Exception as error:
            phase.notes.append(f"could not inject: {error!r}")
            say(phase.notes[-1])
            return
        since = fault.broken_at or since
        restorer = self._background(restore, phase.notes) if restore else None
        # The bound is a poll deadline: no round trip by then is a miss, whatever comes after.
        phase.recovery_s = canary.recovery(since, fault.bound_s)
        if phase.recovery_s is None:
            # Let it recover before the next fault, and say how long that took.
            late = canary.recovery(since, 2 * fault.bound_s + 30)
            phase.notes.append("no canary round trip within the bound; "
                               + (f"one after {late:.1f} s" if late else "none at all"))
        if canary.stages:
            phase.notes.append("canary stages (s after the fault): " + ", ".join(
                f"{stage} {at}" for stage, at in canary.stages.items()))
        if restorer is not None:
            restorer.join(180)
        phase.notes += fault.notes
        phase.failed = fault.failed
        self._supervise(phase.notes)
        say(f"  recovered in {phase.recovery_s and round(phase.recovery_s, 1)} s "
            f"(bound {fault.bound_s:.0f} s) {'; '.join(phase.notes)}")
        time.sleep(self.settings.settle_s)  # the load, undisturbed, between two faults

    def _supervise(self, notes: list[str]) -> None:
        """What a process supervisor does: a service process that exited during the fault
        (not the one the fault killed: that one is back already) is noted and restarted."""
        import stack

        for kind in stack.SERVICE_PROCESSES:
            for replica in stack.replica_ids(self.settings.replicas):
                name = stack.process_name(kind, replica)
                if not self.cluster.pid(name):
                    notes.append(f"{name} exited during the fault (restarted)")
                    try:
                        self.cluster.start_service(kind, replica)
                    except BaseException as error:  # stack.wait_for exits with SystemExit
                        notes.append(f"{name} restart failed: {error!r}")

    @staticmethod
    def _background(action: Callable[[], None], notes: list[str]) -> threading.Thread:
        def run() -> None:
            try:
                action()
            except BaseException as error:  # stack.wait_for exits with SystemExit
                notes.append(f"restore failed: {error!r}")

        thread = threading.Thread(target=run, name="chaos-restore", daemon=True)
        thread.start()
        return thread
