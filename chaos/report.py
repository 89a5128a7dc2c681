"""The table and `.local/chaos/report.json`: per fault, what was acknowledged, lost,
duplicated and out of order, and how long recovery took against its bound."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from chaos.ledger import Ledger
from chaos.reconcile import Findings


def rows(ledger: Ledger, found: Findings) -> list[dict[str, Any]]:
    acked: dict[str, int] = {}
    for ack in ledger.acks:
        acked[ack.phase] = acked.get(ack.phase, 0) + 1
    out = []
    for phase in ledger.phases:
        recovered = phase.recovery_s is not None and (
            phase.bound_s is None or phase.recovery_s <= phase.bound_s)
        out.append({
            "fault": phase.name,
            "kind": phase.kind,
            "acknowledged": acked.get(phase.name, 0),
            "lost": len(found.lost.get(phase.name, ())),
            "duplicated": len(found.duplicated.get(phase.name, ())),
            "out_of_order": len(found.out_of_order.get(phase.name, ())),
            "gave_up": sum(1 for g in ledger.gave_up if g["phase"] == phase.name),
            "recovery_s": None if phase.recovery_s is None else round(phase.recovery_s, 1),
            "recovery_bound_s": phase.bound_s,
            "recovered_in_bound": True if phase.bound_s is None else recovered,
            "rule_broken": phase.failed,
            "notes": phase.notes,
        })
    return out


def goals_met(table: list[dict[str, Any]], found: Findings) -> bool:
    return (all(r["lost"] == r["duplicated"] == r["out_of_order"] == 0 and r["recovered_in_bound"]
                and not r["rule_broken"] for r in table)
            and not found.facts.get("insights_mismatches")
            and not found.facts.get("dlq_unexpected")
            and not found.facts.get("dlq_missing_poison"))


def render(table: list[dict[str, Any]]) -> str:
    head = (f"{'fault':<46} {'acked':>6} {'lost':>5} {'dup':>4} {'ooo':>4} "
            f"{'gave up':>7} {'recovery':>9} {'bound':>6}")
    lines = [head, "-" * len(head)]
    for r in table:
        rec = ("never" if r["recovery_bound_s"] is not None else "-") if r[
            "recovery_s"] is None else f"{r['recovery_s']:.1f}s"
        bound = "" if r["recovery_bound_s"] is None else f"{r['recovery_bound_s']:.0f}s"
        flag = ("" if r["recovered_in_bound"] else "  MISSED") + ("  BROKEN" if r["rule_broken"]
                                                                  else "")
        lines.append(f"{r['fault'][:46]:<46} {r['acknowledged']:>6} {r['lost']:>5} "
                     f"{r['duplicated']:>4} {r['out_of_order']:>4} {r['gave_up']:>7} "
                     f"{rec:>9} {bound:>6}{flag}")
    total = {k: sum(r[k] for r in table)
             for k in ("acknowledged", "lost", "duplicated", "out_of_order", "gave_up")}
    lines.append("-" * len(head))
    lines.append(f"{'total':<46} {total['acknowledged']:>6} {total['lost']:>5} "
                 f"{total['duplicated']:>4} {total['out_of_order']:>4} {total['gave_up']:>7}")
    return "\n".join(lines)


def write(path: Path, table: list[dict[str, Any]], found: Findings, ledger: Ledger,
          meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    path.write_text(json.dumps({
        **meta, "commit": commit, "goals_met": goals_met(table, found), "faults": table,
        "facts": found.facts, "problems": found.problems, "gave_up": ledger.gave_up[:100],
    }, indent=2, default=str))
