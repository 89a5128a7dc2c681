"""A community rule: added, changed and removed by admins or above; reports may cite it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from community.moderation.v1 import events_pb2 as events
from community_common.errors import NotFound
from community_contracts import reasons

from moderation.domain import limits, validation
from moderation.domain.aggregate import Aggregate


def check_rule_text(title: str, description: str, *, title_required: bool = True) -> None:
    validation.check(
        validation.text("title", title, limits.MAX_RULE_TITLE, required=title_required),
        validation.text("description", description, limits.MAX_RULE_DESCRIPTION),
    )


class Rule(Aggregate):
    def __init__(self, rule_id: str) -> None:
        super().__init__()
        self.rule_id = rule_id
        self.community_id = ""
        self.title = ""
        self.description = ""
        self.created_at: datetime | None = None
        self.updated_at: datetime | None = None
        self.removed = False

    @property
    def exists(self) -> bool:
        return self.version > 0 and not self.removed

    def require_exists(self) -> None:
        if not self.exists:
            raise NotFound(
                "rule not found",
                reason=reasons.RULE_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: self.rule_id},
            )

    def add(
        self, community_id: str, title: str, description: str, actor_id: str, now: datetime
    ) -> None:
        check_rule_text(title, description)
        self.record(
            events.RuleAdded(
                rule_id=self.rule_id,
                community_id=community_id,
                title=title.strip(),
                description=description.strip(),
                actor_id=actor_id,
            ),
            now,
        )

    def update(
        self, title: str | None, description: str | None, actor_id: str, now: datetime
    ) -> None:
        """Change the given fields (None = keep); the event carries both after the change."""
        self.require_exists()
        new_title = self.title if title is None else title.strip()
        new_description = self.description if description is None else description.strip()
        check_rule_text(new_title, new_description)
        self.record(
            events.RuleUpdated(
                rule_id=self.rule_id,
                community_id=self.community_id,
                title=new_title,
                description=new_description,
                actor_id=actor_id,
            ),
            now,
        )

    def remove(self, actor_id: str, now: datetime) -> None:
        self.require_exists()
        self.record(
            events.RuleRemoved(
                rule_id=self.rule_id, community_id=self.community_id, actor_id=actor_id
            ),
            now,
        )

    def _on_RuleAdded(self, event: events.RuleAdded, at: datetime) -> None:
        self.community_id = event.community_id
        self.title = event.title
        self.description = event.description
        self.created_at = self.updated_at = at

    def _on_RuleUpdated(self, event: events.RuleUpdated, at: datetime) -> None:
        self.title = event.title
        self.description = event.description
        self.updated_at = at

    def _on_RuleRemoved(self, event: events.RuleRemoved, at: datetime) -> None:
        self.removed = True

    def snapshot(self) -> dict[str, Any]:
        return {
            "community_id": self.community_id,
            "title": self.title,
            "description": self.description,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "removed": self.removed,
        }

    def restore_snapshot(self, state: dict[str, Any]) -> None:
        self.community_id = state["community_id"]
        self.title = state["title"]
        self.description = state["description"]
        self.created_at = state["created_at"]
        self.updated_at = state["updated_at"]
        self.removed = state["removed"]
