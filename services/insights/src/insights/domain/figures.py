"""The SPEC §7 figures of one space, computed from its stored days for a range and a zone.

The range is the last `range_days` calendar days in the zone, today included; the active
members are those who took part in the last 1, 7 and 28 calendar days (also today
included), whatever the range. The stored quarter-hour buckets are placed in local days and
hours here, at read time, so any IANA zone gets exact figures from the same state.

Figures as of a past day are the same computation with "today" set to that day: every
bucket after the day's end is left out, so they are what a replay up to then gives. Its
member count is now's, less the joins and plus the leaves counted since (`members_at`).
Days are never dropped (tables and view keep every UTC day), so any of the last
`DAYS_BACK` days has its buckets, and the widest range before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from insights.domain.calendar import Window, bucket_start, last_days, utc_days
from insights.domain.effects import (
    DAILY_METRICS,
    ENGAGEMENT_METRICS,
    JOINS,
    LEAVES,
    MODERATION_METRICS,
)
from insights.domain.ledger import Value

RANGES = (7, 28, 60)
DEFAULT_RANGE = 28
ACTIVE_WINDOWS = (1, 7, 28)
TOP_CONTRIBUTORS = 10
TOP_POSTS = 5
# Figures are served only for spaces with more members than this (SPEC §7).
THRESHOLD = 50
# How far back `as_of_date` may go (SPEC §7).
DAYS_BACK = 365


@dataclass
class Figures:
    range_days: int
    time_zone: str
    member_count: int
    # Per metric (DAILY_METRICS and MODERATION_METRICS): the count in range.
    totals: dict[str, int]
    # Per local day of the range, oldest first: (date, counts of DAILY_METRICS).
    daily: list[tuple[str, dict[str, int]]]
    active_members: dict[int, int]
    popular_hours: list[int]
    popular_days: list[int]
    top_contributors: list[tuple[str, int]]
    top_posts: list[tuple[str, int]]
    # RFC 3339 event time up to which the figures are complete; empty before any event.
    as_of: str = ""

    @property
    def net_growth(self) -> int:
        return self.totals["joins"] - self.totals["leaves"]

    @property
    def engagement_rate(self) -> float:
        return self.active_members[28] / self.member_count if self.member_count else 0.0


def days_needed(range_days: int, zone: ZoneInfo, now: datetime) -> list[str]:
    """The UTC days to load: the range and the 28-day active window, whichever is longer."""
    return utc_days(last_days(max(range_days, max(ACTIVE_WINDOWS)), zone, now))


def members_at(
    members_now: int,
    moment: datetime,
    day: Value | None,
    months: Mapping[str, Value | None],
) -> int:
    """A space's member count at `moment` (a quarter-hour boundary), from its count now.

    Every headcount change of an open space is also counted, in the same event's buckets, as
    a join (+1) or a leave (-1) (`effects._joined`, `_left`), so undoing the joins and leaves
    counted from `moment` on gives the count then, whatever order the events arrived in:
    those of `moment`'s UTC day (`day`) by quarter hour, those of the days after it by day
    (`months`: every UTC month from `moment`'s to the latest event's).
    """
    first_day = moment.astimezone(UTC).date().isoformat()
    since = 0
    for metric, sign in ((JOINS, 1), (LEAVES, -1)):
        for quarter, count in (day or {}).get("counts", {}).get(metric, {}).items():
            if bucket_start(first_day, quarter) >= moment:
                since += sign * count
        for month in months.values():
            for utc_day, count in (month or {}).get("counts", {}).get(metric, {}).items():
                if utc_day > first_day:
                    since += sign * count
    return members_now - since


def compute_figures(
    days: Mapping[str, Value | None],
    *,
    member_count: int,
    as_of: str,
    range_days: int,
    zone: ZoneInfo,
    now: datetime,
) -> Figures:
    window = last_days(range_days, zone, now)
    active_windows = {n: last_days(n, zone, now) for n in ACTIVE_WINDOWS}
    widest = active_windows[max(ACTIVE_WINDOWS)]

    @cache
    def place(day: str, quarter: str) -> tuple[datetime, date, int]:
        """A bucket's start, and its local day and hour."""
        start = bucket_start(day, quarter)
        local = start.astimezone(zone)
        return start, local.date(), local.hour

    totals: Counter[str] = Counter()
    per_day: dict[date, Counter[str]] = {d: Counter() for d in window.local_days()}
    hours = [0] * 24
    weekdays = [0] * 7
    scores: Counter[str] = Counter()
    last_active: dict[str, datetime] = {}
    engagement: Counter[str] = Counter()

    for day, value in sorted(days.items()):
        if not value:
            continue
        for metric, buckets in value["counts"].items():
            for quarter, count in buckets.items():
                start, local_day, hour = place(day, quarter)
                if not window.contains(start):
                    continue
                totals[metric] += count
                if metric in DAILY_METRICS:
                    per_day[local_day][metric] += count
                if metric in ENGAGEMENT_METRICS:
                    hours[hour] += count
                    weekdays[local_day.weekday()] += count
        for user_id, buckets in value["members"].items():
            for quarter, score in buckets.items():
                start, _, _ = place(day, quarter)
                if window.contains(start):
                    scores[user_id] += score
                if widest.contains(start):
                    last_active[user_id] = max(last_active.get(user_id, start), start)
        for post_id, buckets in value["posts"].items():
            for quarter, count in buckets.items():
                if window.contains(place(day, quarter)[0]):
                    engagement[post_id] += count

    return Figures(
        range_days=range_days,
        time_zone=zone.key,
        member_count=member_count,
        totals={m: totals[m] for m in (*DAILY_METRICS, *MODERATION_METRICS)},
        daily=[
            (d.isoformat(), {m: counts[m] for m in DAILY_METRICS})
            for d, counts in sorted(per_day.items())
        ],
        active_members={
            n: _active_since(last_active, w) for n, w in active_windows.items()
        },
        popular_hours=hours,
        popular_days=weekdays,
        top_contributors=_top(scores, TOP_CONTRIBUTORS),
        top_posts=_top(engagement, TOP_POSTS),
        as_of=as_of,
    )


def _active_since(last_active: Mapping[str, datetime], window: Window) -> int:
    return sum(1 for moment in last_active.values() if window.contains(moment))


def _top(counts: Counter[str], limit: int) -> list[tuple[str, int]]:
    """Highest first, ties by id ascending; only ids with something to their name."""
    ranked = sorted(((-n, key) for key, n in counts.items() if n > 0))
    return [(key, -n) for n, key in ranked[:limit]]
