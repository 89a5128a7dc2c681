"""Automod as a stream step: every new post and comment from feed's events is checked against
its community's rules and the platform's, and the strongest matching rule's action is taken.

Runs in the feed consumer, once per event at least; each action is idempotent, so a
redelivered event acts once:
- AUTOMOD_FLAG files a report whose id is derived from the event and the rule, so a second
  filing collides with the first and is dropped;
- AUTOMOD_REMOVE(_AND_MUTE) checks the post's moderation stream, which remembers the content
  automod already removed; the mute is taken before the removal, so a crash between the two is
  repaired by the redelivery (at worst renewing the mute a moment later).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from community.feed.v1 import events_pb2 as feed
from community.moderation.v1 import types_pb2 as types
from community_common.clock import utc_now
from community_common.envelope import EventEnvelope
from community_common.event_store import ConcurrencyConflict, Provenance, retry_on_conflict
from google.protobuf.message import Message

from moderation.adapters.content_view import ContentView
from moderation.adapters.moderation_lists import ModerationLists, automod_list
from moderation.adapters.repository import Repository
from moderation.domain.aggregate import Aggregate
from moderation.domain.automod import ActiveRule, AutomodRule, strongest_match
from moderation.domain.content import Content, PostModeration
from moderation.domain.moderation_log import PLATFORM
from moderation.domain.reports import Report, ReportTarget
from moderation.domain.sanctions import CommunitySanctions

# Report ids automod derives from (event id, rule id): the same inputs, the same report.
_REPORT_NAMESPACE = uuid.UUID("6f1c2d0e-6a43-4b8e-9d0c-7a0c5e3b2f11")

HANDLED = frozenset(
    cls.DESCRIPTOR.full_name for cls in (feed.PostCreated, feed.CommentAdded, feed.PostDeleted)
)


@dataclass
class Automod:
    repository: Repository
    lists: ModerationLists
    content: ContentView
    mute_duration: timedelta
    clock: Callable[[], datetime] = utc_now
    # Compiled rules by id: a rule's definition never changes, only whether it is in force.
    _compiled: dict[str, ActiveRule] = field(default_factory=dict)

    async def on_feed_event(self, event: EventEnvelope, message: Message) -> None:
        if isinstance(message, feed.PostCreated):
            await self.content.add_post(message)
            content = Content(
                message.community_id, message.post_id, message.author_id, message.group_id
            )
            await self.check(event, content, message.body)
        elif isinstance(message, feed.CommentAdded):
            await self.content.add_comment(message)
            content = Content(
                message.community_id,
                message.post_id,
                message.author_id,
                message.group_id,
                message.comment_id,
            )
            await self.check(event, content, message.body)
        elif isinstance(message, feed.PostDeleted):
            await self.content.delete_post(message)

    async def check(self, event: EventEnvelope, content: Content, body: str) -> None:
        rule = strongest_match(await self.rules_for(content.community_id), body)
        if rule is None:
            return
        provenance = Provenance.caused_by(event, actor_id="")
        if rule.action == types.AUTOMOD_FLAG:
            await self._flag(event, content, rule, provenance)
            return
        post = await self.repository.load(PostModeration, content.post_id)
        if content.key in post.automod_acted:
            return  # this event was handled before
        if rule.action == types.AUTOMOD_REMOVE_AND_MUTE:
            await self._mute(content, rule, provenance)
        await self._remove(content, rule, provenance)

    async def rules_for(self, community_id: str) -> list[ActiveRule]:
        """The rules in force for a community: its own, then the platform's, oldest first."""
        ids: list[str] = []
        for scope in (community_id, PLATFORM):
            start: int | None = 1
            while start is not None:
                found, start = await self.lists.oldest_first(automod_list(scope), start, 100)
                ids += [entry["automod_rule_id"] for _, entry in found]
        rules = await asyncio.gather(*(self.repository.load(AutomodRule, i) for i in ids))
        active = []
        for rule in rules:
            if not rule.exists:
                self._compiled.pop(rule.automod_rule_id, None)
                continue
            if rule.automod_rule_id not in self._compiled:
                self._compiled[rule.automod_rule_id] = rule.active()
            active.append(self._compiled[rule.automod_rule_id])
        return active

    async def _flag(
        self, event: EventEnvelope, content: Content, rule: ActiveRule, provenance: Provenance
    ) -> None:
        report = Report(uuid.uuid5(_REPORT_NAMESPACE, f"{event.id}:{rule.automod_rule_id}").hex)
        report.file(
            ReportTarget(
                community_id=content.community_id,
                user_id=content.author_id,
                group_id=content.group_id,
                post_id=content.post_id,
                comment_id=content.comment_id,
            ),
            reason=(
                types.REASON_PLATFORM_GUIDELINES if rule.platform else types.REASON_COMMUNITY_RULE
            ),
            automod_rule_id=rule.automod_rule_id,
            platform=rule.platform,
            now=self.clock(),
        )
        try:
            await self._save(report, report.report_id, provenance)
        except ConcurrencyConflict:
            pass  # filed already, by an earlier delivery of this event

    async def _mute(self, content: Content, rule: ActiveRule, provenance: Provenance) -> None:
        async def mute() -> None:
            sanctions = await self.repository.load(CommunitySanctions, content.community_id)
            sanctions.mute(
                content.author_id,
                self.mute_duration,
                self.clock(),
                automod_rule_id=rule.automod_rule_id,
            )
            await self._save(sanctions, content.community_id, provenance)

        await retry_on_conflict(mute)

    async def _remove(self, content: Content, rule: ActiveRule, provenance: Provenance) -> None:
        async def remove() -> None:
            post = await self.repository.load(PostModeration, content.post_id)
            if content.key in post.automod_acted:
                return
            post.remove(content, self.clock(), automod_rule_id=rule.automod_rule_id)
            await self._save(post, content.post_id, provenance)

        await retry_on_conflict(remove)

    async def _save(self, aggregate: Aggregate, aggregate_id: str, provenance: Provenance) -> None:
        commit = await self.repository.save(aggregate, aggregate_id, provenance=provenance)
        if commit is not None:
            await self.lists.project_all(commit.events)
