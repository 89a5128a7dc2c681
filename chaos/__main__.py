"""`python -m chaos [--short]`: start the chaos instance's servers, run the load and the
faults, reconcile, report; exit 1 when a goal is missed. The servers are stopped at the end,
by PID, whatever happened."""

from __future__ import annotations

import argparse
import signal
import sys
import time
import uuid
from pathlib import Path

from chaos import faults
from chaos.run import Run, Settings

ROOT = Path(__file__).resolve().parents[1]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", action="store_true",
                        help="one fault of each kind, a smaller load (make test's run)")
    parser.add_argument("--instance", help="stack.py instance (default: chaos, or chaos-short)")
    parser.add_argument("--keep", action="store_true", help="leave the servers running")
    parser.add_argument("--only", metavar="TEXT",
                        help="run only the faults whose name contains TEXT (e.g. kafka)")
    args = parser.parse_args()
    short = args.short
    plan = faults.short_plan() if short else faults.full_plan(2)
    if args.only:
        plan = [fault for fault in plan if args.only in fault.name]
        if not plan:
            parser.error(f"no fault's name contains {args.only!r}")
    settings = Settings(
        instance=args.instance or ("chaos-short" if short else "chaos"),
        replicas=2,
        clients=2 if short else 4,
        pace_s=0.2 if short else 0.05,
        arenas=1 if short else 2,
        settle_s=2.0 if short else 4.0,
        plan=plan,
        report=ROOT / ".local" / "chaos" / ("report-short.json" if short else "report.json"),
        run_id=uuid.uuid4().hex[:8],
        budget_s=240.0 if short else 480.0,
        budget_from_start=not short,
        keep=args.keep,
    )
    # A stopped run still stops its servers (Run.execute's finally).
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.monotonic()
    ok = Run(settings).execute()
    print(f"\nchaos run took {time.monotonic() - started:.0f} s; report: {settings.report}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
