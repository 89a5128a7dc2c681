"""Automod as a stream step: real PostCreated / CommentAdded events on the feed topic lead to
moderation events on the moderation topic and entries in the moderation log."""


import grpc
from community.feed.v1 import events_pb2 as feed
from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from community_common.testing.events import event_envelope, produce_envelopes
from community_common.testing.polling import eventually_async
from community_contracts import reasons, topics

from .conftest import of_type, reason_of, violated_fields


async def add_rule(moderation, club, user, **fields):
    response = await moderation.call(
        "AddAutomodRule", api.AddAutomodRuleRequest(community_id=club.community_id, **fields), user
    )
    return response.automod_rule


async def eventually(read, holds, timeout_s: float = 10.0):
    """What `read()` answers once `holds(answer)` (bounded polling): automod lists what it
    did right after its commit, which the relay may already have published."""

    async def held():
        answer = await read()
        return (answer,) if holds(answer) else None

    (answer,) = await eventually_async(held, timeout_s)
    return answer


async def test_a_post_with_a_banned_keyword_is_removed_and_logged(moderation):
    club = await moderation.community()
    rule = await add_rule(
        moderation, club, club.owner, keywords=["forbidden"], action=types.AUTOMOD_REMOVE
    )
    author = moderation.new_id("author")
    clean = moderation.post(club, author, "all good here")
    post_id = moderation.post(club, author, "this is FORBÍDDEN stuff")

    [(envelope, removed)] = await moderation.events.wait_for(
        of_type(events.ContentRemoved, post_id=post_id)
    )
    assert (removed.author_id, removed.actor_id, removed.automod_rule_id) == (
        author,
        "",
        rule.automod_rule_id,
    )
    assert envelope.subject == post_id and envelope.key == club.community_id

    log = await eventually(
        lambda: moderation.log(club.community_id, club.owner),
        lambda log: any(e.post_id == post_id for e in log),
    )
    assert log[0].action == api.MODERATION_ACTION_CONTENT_REMOVED
    assert (log[0].actor_id, log[0].automod_rule_id, log[0].post_id) == (
        "",
        rule.automod_rule_id,
        post_id,
    )
    assert not any(e.post_id == clean for e in log)


async def test_remove_and_mute_on_a_comment_mutes_its_author(moderation):
    club = await moderation.community()
    rule = await add_rule(
        moderation,
        club,
        club.owner,
        regex=r"(?i)buy\s+followers",
        action=types.AUTOMOD_REMOVE_AND_MUTE,
    )
    post_id = moderation.post(club, moderation.new_id("author"))
    spammer = moderation.new_id("spammer")
    comment_id = moderation.comment(club, post_id, spammer, "Buy   followers cheap")
    [(_, removed)] = await moderation.events.wait_for(
        of_type(events.ContentRemoved, comment_id=comment_id)
    )
    [(_, muted)] = await moderation.events.wait_for(
        of_type(events.MemberMuted, community_id=club.community_id, user_id=spammer)
    )
    assert removed.post_id == post_id and muted.automod_rule_id == rule.automod_rule_id
    assert muted.duration.seconds == 3600


async def test_a_flag_rule_files_a_report_into_the_community_queue(moderation):
    club = await moderation.community()
    rule = await add_rule(
        moderation, club, club.owner, keywords=["refund"], action=types.AUTOMOD_FLAG
    )
    post_id = moderation.post(club, moderation.new_id("author"), "I want a refund!")
    [(_, filed)] = await moderation.events.wait_for(of_type(events.ReportFiled, post_id=post_id))
    assert (filed.reporter_id, filed.automod_rule_id, filed.platform) == (
        "",
        rule.automod_rule_id,
        False,
    )
    queue = await eventually(
        lambda: moderation.call(
            "ListReports", api.ListReportsRequest(community_id=club.community_id), club.owner
        ),
        lambda queue: queue.reports,
    )
    assert [r.post_id for r in queue.reports] == [post_id]


