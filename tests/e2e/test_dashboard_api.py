"""The dashboard's HTTP side on the running stack: the JSON endpoint answers what GetInsights
answers (protobuf's JSON mapping, proto field names, default values included) and maps every
refusal to its HTTP status with `{code, reason, message, metadata}` (SPEC §7 Dashboard);
pages need no token and forbid inline scripts; tokens reach no log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from community.insights.v1 import insights_service_pb2 as insights
from community_common.auth import mint_token
from google.protobuf import json_format

from .conftest import INSTANCE, eventually
from .dashboard_world import get


@pytest.fixture
def big(big_community):
    return big_community


@pytest.fixture
def fifty(fifty_members):
    return fifty_members


def token(platform, user_id: str, **claims) -> str:
    return mint_token(platform.secret, user_id, **claims)


def insights_path(community_id: str, query: str = "") -> str:
    return f"/api/v1/communities/{community_id}/insights" + (f"?{query}" if query else "")


def test_figures_are_get_insights_answer_in_protobufs_json_mapping(platform, big):
    owner = token(platform, big.owner.user_id)
    status, headers, body = get(insights_path(big.community_id,
                                              "range_days=7&time_zone=Asia/Kolkata"), owner)
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert headers["Cache-Control"] == "no-store"
    grpc_answer = big.owner.insights.GetInsights(insights.GetInsightsRequest(
        community_id=big.community_id, range_days=7, time_zone="Asia/Kolkata"))
    assert body == json_format.MessageToDict(
        grpc_answer, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)
    # Proto field names, int64 as strings (the JSON mapping), zero counts present.
    assert body["member_count"] == "51"
    assert body["members_banned"] == "0"
    assert (body["range_days"], body["time_zone"]) == (7, "Asia/Kolkata")
    assert len(body["daily"]) == 7 and len(body["popular_hours"]) == 24
    assert len(body["popular_days"]) == 7
    assert body["posts"] == "7" and body["content_removed"] == "1"


def test_an_empty_parameter_is_the_default_and_a_platform_admin_may_look(platform, big):
    admin = token(platform, f"admin-{uuid.uuid4().hex[:8]}", platform_admin=True)
    status, _, body = get(insights_path(big.community_id, "range_days=&time_zone=&group_id="),
                          admin)
    assert status == 200
    assert (body["range_days"], body["time_zone"], len(body["daily"])) == (28, "UTC", 28)


@pytest.mark.parametrize("credentials, reason", [
    (None, "TOKEN_MISSING"),
    ("not-a-jwt", "TOKEN_INVALID"),
    ("forged", "TOKEN_INVALID"),
    ("expired", "TOKEN_EXPIRED"),
])
def test_401_without_a_valid_token(platform, big, credentials, reason):
    bearer = {
        None: None,
        "not-a-jwt": "not-a-jwt",
        "forged": mint_token("another-secret-of-at-least-32-bytes!!", big.owner.user_id),
        "expired": mint_token(platform.secret, big.owner.user_id, ttl=-120),
    }[credentials]
    status, headers, body = get(insights_path(big.community_id), bearer)
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert (body["code"], body["reason"]) == ("UNAUTHENTICATED", reason)
    assert set(body) == {"code", "reason", "message", "metadata"}


def test_403_for_a_member_below_moderator_and_for_a_non_member(platform, big):
    status, _, body = get(insights_path(big.community_id), token(platform, big.member.user_id))
    assert status == 403
    assert body == {"code": "PERMISSION_DENIED", "reason": "ROLE_REQUIRED",
                    "message": "insights are for moderators and above",
                    "metadata": {"required_role": "ROLE_MODERATOR"}}
    stranger = token(platform, f"stranger-{uuid.uuid4().hex[:8]}")
    status, _, body = get(insights_path(big.community_id), stranger)
    assert (status, body["code"], body["reason"]) == (403, "PERMISSION_DENIED", "NOT_A_MEMBER")


def test_404_for_an_unknown_community_group_or_endpoint(platform, big):
    owner = token(platform, big.owner.user_id)
    status, _, body = get(insights_path("no-such-community"), owner)
    assert status == 404
    assert body == {"code": "NOT_FOUND", "reason": "COMMUNITY_NOT_FOUND",
                    "message": "community not found",
                    "metadata": {"resource_id": "no-such-community"}}
    status, _, body = get(insights_path(big.community_id, "group_id=no-such-group"), owner)
    assert (status, body["reason"], body["metadata"]) == (
        404, "GROUP_NOT_FOUND", {"resource_id": "no-such-group"})
    status, _, body = get(f"/api/v1/communities/{big.community_id}/nothing", owner)
    assert (status, body["code"]) == (404, "NOT_FOUND")


def test_412_below_the_threshold_carries_the_count_and_the_threshold(platform, fifty):
    owner = token(platform, fifty.owner.user_id)

    def refused():
        status, _, body = get(insights_path(fifty.community_id), owner)
        return (status, body) if body.get("metadata", {}).get("member_count") == "50" else None

    status, body = eventually(refused, timeout=30)
    assert status == 412
    assert body["code"] == "FAILED_PRECONDITION"
    assert body["reason"] == "INSIGHTS_THRESHOLD_NOT_MET"
    assert body["metadata"] == {"member_count": "50", "threshold": "50"}


def test_as_of_date_takes_that_days_member_count(platform, big):
    """The community was made today: yesterday it had no members; today is now's figures."""
    owner = token(platform, big.owner.user_id)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    status, _, body = get(insights_path(big.community_id, f"as_of_date={yesterday}"), owner)
    assert (status, body["reason"], body["metadata"]) == (
        412, "INSIGHTS_THRESHOLD_NOT_MET", {"member_count": "0", "threshold": "50"})
    today = datetime.now(UTC).date().isoformat()
    status, _, body = get(insights_path(big.community_id, f"as_of_date={today}"), owner)
    assert (status, body["member_count"], body["posts"]) == (200, "51", "7")


