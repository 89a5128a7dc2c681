"""GetInsights `as_of_date` (SPEC §7) against the independent oracle cut at that day: for
every day of a 60-day history (and the day before it began), in zones with :45 offsets and
DST, every space's answer is the oracle's figures of the events up to that day's end — or,
when the oracle counts 50 members or fewer that day, the threshold refusal with that count
("0" before the space existed). The state is the worker's, built by the real codec and
ledger from the history's records; the figures come through the API's request parsing and
the application's checks. Half the history is delivered twice."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from community.insights.v1 import insights_service_pb2 as pb
from community_common.context import Caller
from community_common.errors import FailedPrecondition
from insights.api import parse_request
from insights.application.get_insights import InsightsQueries
from insights.codecs import fill_figures, observe
from insights.domain.calendar import end_of_day
from insights.domain.ledger import apply_batch
from insights_history import generate
from insights_memory_view import MemoryServingView
from insights_oracle import figures as oracle_figures
from insights_oracle import from_response

NOW = datetime(2025, 3, 30, 21, 40, tzinfo=UTC)  # a DST change in Europe that morning
CASES = [(28, "UTC"), (60, "Asia/Kathmandu"), (7, "Europe/Paris")]
PLATFORM_ADMIN = Caller("ops", True)


@pytest.fixture(scope="module")
def history():
    return generate("asof", NOW, events=6_000)


@pytest.fixture(scope="module")
async def queries(history):
    log, _ = history
    view = MemoryServingView()
    observed = [o for o in (observe(r.key, r.value, r.headers) for r in log.records) if o]
    for i in range(0, len(observed), 250):
        await view.save(apply_batch(observed[i:i + 250], view.values.get))
    # The second half delivered again, in other batches: the months count each event once too.
    for i in range(len(observed) // 2, len(observed), 97):
        await view.save(apply_batch(observed[i:i + 97], view.values.get))
    return InsightsQueries(view, clock=lambda: NOW)


def cut(events, day: date, zone: ZoneInfo):
    """The events a replay up to the end of `day` in `zone` has seen."""
    return [(m, at) for m, at in events if at.astimezone(zone).date() <= day]


async def answer(queries, space, range_days, zone, day):
    """The space's figures as GetInsights gives them for that day, or its refusal's
    metadata."""
    request = pb.GetInsightsRequest(community_id=space[0], group_id=space[1],
                                    range_days=range_days, time_zone=zone,
                                    as_of_date=day.isoformat())
    try:
        figures = await queries.get_insights(PLATFORM_ADMIN, parse_request(request, NOW))
    except FailedPrecondition as refused:
        return refused.metadata
    response = pb.GetInsightsResponse()
    fill_figures(response, figures)
    return from_response(response), response.as_of.ToDatetime(UTC)


@pytest.mark.parametrize(("range_days", "zone"), CASES)
async def test_every_day_of_60_equals_the_oracle_cut_at_that_day(
    history, queries, range_days, zone
):
    log, spaces = history
    tz = ZoneInfo(zone)
    events = [(r.message, r.at) for r in log.records]
    first = min(at for _, at in events).astimezone(tz).date()
    today = NOW.astimezone(tz).date()
    assert (today - first).days >= 59
    served = refused = 0
    for offset in range((today - first).days + 2):
        day = first - timedelta(days=1) + timedelta(days=offset)
        seen = cut(events, day, tz)
        for space in spaces:
            # Any instant of the day stands for it: the oracle counts days up to "today".
            # (Only the community's events: the oracle ignores the others anyway.)
            expected = oracle_figures([e for e in seen if e[0].community_id == space[0]],
                                      *space, range_days, zone,
                                      datetime.combine(day, datetime.min.time(), tz))
            got = await answer(queries, space, range_days, zone, day)
            if expected["member_count"] > 50:
                figures, as_of = got
                assert figures == expected, (space, day)
                # Complete up to the day's end, or the community's latest event if earlier.
                latest = max(at for m, at in events if m.community_id == space[0])
                latest = latest.replace(microsecond=latest.microsecond // 1000 * 1000)  # ce_time
                assert as_of == min(latest, end_of_day(day, tz)), (space, day)
                served += 1
            else:
                assert got == {"member_count": str(expected["member_count"]),
                               "threshold": "50"}, (space, day)
                refused += 1
    assert served > 100 and refused > 100


async def test_today_is_now(history, queries):
    """`as_of_date` today gives what the request without it gives."""
    _, spaces = history
    space = next(s for s in spaces if not s[1])
    now_request = pb.GetInsightsRequest(community_id=space[0], range_days=60)
    today_request = pb.GetInsightsRequest(community_id=space[0], range_days=60,
                                          as_of_date=NOW.date().isoformat())
    now = await queries.get_insights(PLATFORM_ADMIN, parse_request(now_request, NOW))
    today = await queries.get_insights(PLATFORM_ADMIN, parse_request(today_request, NOW))
    assert today == now
