"""A user's platform-wide restrictions, per action, set and lifted by platform admins only.

One stream per user (ce_subject = user_id). Restricting replaces the expiry of each listed
action and leaves the others alone; lifting names exactly the actions that stop being
restricted, and records nothing when none of them was in force.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import types_pb2 as types

from moderation.domain import validation
from moderation.domain.aggregate import Aggregate
from moderation.domain.times import duration as to_duration
from moderation.domain.times import from_timestamp, timestamp

ACTIONS = frozenset(value for value in types.Action.values() if value != types.ACTION_UNSPECIFIED)


def check_actions(field: str, actions: Iterable[int], *, required: bool) -> list[tuple[str, str]]:
    chosen = list(actions)
    if required and not chosen:
        return [(field, "name at least one action")]
    if any(action not in ACTIONS for action in chosen):
        return [(field, "must be ACTION_* values")]
    return []


class UserRestrictions(Aggregate):
    def __init__(self, user_id: str) -> None:
        super().__init__()
        self.user_id = user_id
        self.until: dict[int, datetime] = {}

    def active(self, now: datetime) -> list[int]:
        return sorted(action for action, until in self.until.items() if until > now)

    def restrict(
        self,
        actions: Iterable[int],
        duration: timedelta | None,
        actor_id: str,
        reason: str,
        now: datetime,
    ) -> datetime:
        chosen = sorted(set(actions))
        validation.check(
            check_actions("actions", chosen, required=True),
            [("duration", "is required")] if duration is None else [],
            validation.positive_duration("duration", duration),
        )
        assert duration is not None
        expires_at = now + duration
        self.record(
            events.UserRestricted(
                user_id=self.user_id,
                actions=chosen,  # type: ignore[arg-type]
                actor_id=actor_id,
                reason=reason,
                duration=to_duration(duration),
                expires_at=timestamp(expires_at),
            ),
            now,
        )
        return expires_at

    def lift(self, actions: Iterable[int], actor_id: str, reason: str, now: datetime) -> None:
        """Lift the named actions (none named = every restricted one) that are in force."""
        chosen = set(actions)
        validation.check(check_actions("actions", chosen, required=False))
        lifted = [a for a in self.active(now) if not chosen or a in chosen]
        if lifted:
            self.record(
                events.RestrictionLifted(
                    user_id=self.user_id,
                    actions=lifted,  # type: ignore[arg-type]
                    actor_id=actor_id,
                    reason=reason,
                ),
                now,
            )

    def _on_UserRestricted(self, event: events.UserRestricted, at: datetime) -> None:
        for action in event.actions:
            self.until[action] = from_timestamp(event.expires_at)

    def _on_RestrictionLifted(self, event: events.RestrictionLifted, at: datetime) -> None:
        for action in event.actions:
            self.until.pop(action, None)

    def snapshot(self) -> dict[str, Any]:
        # Documents, not pairs: FerretDB stores no nested arrays.
        return {"until": [{"action": a, "until": until} for a, until in self.until.items()]}

    def restore_snapshot(self, state: dict[str, Any]) -> None:
        self.until = {int(entry["action"]): entry["until"] for entry in state["until"]}
