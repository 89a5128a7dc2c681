"""The whole pipeline without Faust or I/O: records → codec → ledger → figures, against the
independent oracle, for a 10,000-event history, every range, and zones with :30/:45 offsets
and DST. Also: replaying the history twice (every event redelivered) changes nothing."""

from datetime import UTC, datetime

import pytest
from community.insights.v1 import insights_service_pb2
from insights.codecs import fill_figures, observe
from insights.domain.effects import Space
from insights.domain.figures import compute_figures, days_needed
from insights.domain.ledger import Target, Value, apply_batch, day_target, roster_target
from insights_history import generate
from insights_oracle import figures as oracle_figures
from insights_oracle import from_response

NOW = datetime(2025, 3, 30, 21, 40, tzinfo=UTC)  # a DST change in Europe that morning
CASES = [(7, "UTC"), (28, "UTC"), (60, "UTC"), (28, "Asia/Kolkata"), (60, "Asia/Kathmandu"),
         (7, "America/New_York"), (28, "Europe/Paris")]


@pytest.fixture(scope="module")
def history():
    return generate("oracle", NOW, events=10_000)


@pytest.fixture(scope="module")
def replayed(history) -> dict[Target, Value]:
    store: dict[Target, Value] = {}
    replay(history[0].records, store)
    return store


def replay(records, store: dict[Target, Value], batch: int = 500) -> None:
    observed = [observe(r.key, r.value, r.headers) for r in records]
    for i in range(0, len(observed), batch):
        changed = apply_batch([o for o in observed[i:i + batch] if o], store.get)
        store.update(changed)


def figures_from(store, community_id, group_id, range_days, zone):
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    space = Space(community_id, group_id)
    roster = store[roster_target(community_id)]
    days = {d: store.get(day_target(space, d)) for d in days_needed(range_days, tz, NOW)}
    figures = compute_figures(days, member_count=roster["headcounts"].get(group_id, 0),
                              as_of=roster["as_of"], range_days=range_days, zone=tz, now=NOW)
    response = insights_service_pb2.GetInsightsResponse()
    fill_figures(response, figures)
    return from_response(response)


def test_history_is_big_enough(history):
    log, spaces = history
    assert len(log.records) >= 10_000
    assert len(spaces) >= 8


@pytest.mark.parametrize(("range_days", "zone"), CASES)
def test_every_space_matches_the_oracle(history, replayed, zone, range_days):
    log, spaces = history
    store = replayed
    events = [(r.message, r.at) for r in log.records]
    for community_id, group_id in spaces:
        expected = oracle_figures(events, community_id, group_id, range_days, zone, NOW)
        assert figures_from(store, community_id, group_id, range_days, zone) == expected, (
            community_id, group_id)


def test_redelivering_everything_changes_nothing(history, replayed):
    log, spaces = history
    once = replayed
    twice: dict[Target, Value] = {}
    replay(log.records, twice, batch=333)
    # Redeliver the second half again, then everything, in different batch sizes.
    replay(log.records[len(log.records) // 2:], twice, batch=97)
    replay(log.records, twice, batch=1000)
    for community_id, group_id in spaces:
        assert figures_from(twice, community_id, group_id, 60, "UTC") == figures_from(
            once, community_id, group_id, 60, "UTC")
