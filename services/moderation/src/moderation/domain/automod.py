"""Automod rules and how a post or comment is matched against them.

A rule holds either keywords (words or phrases, matched case- and accent-insensitively on
word boundaries) or one regular expression. Both are compiled with RE2, whose matching time
is linear in the text whatever the pattern, so no rule and no body can stall the consumer
that applies them; a pattern RE2 cannot compile within its memory budget is refused when the
rule is added.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import re2
from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from community_common.errors import InvalidArgument, NotFound
from community_contracts import reasons

from moderation.domain import limits
from moderation.domain.aggregate import Aggregate
from moderation.domain.times import timestamp

# Strongest first: when several rules match, the strongest action is taken, once.
SEVERITY: dict[int, int] = {
    types.AUTOMOD_REMOVE_AND_MUTE: 3, types.AUTOMOD_REMOVE: 2, types.AUTOMOD_FLAG: 1
}

# Letters, digits and '_' make words; anything else is a boundary.
_WORD = r"\pL\pN_"


def _options() -> re2.Options:
    options = re2.Options()
    options.max_mem = limits.REGEX_MAX_MEM
    # A refused pattern is the client's mistake, reported to them; not noise for stderr.
    options.log_errors = False
    return options


_STRIP_MARKS = re2.compile(r"\pM+", options=_options())
_WORDS = re2.compile(rf"[{_WORD}]+", options=_options())


def fold(text: str) -> str:
    """Case- and accent-insensitive form: decomposed, accents dropped, case folded."""
    return _STRIP_MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


class Matcher:
    """A compiled rule: `matches(body)` in time linear in the body."""

    def __init__(self, pattern: str, *, folded: bool) -> None:
        self.folded = folded
        try:
            self._regex = re2.compile(pattern, options=_options())
        except re2.error as error:
            message = error.args[0] if error.args else error
            if isinstance(message, bytes):
                message = message.decode(errors="replace")
            raise InvalidArgument(
                {"regex": f"not a valid RE2 pattern: {message}"}, reason=reasons.INVALID_REGEX
            ) from None

    @classmethod
    def for_keywords(cls, keywords: Iterable[str]) -> Matcher:
        phrases = []
        for keyword in keywords:
            words = [w.group(0) for w in _WORDS.finditer(fold(keyword))]
            phrases.append(f"[^{_WORD}]+".join(re2.escape(word) for word in words))
        alternatives = "|".join(phrases)
        return cls(f"(?:^|[^{_WORD}])(?:{alternatives})(?:[^{_WORD}]|$)", folded=True)

    @classmethod
    def for_regex(cls, regex: str) -> Matcher:
        return cls(regex, folded=False)

    def matches(self, body: str) -> bool:
        return self._regex.search(fold(body) if self.folded else body) is not None


def check_rule_arguments(keywords: Sequence[str], regex: str, action: int) -> Matcher:
    """Validate a new rule's definition and return its compiled matcher."""
    problems: list[tuple[str, str]] = []
    if bool(keywords) == bool(regex):
        problems.append(("keywords", "set exactly one of keywords and regex"))
    if len(keywords) > limits.MAX_KEYWORDS:
        problems.append(("keywords", f"at most {limits.MAX_KEYWORDS} keywords"))
    for index, keyword in enumerate(keywords):
        if not 1 <= len(keyword.strip()) <= limits.MAX_KEYWORD_LENGTH:
            problems.append((f"keywords[{index}]", "must be 1-100 characters"))
        elif not _WORDS.search(fold(keyword)):
            problems.append((f"keywords[{index}]", "must contain a letter or digit"))
    if len(regex) > limits.MAX_REGEX_LENGTH:
        problems.append(("regex", f"must be at most {limits.MAX_REGEX_LENGTH} characters"))
    if action not in SEVERITY:
        problems.append(("action", "must be one of the AUTOMOD_* values"))
    if problems:
        raise InvalidArgument(problems)
    return Matcher.for_keywords(keywords) if keywords else Matcher.for_regex(regex)


@dataclass(frozen=True)
class ActiveRule:
    """A rule in force, ready to match."""

    automod_rule_id: str
    community_id: str
    platform: bool
    action: int
    matcher: Matcher


def strongest_match(rules: Sequence[ActiveRule], body: str) -> ActiveRule | None:
    """The matching rule with the strongest action (the earliest given among equals)."""
    best: ActiveRule | None = None
    for rule in rules:
        if best is not None and SEVERITY[rule.action] <= SEVERITY[best.action]:
            continue
        if rule.matcher.matches(body):
            best = rule
    return best


class AutomodRule(Aggregate):
    def __init__(self, automod_rule_id: str) -> None:
        super().__init__()
        self.automod_rule_id = automod_rule_id
        self.view = api.AutomodRule(automod_rule_id=automod_rule_id)
        self.removed = False

    @property
    def exists(self) -> bool:
        return self.version > 0 and not self.removed

    def require_exists(self) -> None:
        if not self.exists:
            raise NotFound(
                "automod rule not found",
                reason=reasons.AUTOMOD_RULE_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: self.automod_rule_id},
            )

    def add(
        self,
        *,
        community_id: str,
        keywords: Sequence[str],
        regex: str,
        action: int,
        actor_id: str,
        now: datetime,
    ) -> None:
        check_rule_arguments(keywords, regex, action)
        self.record(
            events.AutomodRuleAdded(
                automod_rule_id=self.automod_rule_id,
                community_id=community_id,
                platform=not community_id,
                keywords=[k.strip() for k in keywords],
                regex=regex,
                action=action,  # type: ignore[arg-type]
                actor_id=actor_id,
            ),
            now,
        )

    def remove(self, actor_id: str, now: datetime) -> None:
        self.require_exists()
        self.record(
            events.AutomodRuleRemoved(
                automod_rule_id=self.automod_rule_id,
                community_id=self.view.community_id,
                platform=self.view.platform,
                actor_id=actor_id,
            ),
            now,
        )

    def active(self) -> ActiveRule:
        return ActiveRule(
            automod_rule_id=self.automod_rule_id,
            community_id=self.view.community_id,
            platform=self.view.platform,
            action=self.view.action,
            matcher=(
                Matcher.for_keywords(self.view.keywords)
                if self.view.keywords
                else Matcher.for_regex(self.view.regex)
            ),
        )

    def _on_AutomodRuleAdded(self, event: events.AutomodRuleAdded, at: datetime) -> None:
        self.view = api.AutomodRule(
            automod_rule_id=event.automod_rule_id,
            community_id=event.community_id,
            platform=event.platform,
            keywords=event.keywords,
            regex=event.regex,
            action=event.action,
            creator_id=event.actor_id,
            created_at=timestamp(at),
        )

    def _on_AutomodRuleRemoved(self, event: events.AutomodRuleRemoved, at: datetime) -> None:
        self.removed = True

    def snapshot(self) -> dict[str, Any]:
        return {"view": self.view.SerializeToString(), "removed": self.removed}

    def restore_snapshot(self, state: dict[str, Any]) -> None:
        self.view = api.AutomodRule.FromString(bytes(state["view"]))
        self.removed = state["removed"]
