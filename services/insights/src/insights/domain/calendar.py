"""Time buckets: event times are kept per UTC day in quarter-hour buckets.

Every UTC offset in use is a whole number of quarter hours (+05:30 India, +05:45 Nepal,
-09:30 Marquesas) and DST changes happen on quarter-hour boundaries, so a quarter-hour bucket
always falls into exactly one local day and hour, whatever time zone is asked for later.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

QUARTER = timedelta(minutes=15)
QUARTERS_PER_DAY = 96


class Bucket(NamedTuple):
    """A UTC day ("YYYY-MM-DD") and the quarter hour in it ("0".."95": a JSON object key)."""

    day: str
    quarter: str


def bucket_of(moment: datetime) -> Bucket:
    moment = moment.astimezone(UTC)
    return Bucket(moment.date().isoformat(), str((moment.hour * 60 + moment.minute) // 15))


def bucket_start(day: str, quarter: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(), UTC) + QUARTER * int(quarter)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local calendar day, in UTC. fold=0 picks the first of two
    midnights when clocks go back, and the instant of the jump when DST skips midnight."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


class Window(NamedTuple):
    """The last `days` calendar days in a zone, today included: [start, end) in UTC."""

    start: datetime
    end: datetime
    first_day: date
    days: int

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def local_days(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]


def last_days(days: int, zone: ZoneInfo, now: datetime) -> Window:
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    return Window(local_midnight(first, zone), local_midnight(today + timedelta(days=1), zone),
                  first, days)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local calendar day ends (the next one's midnight), in UTC."""
    return local_midnight(day + timedelta(days=1), zone)


def utc_days(window: Window) -> list[str]:
    """The UTC days whose buckets may fall inside the window."""
    return utc_days_between(window.start, window.end - QUARTER)


def utc_months_between(first: datetime, last: datetime) -> list[str]:
    """The UTC months ("YYYY-MM") from the one holding `first` to the one holding `last`."""
    start, end = first.astimezone(UTC), last.astimezone(UTC)
    return [f"{n // 12:04d}-{n % 12 + 1:02d}"
            for n in range(start.year * 12 + start.month - 1, end.year * 12 + end.month)]


def utc_days_between(first: datetime, last: datetime) -> list[str]:
    """The UTC days from the one holding `first` to the one holding `last`, both included."""
    start, end = first.astimezone(UTC).date(), last.astimezone(UTC).date()
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
