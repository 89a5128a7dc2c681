"""Automod matching: keywords on word boundaries, case- and accent-insensitive; regexes in
linear time; bad or costly patterns refused when the rule is added."""

from datetime import UTC, datetime

import pytest
from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import types_pb2 as types
from community_common.errors import InvalidArgument
from community_contracts import reasons
from moderation.domain.automod import (
    ActiveRule,
    AutomodRule,
    Matcher,
    check_rule_arguments,
    strongest_match,
)

NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("keywords", "body"),
    [
        (["spam"], "this is SPAM!"),
        (["café"], "Meet at the CAFE tonight"),
        (["cafe"], "le café est fermé"),
        (["Straße"], "in der STRASSE"),
        (["buy now"], "please BUY   now, friends"),
        (["buy now"], "buy-now"),
        (["idiot"], "idiot"),
        (["naïve", "scam"], "(scam)"),
    ],
)
def test_keywords_match_whole_words_ignoring_case_and_accents(keywords, body):
    assert Matcher.for_keywords(keywords).matches(body)


@pytest.mark.parametrize(
    ("keywords", "body"),
    [
        (["ass"], "a classic class"),
        (["spam"], "spammer"),
        (["buy now"], "buy it now"),
        (["cafe"], "cafeteria"),
        (["scam"], "ścam_x"),
    ],
)
def test_keywords_do_not_match_inside_other_words(keywords, body):
    assert not Matcher.for_keywords(keywords).matches(body)


def test_a_regex_matches_the_body_as_written():
    matcher = check_rule_arguments([], r"https?://bit\.ly/\w+", types.AUTOMOD_FLAG)
    assert matcher.matches("click https://bit.ly/abc now")
    assert not matcher.matches("click https://example.org now")


@pytest.mark.parametrize("regex", ["(unclosed", r"(a)\1", "(?<=look)behind", "x{1001}{1001}"])
def test_a_bad_or_too_costly_regex_is_invalid_argument(regex):
    with pytest.raises(InvalidArgument) as refused:
        check_rule_arguments([], regex, types.AUTOMOD_REMOVE)
    assert refused.value.reason == reasons.INVALID_REGEX
    assert refused.value.violations[0][0] == "regex"


def test_catastrophic_backtracking_patterns_match_in_linear_time():
    # With a backtracking engine each of these takes longer than the age of the universe, so
    # the test would end only at the suite's timeout; how fast they are is `make bench`'s.
    body = "a" * 100_000 + "!"
    for pattern in [r"^(a+)+$", r"^(a|a)*$", r"^(a|aa)+$", r"^(.*a){20}$"]:
        assert not Matcher.for_regex(pattern).matches(body)


def test_a_one_megabyte_body_is_checked():
    body = ("lorem ipsum dolor sit amet é " * 40_000)[:1_000_000] + " forbidden"
    keywords = Matcher.for_keywords(["forbidden", "other phrase"] + [f"word{i}" for i in range(98)])
    regex = Matcher.for_regex(r"(x+x+)+y")  # catastrophic for a backtracking engine
    assert keywords.matches(body)
    assert not regex.matches(body)


@pytest.mark.parametrize(
    ("keywords", "regex", "action", "field"),
    [
        ([], "", types.AUTOMOD_FLAG, "keywords"),
        (["a"], "b", types.AUTOMOD_FLAG, "keywords"),
        (["ok"], "", types.AUTOMOD_UNSPECIFIED, "action"),
        (["  "], "", types.AUTOMOD_FLAG, "keywords[0]"),
        (["!!!"], "", types.AUTOMOD_FLAG, "keywords[0]"),
        (["x" * 101], "", types.AUTOMOD_FLAG, "keywords[0]"),
        ([f"w{i}" for i in range(101)], "", types.AUTOMOD_FLAG, "keywords"),
        ([], "a" * 1001, types.AUTOMOD_FLAG, "regex"),
    ],
)
def test_rule_definition_limits(keywords, regex, action, field):
    with pytest.raises(InvalidArgument) as refused:
        check_rule_arguments(keywords, regex, action)
    assert field in [f for f, _ in refused.value.violations]


def rule(rule_id: str, action: int, keyword: str) -> ActiveRule:
    return ActiveRule(rule_id, "c1", False, action, Matcher.for_keywords([keyword]))


def test_the_strongest_matching_action_wins_and_the_first_among_equals():
    rules = [
        rule("flag", types.AUTOMOD_FLAG, "bad"),
        rule("remove1", types.AUTOMOD_REMOVE, "bad"),
        rule("remove2", types.AUTOMOD_REMOVE, "bad"),
        rule("mute", types.AUTOMOD_REMOVE_AND_MUTE, "worse"),
    ]
    assert strongest_match(rules, "bad").automod_rule_id == "remove1"
    assert strongest_match(rules, "bad and worse").automod_rule_id == "mute"
    assert strongest_match(rules, "fine") is None


def test_a_rule_records_its_scope_and_can_be_removed_once():
    community_rule = AutomodRule("am1")
    community_rule.add(
        community_id="c1",
        keywords=[" spam "],
        regex="",
        action=types.AUTOMOD_REMOVE,
        actor_id="admin",
        now=NOW,
    )
    assert community_rule.recorded[-1] == events.AutomodRuleAdded(
        automod_rule_id="am1",
        community_id="c1",
        keywords=["spam"],
        action=types.AUTOMOD_REMOVE,
        actor_id="admin",
    )
    platform_rule = AutomodRule("am2")
    platform_rule.add(
        community_id="",
        keywords=[],
        regex="x+",
        action=types.AUTOMOD_FLAG,
        actor_id="staff",
        now=NOW,
    )
    assert platform_rule.view.platform and platform_rule.active().platform
    platform_rule.remove("staff", NOW)
    assert not platform_rule.exists
    with pytest.raises(Exception) as refused:
        platform_rule.remove("staff", NOW)
    assert refused.value.reason == reasons.AUTOMOD_RULE_NOT_FOUND