async def test_a_platform_rule_applies_in_every_community_and_a_redelivery_acts_once(moderation):
    word = moderation.new_id("scamword").replace("-", "")
    staff = moderation.new_id("staff")
    platform_rule = await moderation.call(
        "AddAutomodRule",
        api.AddAutomodRuleRequest(platform=True, keywords=[word], action=types.AUTOMOD_REMOVE),
        staff,
        platform_admin=True,
    )
    club = await moderation.community()
    post_id = moderation.new_id("post")
    created = event_envelope(
        feed.PostCreated(
            post_id=post_id, community_id=club.community_id, author_id="a", body=f"{word}!"
        )
    )
    produce_envelopes(moderation.kafka, topics.FEED_EVENTS, [created, created])
    [(_, removed)] = await moderation.events.wait_for(
        of_type(events.ContentRemoved, post_id=post_id)
    )
    await moderation.events.settle(1.5)  # the twin delivery has had time to act, and did not
    assert len(moderation.events.matching(of_type(events.ContentRemoved, post_id=post_id))) == 1
    assert removed.automod_rule_id == platform_rule.automod_rule.automod_rule_id
    platform_log = await moderation.log("", staff, platform_admin=True)
    assert any(
        e.automod_rule_id == platform_rule.automod_rule.automod_rule_id
        and e.action == api.MODERATION_ACTION_AUTOMOD_RULE_ADDED
        for e in platform_log
    )
    await moderation.call(
        "RemoveAutomodRule",
        api.RemoveAutomodRuleRequest(automod_rule_id=platform_rule.automod_rule.automod_rule_id),
        staff,
        platform_admin=True,
    )


async def test_a_bad_regex_is_refused_when_the_rule_is_added(moderation):
    club = await moderation.community()
    refused = await moderation.refusal(
        "AddAutomodRule",
        api.AddAutomodRuleRequest(
            community_id=club.community_id, regex="(a)\\1", action=types.AUTOMOD_REMOVE
        ),
        club.owner,
    )
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(refused) == reasons.INVALID_REGEX
    assert violated_fields(refused) == ["regex"]


async def test_a_catastrophic_pattern_and_a_one_megabyte_body_do_not_stall_the_consumer(
    moderation,
):
    club = await moderation.community()
    await add_rule(moderation, club, club.owner, regex=r"^(a+)+$", action=types.AUTOMOD_FLAG)
    await add_rule(moderation, club, club.owner, keywords=["needle"], action=types.AUTOMOD_REMOVE)
    author = moderation.new_id("author")
    evil = moderation.post(club, author, "a" * 1_000_000 + "!")
    after = moderation.post(club, author, "a needle in the haystack")
    # A consumer stalled on the pattern (backtracking over 1 MB) would never get there.
    await moderation.events.wait_for(of_type(events.ContentRemoved, post_id=after), timeout_s=30)
    assert not moderation.events.matching(of_type(events.ReportFiled, post_id=evil))


async def test_listing_and_removing_automod_rules(moderation):
    club = await moderation.community()
    first = await add_rule(moderation, club, club.owner, keywords=["a1"], action=types.AUTOMOD_FLAG)
    second = await add_rule(
        moderation, club, club.owner, keywords=["b2"], action=types.AUTOMOD_FLAG
    )
    await moderation.call(
        "RemoveAutomodRule",
        api.RemoveAutomodRuleRequest(automod_rule_id=first.automod_rule_id),
        club.owner,
    )
    listed = await moderation.call(
        "ListAutomodRules", api.ListAutomodRulesRequest(community_id=club.community_id), club.owner
    )
    assert [r.automod_rule_id for r in listed.automod_rules] == [second.automod_rule_id]
    refused = await moderation.refusal(
        "RemoveAutomodRule",
        api.RemoveAutomodRuleRequest(automod_rule_id=first.automod_rule_id),
        club.owner,
    )
    assert reason_of(refused) == reasons.AUTOMOD_RULE_NOT_FOUND
