"""GetInsights: checks in the platform's order (the token was checked by the interceptor and
the arguments by the API), then the figures from the serving view.

Order: a running rebuild of the view is done (else, after 30 s, UNAVAILABLE `REBUILDING`),
consistency token reached (else UNAVAILABLE), the community (and group) exists, the
caller is a moderator or above (or a platform admin), the space has more than 50 members.
With an `as_of_date`, existence and role are still today's (SPEC §7); the member count the
threshold is checked against, and every figure, are that day's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from community.membership.v1 import types_pb2 as membership_types
from community_common.context import Caller
from community_common.errors import FailedPrecondition, NotFound, PermissionDenied, Unavailable
from community_contracts import reasons

from insights.domain.calendar import bucket_of, end_of_day, local_midnight, utc_months_between
from insights.domain.effects import NO_ROLE, Space
from insights.domain.figures import (
    THRESHOLD,
    Figures,
    compute_figures,
    days_needed,
    members_at,
)
from insights.domain.ledger import Value
from insights.ports import StateReads

CONSISTENCY_TIMEOUT_S = 2.0
CONSISTENCY_POLL_S = 0.02


@dataclass(frozen=True)
class InsightsRequest:
    space: Space
    range_days: int
    zone: ZoneInfo
    # (community_id, membership stream version) from a consistency_token, if one was given.
    consistency: tuple[str, int] | None = None
    # A past day in `zone`: the figures as they were at its end; None = now.
    as_of_date: date | None = None


def member_count(roster: Value, space: Space) -> int:
    return int(roster["headcounts"].get(space.group_id, 0))


def open_groups(roster: Value) -> dict[str, int]:
    """Group id -> members now, for the groups not removed, by group id."""
    closed = set(roster["closed_groups"])
    return {group_id: int(count) for group_id, count in sorted(roster["headcounts"].items())
            if group_id and group_id not in closed}


class InsightsQueries:
    def __init__(
        self,
        view: StateReads,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        consistency_timeout_s: float = CONSISTENCY_TIMEOUT_S,
        settled: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.view = view
        self.clock = clock
        self.consistency_timeout_s = consistency_timeout_s
        # Reads wait while `python -m insights.rebuild` rebuilds the view (RebuildWatch).
        self.settled = settled

    async def _view_settled(self) -> None:
        if self.settled is not None:
            await self.settled()

    async def get_insights(self, caller: Caller, request: InsightsRequest) -> Figures:
        await self._view_settled()
        if request.consistency is not None:
            await self._wait_until_applied(*request.consistency)
        space = request.space
        roster = await self._existing_community(space.community_id)
        if space.group_id and space.group_id not in open_groups(roster):
            raise NotFound("group not found", reason=reasons.GROUP_NOT_FOUND,
                           metadata={reasons.METADATA_RESOURCE_ID: space.group_id})
        if not caller.is_platform_admin:
            await self._require_moderator(space.community_id, caller.user_id)
        members = await self._members_on(space, roster, request.zone, request.as_of_date)
        if members <= THRESHOLD:
            raise FailedPrecondition(
                reasons.INSIGHTS_THRESHOLD_NOT_MET,
                f"insights need more than {THRESHOLD} members; this space has {members}"
                + (f" at the end of {request.as_of_date}" if request.as_of_date else ""),
                metadata={reasons.METADATA_MEMBER_COUNT: str(members),
                          reasons.METADATA_THRESHOLD: str(THRESHOLD)},
            )
        if request.as_of_date is None:
            return await self.figures(space, roster, request.range_days, request.zone)
        return await self._figures_on(space, roster, members, request.range_days,
                                      request.zone, request.as_of_date)

    async def groups(self, caller: Caller, community_id: str) -> dict[str, int]:
        """The community's groups and their member counts now, for whoever may see its
        insights (the dashboard's group selector); the same checks as get_insights up to
        the threshold, which is each group's own."""
        await self._view_settled()
        roster = await self._existing_community(community_id)
        if not caller.is_platform_admin:
            await self._require_moderator(community_id, caller.user_id)
        return open_groups(roster)

    async def figures(
        self, space: Space, roster: Value, range_days: int, zone: ZoneInfo
    ) -> Figures:
        """The space's figures, no questions asked (snapshots use this too)."""
        now = self.clock()
        days = await self.view.days(space, days_needed(range_days, zone, now))
        return compute_figures(
            days,
            member_count=member_count(roster, space),
            as_of=roster["as_of"],
            range_days=range_days,
            zone=zone,
            now=now,
        )

    async def _members_on(
        self, space: Space, roster: Value, zone: ZoneInfo, day: date | None
    ) -> int:
        """The space's member count now, or at the end of `day`."""
        now = member_count(roster, space)
        if day is None:
            return now
        end = end_of_day(day, zone)
        # Up to the latest event's month: one dated ahead of the clock is in the count now too.
        latest = max(end, self.clock())
        if roster["as_of"]:
            latest = max(latest, datetime.fromisoformat(roster["as_of"]))
        end_day = bucket_of(end).day
        days = await self.view.days(space, [end_day, *utc_months_between(end, latest)])
        return members_at(now, end, days.pop(end_day), days)

    async def _figures_on(
        self, space: Space, roster: Value, members: int, range_days: int, zone: ZoneInfo,
        day: date,
    ) -> Figures:
        """The figures at the end of `day`: computed as on that day (any instant of it
        stands for the day), complete up to its end at most."""
        on_that_day = local_midnight(day, zone)
        end = end_of_day(day, zone)
        as_of = roster["as_of"]
        if as_of and datetime.fromisoformat(as_of) > end:
            as_of = end.isoformat(timespec="microseconds")
        days = await self.view.days(space, days_needed(range_days, zone, on_that_day))
        return compute_figures(days, member_count=members, as_of=as_of, range_days=range_days,
                               zone=zone, now=on_that_day)

    async def _existing_community(self, community_id: str) -> Value:
        roster = await self.view.roster(community_id)
        if roster is None or not roster["opened"]:
            raise NotFound("community not found", reason=reasons.COMMUNITY_NOT_FOUND,
                           metadata={reasons.METADATA_RESOURCE_ID: community_id})
        return roster

    async def _require_moderator(self, community_id: str, user_id: str) -> None:
        role = await self.view.role(community_id, user_id)
        if role == NO_ROLE:
            raise PermissionDenied(reasons.NOT_A_MEMBER, "not a member of this community")
        # Roles are numbered highest first: owner 1, admin 2, moderator 3, member 4.
        if role > membership_types.ROLE_MODERATOR:
            raise PermissionDenied(
                reasons.ROLE_REQUIRED,
                "insights are for moderators and above",
                metadata={reasons.METADATA_REQUIRED_ROLE: membership_types.Role.Name(
                    membership_types.ROLE_MODERATOR)},
            )

    async def _wait_until_applied(self, community_id: str, version: int) -> None:
        deadline = time.monotonic() + self.consistency_timeout_s
        while True:
            roster = await self.view.roster(community_id)
            if roster is not None and roster["version"] >= version:
                return
            if time.monotonic() >= deadline:
                raise Unavailable(
                    reasons.CONSISTENCY_TIMEOUT,
                    f"membership events of {community_id} up to version {version} are not "
                    "applied yet; retry",
                )
            await asyncio.sleep(CONSISTENCY_POLL_S)
