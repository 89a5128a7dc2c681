"""Reports: which queue they go to, what they must say, and resolving them once."""

from datetime import UTC, datetime

import pytest
from community.moderation.v1 import types_pb2 as types
from community_common.errors import FailedPrecondition, InvalidArgument
from community_contracts import reasons
from moderation.domain.reports import (
    Report,
    ReportTarget,
    check_report_arguments,
    goes_to_platform_queue,
)

NOW = datetime(2025, 1, 1, tzinfo=UTC)
POST = ReportTarget("c1", "author", group_id="g1", post_id="p1")
USER = ReportTarget("c1", "troll")


def filed(target=POST, reason=types.REASON_COMMUNITY_RULE) -> Report:
    report = Report("rep1")
    report.file(
        target,
        reason=reason,
        rule_id="r1" if reason == types.REASON_COMMUNITY_RULE else "",
        reporter_id="reporter",
        platform=goes_to_platform_queue(reason),
        now=NOW,
    )
    return report


def test_community_rule_reports_go_to_the_community_queue_the_rest_to_the_platform():
    assert not goes_to_platform_queue(types.REASON_COMMUNITY_RULE)
    for reason in (types.REASON_SPAM, types.REASON_HARASSMENT, types.REASON_PLATFORM_GUIDELINES):
        assert goes_to_platform_queue(reason)


@pytest.mark.parametrize(
    ("reason", "rule_id", "details", "field"),
    [
        (types.REASON_COMMUNITY_RULE, "", "", "rule_id"),
        (types.REASON_SPAM, "r1", "", "rule_id"),
        (types.REASON_UNSPECIFIED, "", "", "reason"),
        (99, "", "", "reason"),
        (types.REASON_SPAM, "", "x" * 2001, "details"),
    ],
)
def test_report_arguments(reason, rule_id, details, field):
    with pytest.raises(InvalidArgument) as refused:
        check_report_arguments(reason, rule_id, details)
    assert field in [f for f, _ in refused.value.violations]


def test_a_filed_report_is_open_and_about_the_contents_author():
    report = filed()
    assert report.is_open
    assert report.view.user_id == "author" and report.view.group_id == "g1"
    assert report.view.created_at.ToDatetime(tzinfo=UTC) == NOW


def test_a_report_is_resolved_once():
    report = filed()
    report.resolve(types.RESOLUTION_DISMISS, "fine", "mod", NOW)
    assert report.view.status == types.REPORT_STATUS_RESOLVED
    assert (report.view.note, report.view.resolver_id) == ("fine", "mod")
    with pytest.raises(FailedPrecondition) as refused:
        report.resolve(types.RESOLUTION_BAN_AUTHOR, "", "mod2", NOW)
    assert refused.value.reason == reasons.REPORT_ALREADY_RESOLVED


def test_a_reported_user_has_no_content_to_remove():
    with pytest.raises(InvalidArgument):
        filed(USER, types.REASON_HARASSMENT).resolve(types.RESOLUTION_REMOVE_CONTENT, "", "a", NOW)
    filed(USER, types.REASON_HARASSMENT).resolve(types.RESOLUTION_BAN_AUTHOR, "", "a", NOW)


def test_an_unknown_resolution_is_refused():
    with pytest.raises(InvalidArgument):
        filed().resolve(types.RESOLUTION_UNSPECIFIED, "", "mod", NOW)


def test_snapshot_restores_the_report():
    report = filed()
    copy = Report("rep1")
    copy.restore_snapshot(report.snapshot())
    assert copy.view == report.view
