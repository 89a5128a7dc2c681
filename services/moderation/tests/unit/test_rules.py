"""Community rules: add, update, remove, with their limits."""

from datetime import UTC, datetime, timedelta

import pytest
from community.moderation.v1 import events_pb2 as events
from community_common.errors import InvalidArgument, NotFound
from community_contracts import reasons
from moderation.domain.rules import Rule

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def added(title="Be kind", description="No insults") -> Rule:
    rule = Rule("r1")
    rule.add("c1", title, description, "admin", NOW)
    return rule


def test_adding_records_the_rule_with_its_text():
    rule = added("  Be kind  ")
    (event,) = rule.recorded
    assert event == events.RuleAdded(
        rule_id="r1", community_id="c1", title="Be kind", description="No insults", actor_id="admin"
    )
    assert rule.exists and rule.created_at == NOW


@pytest.mark.parametrize(
    ("title", "description", "field"),
    [
        ("", "", "title"),
        ("   ", "", "title"),
        ("x" * 101, "", "title"),
        ("ok", "x" * 2001, "description"),
    ],
)
def test_rule_text_limits(title, description, field):
    with pytest.raises(InvalidArgument) as refused:
        Rule("r1").add("c1", title, description, "admin", NOW)
    assert [f for f, _ in refused.value.violations] == [field]


def test_update_changes_only_the_given_fields_and_carries_both():
    rule = added()
    rule.update(None, "Be civil", "admin", NOW + timedelta(seconds=5))
    event = rule.recorded[-1]
    assert isinstance(event, events.RuleUpdated)
    assert (event.title, event.description) == ("Be kind", "Be civil")
    assert rule.updated_at == NOW + timedelta(seconds=5) and rule.created_at == NOW


def test_a_removed_rule_is_gone_for_every_command():
    rule = added()
    rule.remove("admin", NOW)
    assert not rule.exists
    for command in (lambda: rule.remove("admin", NOW), lambda: rule.update("t", None, "a", NOW)):
        with pytest.raises(NotFound) as refused:
            command()
        assert refused.value.reason == reasons.RULE_NOT_FOUND


def test_snapshot_restores_the_same_rule():
    rule = added()
    rule.update("Be nice", None, "admin", NOW)
    copy = Rule("r1")
    copy.restore_snapshot(rule.snapshot())
    assert (copy.title, copy.description, copy.community_id) == ("Be nice", "No insults", "c1")
