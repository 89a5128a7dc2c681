"""The gRPC API: `community.insights.v1.InsightsService` (SPEC §7), answered from the
MongoDB serving view the worker keeps."""

from __future__ import annotations

import re
from dataclasses import astuple
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from community.insights.v1 import insights_service_pb2, insights_service_pb2_grpc
from community_common.auth import MAX_USER_ID_LENGTH, current_caller
from community_common.consistency import ConsistencyToken
from community_common.context import Caller
from community_common.errors import InvalidArgument

from insights.application.get_insights import InsightsQueries, InsightsRequest
from insights.codecs import fill_figures
from insights.domain.effects import Space
from insights.domain.figures import DAYS_BACK, DEFAULT_RANGE, RANGES

MAX_ID_LENGTH = MAX_USER_ID_LENGTH
DEFAULT_ZONE = "UTC"
# date.fromisoformat alone also reads "20250614" and "2025-W24-7".
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_request(
    request: insights_service_pb2.GetInsightsRequest, now: datetime | None = None
) -> InsightsRequest:
    """The request's arguments checked; `now` (default: the clock) decides which days
    `as_of_date` may name."""
    violations: list[tuple[str, str]] = []
    if not request.community_id:
        violations.append(("community_id", "required"))
    for name in ("community_id", "group_id"):
        if len(getattr(request, name)) > MAX_ID_LENGTH:
            violations.append((name, f"at most {MAX_ID_LENGTH} characters"))
    range_days = request.range_days or DEFAULT_RANGE
    if range_days not in RANGES:
        violations.append(("range_days", f"must be one of {', '.join(map(str, RANGES))}"))
    zone: ZoneInfo | None = None
    try:
        zone = ZoneInfo(request.time_zone or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        violations.append(("time_zone", "must be an IANA time zone name, e.g. Europe/Paris"))
    as_of_date = None
    if request.as_of_date:
        as_of_date = _past_day(request.as_of_date, zone, now or datetime.now(UTC), violations)
    if violations or zone is None:
        raise InvalidArgument(violations)
    return InsightsRequest(
        space=Space(request.community_id, request.group_id),
        range_days=range_days,
        zone=zone,
        consistency=(
            astuple(ConsistencyToken.parse(
                request.consistency_token, community_id=request.community_id))
            if request.consistency_token
            else None
        ),
        as_of_date=as_of_date,
    )


def _past_day(
    text: str, zone: ZoneInfo | None, now: datetime, violations: list[tuple[str, str]]
) -> date | None:
    """`as_of_date` read: a calendar day, from DAYS_BACK days ago to today in the zone."""
    try:
        day = date.fromisoformat(text) if ISO_DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        violations.append(("as_of_date", "must be a date YYYY-MM-DD, e.g. 2025-06-14"))
        return None
    if zone is None:  # the zone is refused already; today is unknown without it
        return None
    today = now.astimezone(zone).date()
    if day > today:
        violations.append(("as_of_date", f"must not be after today ({today} in {zone.key})"))
    elif day < today - timedelta(days=DAYS_BACK):
        violations.append(("as_of_date", f"must be at most {DAYS_BACK} days back (from "
                                         f"{today - timedelta(days=DAYS_BACK)} in {zone.key})"))
    return day


class InsightsService(insights_service_pb2_grpc.InsightsServiceServicer):
    def __init__(self, queries: InsightsQueries) -> None:
        self.queries = queries

    async def GetInsights(
        self, request: insights_service_pb2.GetInsightsRequest, context: Any
    ) -> insights_service_pb2.GetInsightsResponse:
        return await self.answer(current_caller(), request)

    async def answer(
        self, caller: Caller, request: insights_service_pb2.GetInsightsRequest
    ) -> insights_service_pb2.GetInsightsResponse:
        """GetInsights for an authenticated caller: the one path of the gRPC API and of the
        dashboard's JSON endpoint, so both give the same figures and the same refusals."""
        figures = await self.queries.get_insights(
            caller, parse_request(request, self.queries.clock()))
        response = insights_service_pb2.GetInsightsResponse(
            community_id=request.community_id, group_id=request.group_id
        )
        fill_figures(response, figures)
        return response
