"""The short chaos run (`python -m chaos --short`): one fault of each kind under a smaller load,
on its own servers (instance `chaos-short`: its own Kafka, FerretDB and PostgreSQL, never the
`test` ones other suites use), which it starts and stops by PID.

Each fault must lose, duplicate and reorder nothing that was acknowledged, and the canary
must round-trip again within the fault's recovery bound — a poll deadline (10 s for a service
replica, 30 s for a broker or database restart), not a measured speed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / ".local" / "chaos" / "report-short.json"
LOG = ROOT / ".local" / "chaos" / "run-short.log"
# The run gives its faults 4 minutes; starting its 13 servers and setting up its communities
# comes on top (about a minute on an idle 2-core machine, four when it is shared and busy).
RUN_TIMEOUT_S = 900

pytestmark = pytest.mark.timeout(RUN_TIMEOUT_S + 240)


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    REPORT.unlink(missing_ok=True)
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with LOG.open("w") as log:
        run = subprocess.Popen([sys.executable, "-m", "chaos", "--short"], cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        run.wait(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        run.send_signal(signal.SIGTERM)  # the run stops its servers, then reports
        run.wait(timeout=180)
    finally:
        # Whatever happened to the run, its servers stop (by their PID files).
        subprocess.run([sys.executable, "deploy/local/stack.py", "down", "--instance",
                        "chaos-short"], cwd=ROOT, capture_output=True)
    output = LOG.read_text()
    print(output[-8000:])
    assert REPORT.exists(), f"no report; the run's output:\n{output[-3000:]}"
    result: dict[str, Any] = json.loads(REPORT.read_text())
    result["output"] = output
    return result


KINDS = ["service replica", "lease holder", "lease holder stopped", "insights worker",
         "broker/database", "poison", "replay", "consumer before metadata"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_fault_loses_duplicates_and_reorders_nothing_and_recovers_in_its_bound(
        report: dict[str, Any], kind: str) -> None:
    rows = [r for r in report["faults"] if r["kind"] == kind]
    assert rows, f"no {kind} fault ran:\n{report['output'][-3000:]}"
    for row in rows:
        assert (row["lost"], row["duplicated"], row["out_of_order"]) == (0, 0, 0), (
            row, report["problems"][:20])
        assert row["recovered_in_bound"], (
            f"{row['fault']}: no canary round trip within {row['recovery_bound_s']} s "
            f"({row['notes']})")


def test_writes_acknowledged_before_and_between_the_faults_are_all_there(
        report: dict[str, Any]) -> None:
    rows = [r for r in report["faults"] if r["kind"] in ("setup", "baseline", "drain")]
    assert sum(r["acknowledged"] for r in report["faults"]) > 100
    for row in rows:
        assert (row["lost"], row["duplicated"], row["out_of_order"]) == (0, 0, 0), row


def test_insights_equal_the_oracle_and_the_dlqs_hold_exactly_the_poison(
        report: dict[str, Any]) -> None:
    facts = report["facts"]
    assert not facts.get("insights_mismatches"), report["problems"]
    assert not facts.get("dlq_unexpected"), report["problems"]
    assert not facts.get("dlq_missing_poison"), report["problems"]
    assert report["goals_met"], report["problems"]
