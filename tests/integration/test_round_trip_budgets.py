"""Issue 16's budgets: database commands per mutation on a warm process, with and without a
request id (bench/round_trips.py counts them; `make bench` prints the same counts)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import round_trips


@pytest.mark.parametrize(
    "counts",
    [round_trips.feed_counts, round_trips.membership_counts, round_trips.moderation_counts],
    ids=["feed", "membership", "moderation"],
)
@pytest.mark.parametrize("with_id", [True, False], ids=["request_id", "no_request_id"])
async def test_commands_stay_within_their_budgets(mongo_uri: str, counts, with_id: bool) -> None:
    over = round_trips.over_budget(await counts(mongo_uri, with_id))
    assert not over, f"budgets {round_trips.BUDGETS}, (median, mean) over: {over}"