@pytest.mark.parametrize("query, field", [
    ("range_days=5", "range_days"),
    ("range_days=many", "range_days"),
    ("time_zone=Mars/Olympus_Mons", "time_zone"),
    ("range=7", "range"),
    ("range_days=7&range_days=28", "range_days"),
    ("as_of_date=yesterday", "as_of_date"),
    ("as_of_date=2999-01-01", "as_of_date"),
])
def test_400_names_the_bad_parameter(platform, big, query, field):
    status, _, body = get(insights_path(big.community_id, query),
                          token(platform, big.owner.user_id))
    assert status == 400
    assert (body["code"], body["reason"]) == ("INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert re.search(rf"\b{field}\b", body["message"]), body["message"]


def test_503_when_a_consistency_token_is_not_reached_in_time(platform, big):
    status, _, body = get(insights_path(big.community_id,
                                        f"consistency_token={big.community_id}:999999"),
                          token(platform, big.owner.user_id))
    assert (status, body["code"], body["reason"]) == (503, "UNAVAILABLE", "CONSISTENCY_TIMEOUT")


def test_405_for_anything_but_get(platform, big):
    status, _, body = get(insights_path(big.community_id), token(platform, big.owner.user_id),
                          method="POST")
    assert (status, body["code"]) == (405, "INVALID_ARGUMENT")


def test_groups_for_the_selector_follow_the_same_checks(platform, big):
    status, _, body = get(f"/api/v1/communities/{big.community_id}/groups",
                          token(platform, big.owner.user_id))
    assert status == 200
    assert body == {"community_id": big.community_id,
                    # The owner created the group, and so is its one member.
                    "groups": [{"group_id": big.group_id, "member_count": 1}]}
    status, _, body = get(f"/api/v1/communities/{big.community_id}/groups",
                          token(platform, big.member.user_id))
    assert (status, body["reason"]) == (403, "ROLE_REQUIRED")


def test_pages_need_no_token_and_allow_only_the_servers_own_scripts(platform):
    for path in ("/", "/communities/anything"):
        status, headers, html = get(path)
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        # Every script is a file of this server's: none inline, none from elsewhere.
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
        assert scripts and all(re.search(r'src="/assets/', attrs) and not body.strip()
                               for attrs, body in scripts)
        assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers either
    status, headers, library = get("/assets/vendor/echarts.min.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    assert "echarts" in library[:2000]
    assert get("/assets/../bootstrap.py")[0] == 404


def test_tokens_reach_no_log(platform, big):
    owner = token(platform, big.owner.user_id)
    assert get(insights_path(big.community_id), owner)[0] == 200
    assert get(insights_path(big.community_id), owner + "x")[0] == 401
    log = (INSTANCE.dir / "logs" / "insights.log").read_text()
    assert f"/api/v1/communities/{big.community_id}/insights" in log
    assert owner not in log


def test_a_taken_dashboard_port_stops_the_process_with_one_clear_line(platform):
    # The running insights API holds the instance's dashboard port.
    started = subprocess.run(
        [sys.executable, "-m", "insights"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "COMMUNITY_AUTH_HS256_SECRET": platform.secret, "GRPC_PORT": "0",
             "INSIGHTS_HTTP_PORT": str(INSTANCE.http_port), "LOG_LEVEL": "WARNING",
             "KAFKA_BOOTSTRAP_SERVERS": INSTANCE.kafka_bootstrap,
             "MONGODB_URI": INSTANCE.mongo_uri})
    assert started.returncode == 2
    assert started.stderr.startswith(
        f"cannot start: cannot serve the dashboard on port {INSTANCE.http_port} "
        "(INSIGHTS_HTTP_PORT)")
    assert "Traceback" not in started.stderr + started.stdout
