"""The compact state insights keeps, and how a batch of events changes it exactly once.

State is a handful of kinds of plain JSON values (they live in Faust tables and are
materialised as MongoDB documents):

- a space's day (`days`): counters of that UTC day in quarter-hour buckets, each active
  member's score per bucket, each engaged post's engagement per bucket; in the same table,
  a space's UTC month (key ending "YYYY-MM"): its joins and leaves per UTC day;
- a community's roster (`rosters`): headcount of the community and of each group, closed
  groups, the membership stream version reached, and the latest event time seen;
- a member's role (`roles`).

Every value carries `marks`: per source (the publishing service), the highest
`ce_keysequence` already applied to it. The relay numbers each (topic, community) densely
and the topic keeps that order, so an event whose position is at or below a value's mark
has already been applied to that value: a redelivered or re-published event changes
nothing. The mark sits in the same value as the counters it guards, so they are written
together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from insights.domain.calendar import Bucket, bucket_of
from insights.domain.effects import (
    Activity,
    CommunityOpened,
    Effect,
    Engagement,
    GroupClosed,
    GroupOpened,
    Headcount,
    MonthTally,
    RoleChange,
    Space,
    Tally,
)

Value = dict[str, Any]

DAYS = "days"
ROSTERS = "rosters"
ROLES = "roles"


class Target(NamedTuple):
    """A value to change: its kind (table) and key. Keys are JSON arrays whose first item is
    the community id, so every value of a community lives on that community's partition."""

    table: str
    key: str


# Keys are built for every effect of every event: each distinct one is made once (a replay
# spends a fifth of its counting on json.dumps otherwise).
@lru_cache(maxsize=1 << 16)
def day_target(space: Space, day: str) -> Target:
    return Target(DAYS, json.dumps([space.community_id, space.group_id, day]))


@lru_cache(maxsize=1 << 12)
def month_target(space: Space, month: str) -> Target:
    """A space's UTC month ("YYYY-MM"): a value of the days table, shaped as a day's, whose
    buckets are UTC days instead of quarter hours."""
    return Target(DAYS, json.dumps([space.community_id, space.group_id, month]))


@lru_cache(maxsize=1 << 12)
def roster_target(community_id: str) -> Target:
    return Target(ROSTERS, json.dumps([community_id]))


@lru_cache(maxsize=1 << 16)
def role_target(community_id: str, user_id: str) -> Target:
    return Target(ROLES, json.dumps([community_id, user_id]))


def community_of(key: str) -> str:
    community_id: str = json.loads(key)[0]
    return community_id


@dataclass(frozen=True)
class Observed:
    """One event as insights sees it."""

    community_id: str
    # The publishing service ("membership", "feed", "moderation"): one topic each.
    source: str
    # ce_keysequence: its dense position among its topic's events of this community;
    # 0 when the record has none (then it cannot be recognised as a redelivery).
    key_sequence: int
    at: datetime
    # ce_sequence of a membership event (the community stream version), else 0.
    membership_version: int
    effects: tuple[Effect, ...]


def empty(table: str) -> Value:
    if table == DAYS:
        return {"marks": {}, "counts": {}, "members": {}, "posts": {}}
    if table == ROSTERS:
        return {"marks": {}, "opened": False, "headcounts": {}, "closed_groups": [],
                "version": 0, "as_of": ""}
    return {"marks": {}, "role": 0}


def _add(counters: dict[str, dict[str, int]], name: str, quarter: str, amount: int) -> None:
    buckets = counters.setdefault(name, {})
    buckets[quarter] = buckets.get(quarter, 0) + amount


def _target(effect: Effect, bucket: Bucket) -> Target:
    if isinstance(effect, (Tally, Activity, Engagement)):
        return day_target(effect.space, bucket.day)
    if isinstance(effect, MonthTally):
        return month_target(effect.space, bucket.day[:7])
    if isinstance(effect, RoleChange):
        return role_target(effect.community_id, effect.user_id)
    community_id = (
        effect.community_id if isinstance(effect, CommunityOpened) else effect.space.community_id
    )
    return roster_target(community_id)


