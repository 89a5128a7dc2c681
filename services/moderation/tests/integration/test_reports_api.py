"""Reports through the real API: queues by reason, listing by status, resolving with action."""

import grpc
from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from community_contracts import reasons

from .conftest import of_type, reason_of, violated_fields


async def rule_in(moderation, club):
    response = await moderation.call(
        "AddRule", api.AddRuleRequest(community_id=club.community_id, title="Be kind"), club.owner
    )
    return response.rule.rule_id


async def test_reasons_pick_the_queue(moderation):
    mod, reporter, author = (moderation.new_id(p) for p in ("mod", "reporter", "author"))
    club = await moderation.community({mod: roles.ROLE_MODERATOR, author: roles.ROLE_MEMBER})
    rule_id = await rule_in(moderation, club)
    post_id = moderation.post(club, author, "rude words")
    community_report = await moderation.call(
        "ReportContent",
        api.ReportContentRequest(
            community_id=club.community_id,
            post_id=post_id,
            reason=types.REASON_COMMUNITY_RULE,
            rule_id=rule_id,
            details="rude",
        ),
        reporter,
    )
    assert (community_report.report.user_id, community_report.report.platform) == (author, False)
    spam = await moderation.call(
        "ReportContent",
        api.ReportContentRequest(
            community_id=club.community_id, user_id=author, reason=types.REASON_SPAM
        ),
        reporter,
    )
    assert spam.report.platform
    queue = await moderation.call(
        "ListReports", api.ListReportsRequest(community_id=club.community_id), mod
    )
    assert [r.report_id for r in queue.reports] == [community_report.report.report_id]
    platform = await moderation.call(
        "ListReports",
        api.ListReportsRequest(platform=True, page_size=100),
        "staff",
        platform_admin=True,
    )
    assert spam.report.report_id in [r.report_id for r in platform.reports]
    await moderation.events.wait_for(
        of_type(events.ReportFiled, report_id=spam.report.report_id, platform=True)
    )


async def test_a_report_resolved_with_ban_bans_the_author(moderation):
    mod, author = moderation.new_id("mod"), moderation.new_id("author")
    club = await moderation.community({mod: roles.ROLE_MODERATOR, author: roles.ROLE_MEMBER})
    rule_id = await rule_in(moderation, club)
    comment_id = moderation.comment(club, moderation.post(club, mod), author, "insult")
    report = (
        await moderation.call(
            "ReportContent",
            api.ReportContentRequest(
                community_id=club.community_id,
                comment_id=comment_id,
                reason=types.REASON_COMMUNITY_RULE,
                rule_id=rule_id,
            ),
            moderation.new_id("reporter"),
        )
    ).report
    resolved = await moderation.call(
        "ResolveReport",
        api.ResolveReportRequest(
            report_id=report.report_id, resolution=types.RESOLUTION_BAN_AUTHOR, note="repeat"
        ),
        mod,
    )
    assert resolved.report.status == types.REPORT_STATUS_RESOLVED
    assert (resolved.report.resolver_id, resolved.report.note) == (mod, "repeat")
    [(envelope, banned)] = await moderation.events.wait_for(
        of_type(events.MemberBanned, community_id=club.community_id, user_id=author)
    )
    assert (banned.report_id, banned.actor_id) == (report.report_id, mod)
    assert not banned.HasField("expires_at")  # permanent
    assert envelope.subject == club.community_id
    await moderation.events.wait_for(
        of_type(
            events.ReportResolved,
            report_id=report.report_id,
            resolution=types.RESOLUTION_BAN_AUTHOR,
        )
    )
    again = await moderation.refusal(
        "ResolveReport",
        api.ResolveReportRequest(report_id=report.report_id, resolution=types.RESOLUTION_DISMISS),
        mod,
    )
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason_of(again) == reasons.REPORT_ALREADY_RESOLVED
    log = await moderation.log(club.community_id, mod)
    assert [e.action for e in log[:2]] == [
        api.MODERATION_ACTION_REPORT_RESOLVED,
        api.MODERATION_ACTION_MEMBER_BANNED,
    ]


