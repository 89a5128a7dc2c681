"""Live sessions: the session aggregate (started, ended) and who is watching it.

A session's viewers are kept in `VIEWER_SHARDS` streams per session chosen by user id, for
the same reason likes are (many viewers join at once; see likes.py). Watching also needs a
recent heartbeat: `JoinLiveSession` is repeated by the client, and a viewer counts until they
leave or for `LIVE_VIEWER_TTL_S` after their last join. Heartbeats are not events (the
contract emits `LiveSessionJoined` once per viewing), so the application stores the last one
beside the streams and passes it in here.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from community.feed.v1 import events_pb2 as ev
from community.membership.v1.types_pb2 import Role
from community_common.aggregate import EventSourced
from community_common.envelope import format_time
from community_common.errors import FailedPrecondition, NotFound, PermissionDenied
from community_contracts import reasons
from google.protobuf.message import Message

VIEWER_SHARDS = 4


def not_found(session_id: str) -> NotFound:
    return NotFound(
        f"live session {session_id} not found",
        reason=reasons.LIVE_SESSION_NOT_FOUND,
        metadata={reasons.METADATA_RESOURCE_ID: session_id},
    )


@dataclass
class LiveSession(EventSourced):
    session_id: str
    version: int = 0
    community_id: str = ""
    host_id: str = ""
    title: str = ""
    started_at: str = ""
    ended_at: str = ""

    def __post_init__(self) -> None:
        EventSourced.__init__(self)

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def active(self) -> bool:
        return self.exists and not self.ended_at

    @staticmethod
    def start(
        session_id: str, community_id: str, host_id: str, title: str
    ) -> ev.LiveSessionStarted:
        return ev.LiveSessionStarted(
            session_id=session_id, community_id=community_id, host_id=host_id, title=title
        )

    def require_exists(self) -> None:
        if not self.exists:
            raise not_found(self.session_id)

    def require_active(self) -> None:
        if not self.active:
            raise FailedPrecondition(reasons.LIVE_SESSION_ENDED, "the live session has ended")

    def end(
        self, actor_id: str, actor_is_moderator: bool, actor_is_member: bool = True
    ) -> ev.LiveSessionEnded:
        if actor_id != self.host_id and not actor_is_member:
            raise PermissionDenied(reasons.NOT_A_MEMBER, "you are not a member of this community")
        if actor_id != self.host_id and not actor_is_moderator:
            raise PermissionDenied(
                reasons.ROLE_REQUIRED,
                "only the host or a moderator and above can end a live session",
                metadata={reasons.METADATA_REQUIRED_ROLE: Role.Name(Role.ROLE_MODERATOR)},
            )
        self.require_active()
        return ev.LiveSessionEnded(
            session_id=self.session_id,
            community_id=self.community_id,
            host_id=self.host_id,
            actor_id=actor_id,
        )

    def _on_LiveSessionStarted(self, e: ev.LiveSessionStarted, at: datetime) -> None:
        self.community_id = e.community_id
        self.host_id = e.host_id
        self.title = e.title
        self.started_at = format_time(at)

    def _on_LiveSessionEnded(self, e: ev.LiveSessionEnded, at: datetime) -> None:
        self.ended_at = format_time(at)

    def snapshot(self) -> dict[str, Any]:
        return {
            "community_id": self.community_id,
            "host_id": self.host_id,
            "title": self.title,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
        }

    @classmethod
    def from_snapshot(cls, session_id: str, version: int, state: dict[str, Any]) -> LiveSession:
        return cls(session_id=session_id, version=version, **state)


def shard_of(user_id: str) -> int:
    return zlib.crc32(user_id.encode()) % VIEWER_SHARDS


def viewer_stream_id(session_id: str, shard: int) -> str:
    return f"{session_id}:viewers:{shard}"


def heartbeat_fresh(last_join: datetime | None, now: datetime, ttl: timedelta) -> bool:
    return last_join is not None and now - last_join <= ttl


@dataclass
class ViewerShard(EventSourced):
    """The users of one shard watching the session (since their LiveSessionJoined)."""

    stream_id: str
    version: int = 0
    watching: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        EventSourced.__init__(self)

    def join(
        self,
        session: LiveSession,
        user_id: str,
        last_join: datetime | None,
        now: datetime,
        ttl: timedelta,
    ) -> list[Message]:
        """The events of a join: none for a heartbeat of a counted viewer; a timed-out leave
        first for a viewer whose heartbeat lapsed; the host never counts as a viewer."""
        session.require_active()
        if user_id == session.host_id:
            return []
        if user_id not in self.watching:
            return [self._joined(session, user_id)]
        if heartbeat_fresh(last_join, now, ttl):
            return []
        return [self._left(session, user_id, timed_out=True), self._joined(session, user_id)]

    def leave(
        self,
        session: LiveSession,
        user_id: str,
        last_join: datetime | None,
        now: datetime,
        ttl: timedelta,
    ) -> list[Message]:
        if user_id not in self.watching or not session.active:
            return []
        timed_out = not heartbeat_fresh(last_join, now, ttl)
        return [self._left(session, user_id, timed_out=timed_out)]

    def counted(self, heartbeats: dict[str, datetime | None], now: datetime, ttl: timedelta) -> int:
        return sum(1 for user in self.watching if heartbeat_fresh(heartbeats.get(user), now, ttl))

    @staticmethod
    def _joined(session: LiveSession, user_id: str) -> ev.LiveSessionJoined:
        return ev.LiveSessionJoined(
            session_id=session.session_id,
            community_id=session.community_id,
            host_id=session.host_id,
            user_id=user_id,
        )

    @staticmethod
    def _left(session: LiveSession, user_id: str, *, timed_out: bool) -> ev.LiveSessionLeft:
        return ev.LiveSessionLeft(
            session_id=session.session_id,
            community_id=session.community_id,
            host_id=session.host_id,
            user_id=user_id,
            timed_out=timed_out,
        )

    def _on_LiveSessionJoined(self, e: ev.LiveSessionJoined, at: datetime) -> None:
        self.watching.add(e.user_id)

    def _on_LiveSessionLeft(self, e: ev.LiveSessionLeft, at: datetime) -> None:
        self.watching.discard(e.user_id)

    def snapshot(self) -> dict[str, Any]:
        return {"watching": sorted(self.watching)}

    @classmethod
    def from_snapshot(cls, stream_id: str, version: int, state: dict[str, Any]) -> ViewerShard:
        return cls(stream_id=stream_id, version=version, watching=set(state["watching"]))


def live_tab_order(sessions: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """(viewer_count, started_at, session_id): most watched first, ties newest first (RFC 3339
    UTC times of one format sort as text; the id only makes the order total)."""
    return sorted(sessions, reverse=True)
