"""A community's member sanctions: who is muted and who is banned, and until when.

One stream per community (ce_subject = community_id). Muting or banning again replaces the
earlier expiry (a new event each time); lifting a mute or ban that is not in force changes
nothing and records nothing. Sanctions end by themselves at their expiry, without an event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from community.moderation.v1 import events_pb2 as events

from moderation.domain import validation
from moderation.domain.aggregate import Aggregate
from moderation.domain.times import duration as _duration
from moderation.domain.times import from_timestamp as _datetime
from moderation.domain.times import timestamp as _timestamp


class CommunitySanctions(Aggregate):
    def __init__(self, community_id: str) -> None:
        super().__init__()
        self.community_id = community_id
        self.mutes: dict[str, datetime] = {}
        # None = a permanent ban.
        self.bans: dict[str, datetime | None] = {}

    def is_muted(self, user_id: str, now: datetime) -> bool:
        expires_at = self.mutes.get(user_id)
        return expires_at is not None and expires_at > now

    def is_banned(self, user_id: str, now: datetime) -> bool:
        if user_id not in self.bans:
            return False
        expires_at = self.bans[user_id]
        return expires_at is None or expires_at > now

    def mute(
        self,
        user_id: str,
        duration: timedelta,
        now: datetime,
        *,
        actor_id: str = "",
        automod_rule_id: str = "",
        report_id: str = "",
        reason: str = "",
    ) -> datetime:
        """Mute (or re-mute) a user; returns when the mute ends."""
        validation.check(validation.mute_duration("duration", duration))
        expires_at = now + duration
        self.record(
            events.MemberMuted(
                community_id=self.community_id,
                user_id=user_id,
                actor_id=actor_id,
                automod_rule_id=automod_rule_id,
                report_id=report_id,
                reason=reason,
                duration=_duration(duration),
                expires_at=_timestamp(expires_at),
            ),
            now,
        )
        return expires_at

    def unmute(self, user_id: str, actor_id: str, reason: str, now: datetime) -> None:
        if self.is_muted(user_id, now):
            self.record(
                events.MemberUnmuted(
                    community_id=self.community_id,
                    user_id=user_id,
                    actor_id=actor_id,
                    reason=reason,
                ),
                now,
            )

    def ban(
        self,
        user_id: str,
        duration: timedelta | None,
        now: datetime,
        *,
        actor_id: str,
        report_id: str = "",
        reason: str = "",
    ) -> datetime | None:
        """Ban (or re-ban) a user, for `duration` or permanently; returns when it ends."""
        validation.check(validation.positive_duration("duration", duration))
        expires_at = None if duration is None else now + duration
        event = events.MemberBanned(
            community_id=self.community_id,
            user_id=user_id,
            actor_id=actor_id,
            report_id=report_id,
            reason=reason,
        )
        if duration is not None and expires_at is not None:
            event.duration.CopyFrom(_duration(duration))
            event.expires_at.CopyFrom(_timestamp(expires_at))
        self.record(event, now)
        return expires_at

    def unban(self, user_id: str, actor_id: str, reason: str, now: datetime) -> None:
        if self.is_banned(user_id, now):
            self.record(
                events.MemberUnbanned(
                    community_id=self.community_id,
                    user_id=user_id,
                    actor_id=actor_id,
                    reason=reason,
                ),
                now,
            )

    def _on_MemberMuted(self, event: events.MemberMuted, at: datetime) -> None:
        self.mutes[event.user_id] = _datetime(event.expires_at)

    def _on_MemberUnmuted(self, event: events.MemberUnmuted, at: datetime) -> None:
        self.mutes.pop(event.user_id, None)

    def _on_MemberBanned(self, event: events.MemberBanned, at: datetime) -> None:
        self.bans[event.user_id] = (
            _datetime(event.expires_at) if event.HasField("expires_at") else None
        )

    def _on_MemberUnbanned(self, event: events.MemberUnbanned, at: datetime) -> None:
        self.bans.pop(event.user_id, None)

    def snapshot(self) -> dict[str, Any]:
        # Lists of documents, not dicts keyed by user (user ids may hold characters BSON keys
        # may not) nor pairs (FerretDB stores no nested arrays).
        return {
            "mutes": [{"user": user, "until": expires} for user, expires in self.mutes.items()],
            "bans": [{"user": user, "until": expires} for user, expires in self.bans.items()],
        }

    def restore_snapshot(self, state: dict[str, Any]) -> None:
        self.mutes = {entry["user"]: entry["until"] for entry in state["mutes"]}
        self.bans = {entry["user"]: entry["until"] for entry in state["bans"]}