def _apply(value: Value, effect: Effect, bucket: Bucket) -> None:
    quarter = bucket.quarter
    if isinstance(effect, Tally):
        _add(value["counts"], effect.metric, quarter, 1)
    elif isinstance(effect, MonthTally):
        _add(value["counts"], effect.metric, bucket.day, 1)
    elif isinstance(effect, Activity):
        _add(value["members"], effect.user_id, quarter, effect.score)
    elif isinstance(effect, Engagement):
        _add(value["posts"], effect.post_id, quarter, 1)
    elif isinstance(effect, Headcount):
        counts = value["headcounts"]
        counts[effect.space.group_id] = counts.get(effect.space.group_id, 0) + effect.delta
    elif isinstance(effect, CommunityOpened):
        value["opened"] = True
    elif isinstance(effect, GroupOpened):
        value["headcounts"].setdefault(effect.space.group_id, 0)
    elif isinstance(effect, GroupClosed):
        value["headcounts"][effect.space.group_id] = 0
        if effect.space.group_id not in value["closed_groups"]:
            value["closed_groups"].append(effect.space.group_id)
    elif isinstance(effect, RoleChange):
        value["role"] = effect.role


def _copied(value: Any) -> Any:
    """A copy of a JSON value (dicts, lists, scalars): `copy.deepcopy` without its memo and
    dispatch, which cost more than the counting."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def _seen(roster: Value, event: Observed) -> None:
    """Membership events move their community's stream version (a maximum, so it needs no
    dedupe and does not depend on arrival order); as_of, the latest event time, is set once
    per batch by `apply_batch`."""
    roster["version"] = max(roster["version"], event.membership_version)


def _already_applied(value: Value, event: Observed) -> bool:
    return 0 < event.key_sequence <= value["marks"].get(event.source, 0)


def apply_batch(
    events: Iterable[Observed],
    load: Callable[[Target], Value | None],
    copy_loaded: bool = True,
) -> dict[Target, Value]:
    """Apply events in order; returns the value of every target the events touch once (the
    batch's last state), applied or already applied before.

    `load` gives a value's stored state (None when new); it is never modified in place,
    unless `copy_loaded` is False (the rebuild, whose values are its own until it saves
    them: a copy of every touched value per batch would cost more than the counting)."""
    working: dict[Target, Value] = {}
    changed: set[Target] = set()
    # Per roster: the latest event time of the batch, formatted once at the end.
    latest: dict[Target, datetime] = {}

    def current(target: Target) -> Value:
        if target not in working:
            stored = load(target)
            if stored is None:
                working[target] = empty(target.table)
            else:
                working[target] = _copied(stored) if copy_loaded else stored
        return working[target]

    for event in events:
        bucket = bucket_of(event.at)
        roster = roster_target(event.community_id)
        if roster not in latest or event.at > latest[roster]:
            latest[roster] = event.at
        by_target: dict[Target, list[Effect]] = {roster: []}
        for effect in event.effects:
            by_target.setdefault(_target(effect, bucket), []).append(effect)
        for target, effects in by_target.items():
            value = current(target)
            # Changed even when the event was already applied: a redelivered event is one
            # whose offset was never committed, and after a crash the tables (recovered from
            # their changelogs) may hold its effects while the serving view does not yet;
            # returning the value saves it there again.
            changed.add(target)
            if target.table == ROSTERS:
                _seen(value, event)
            if _already_applied(value, event):
                continue
            for effect in effects:
                _apply(value, effect, bucket)
            if event.key_sequence:
                value["marks"][event.source] = event.key_sequence
    for roster, at in latest.items():
        value = working[roster]
        value["as_of"] = max(value["as_of"], at.isoformat(timespec="microseconds"))
    return {target: working[target] for target in changed}