async def test_remove_content_and_mute_resolutions(moderation):
    mod, author = moderation.new_id("mod"), moderation.new_id("author")
    club = await moderation.community({mod: roles.ROLE_MODERATOR, author: roles.ROLE_MEMBER})
    rule_id = await rule_in(moderation, club)
    post_id = moderation.post(club, author, "bad")

    async def report():
        return (
            await moderation.call(
                "ReportContent",
                api.ReportContentRequest(
                    community_id=club.community_id,
                    post_id=post_id,
                    reason=types.REASON_COMMUNITY_RULE,
                    rule_id=rule_id,
                ),
                moderation.new_id("reporter"),
            )
        ).report.report_id

    first, second = await report(), await report()
    await moderation.call(
        "ResolveReport",
        api.ResolveReportRequest(report_id=first, resolution=types.RESOLUTION_REMOVE_CONTENT),
        mod,
    )
    await moderation.events.wait_for(
        of_type(events.ContentRemoved, post_id=post_id, report_id=first)
    )
    await moderation.call(
        "ResolveReport",
        api.ResolveReportRequest(report_id=second, resolution=types.RESOLUTION_MUTE_AUTHOR),
        mod,
    )
    [(_, muted)] = await moderation.events.wait_for(
        of_type(events.MemberMuted, user_id=author, report_id=second)
    )
    assert muted.duration.seconds == 24 * 3600


async def test_reports_list_by_status_newest_first_in_pages(moderation):
    mod = moderation.new_id("mod")
    club = await moderation.community({mod: roles.ROLE_MODERATOR})
    rule_id = await rule_in(moderation, club)
    ids = []
    for _ in range(5):
        response = await moderation.call(
            "ReportContent",
            api.ReportContentRequest(
                community_id=club.community_id,
                user_id=moderation.new_id("u"),
                reason=types.REASON_COMMUNITY_RULE,
                rule_id=rule_id,
            ),
            moderation.new_id("reporter"),
        )
        ids.append(response.report.report_id)
    for report_id in ids[1::2]:
        await moderation.call(
            "ResolveReport",
            api.ResolveReportRequest(report_id=report_id, resolution=types.RESOLUTION_DISMISS),
            mod,
        )

    async def listing(status):
        found, token = [], ""
        while True:
            page = await moderation.call(
                "ListReports",
                api.ListReportsRequest(
                    community_id=club.community_id, status=status, page_size=2, page_token=token
                ),
                mod,
            )
            assert len(page.reports) <= 2
            found += [r.report_id for r in page.reports]
            if not (token := page.next_page_token):
                return found

    newest_first = ids[::-1]
    assert await listing(types.REPORT_STATUS_UNSPECIFIED) == newest_first
    assert await listing(types.REPORT_STATUS_OPEN) == [
        i for i in newest_first if i not in ids[1::2]
    ]
    assert await listing(types.REPORT_STATUS_RESOLVED) == [
        i for i in newest_first if i in ids[1::2]
    ]


async def test_report_arguments_and_targets_are_checked(moderation):
    club = await moderation.community()
    refused = await moderation.refusal(
        "ReportContent",
        api.ReportContentRequest(
            community_id=club.community_id, reason=types.REASON_COMMUNITY_RULE
        ),
        club.owner,
    )
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violated_fields(refused)) == {"target"}
    refused = await moderation.refusal(
        "ReportContent",
        api.ReportContentRequest(
            community_id=club.community_id, post_id="no-such-post", reason=types.REASON_SPAM
        ),
        club.owner,
    )
    assert refused.code() == grpc.StatusCode.NOT_FOUND
    assert reason_of(refused) == reasons.POST_NOT_FOUND
    refused = await moderation.refusal(
        "ReportContent",
        api.ReportContentRequest(
            community_id=club.community_id,
            user_id="u",
            reason=types.REASON_COMMUNITY_RULE,
            rule_id="no-such-rule",
        ),
        club.owner,
    )
    assert reason_of(refused) == reasons.RULE_NOT_FOUND
