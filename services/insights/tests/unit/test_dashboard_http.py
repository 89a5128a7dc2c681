"""The dashboard's HTTP mapping without servers: query strings into GetInsightsRequest,
refusals into statuses and bodies, and INSIGHTS_HTTP_PORT."""

from __future__ import annotations

import grpc
import pytest
from community_common.config import ConfigError
from community_common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from insights.dashboard.insights_endpoint import QUERY_FIELDS, insights_json, insights_request
from insights.dashboard.refusals import http_status, refusal_body
from insights.settings import DashboardSettings
from multidict import MultiDict


def test_query_parameters_are_the_requests_own_fields_but_the_community():
    request = insights_request("c1", MultiDict(range_days="7", time_zone="Asia/Kolkata",
                                               group_id="g1", as_of_date="2025-06-14"))
    assert (request.community_id, request.range_days, request.time_zone, request.group_id,
            request.as_of_date) == ("c1", 7, "Asia/Kolkata", "g1", "2025-06-14")
    assert "community_id" not in QUERY_FIELDS
    assert {"range_days", "time_zone", "group_id", "as_of_date"} <= set(QUERY_FIELDS)


def test_empty_parameters_leave_the_field_unset():
    request = insights_request("c1", MultiDict(range_days="", time_zone=""))
    assert (request.range_days, request.time_zone) == (0, "")


@pytest.mark.parametrize("query, field, says", [
    ([("range_days", "seven")], "range_days", "not a valid number"),
    ([("community_id", "c2")], "community_id", "not a parameter"),
    ([("token", "secret")], "token", "not a parameter"),
    ([("range_days", "7"), ("range_days", "28")], "range_days", "given more than once"),
])
def test_bad_parameters_are_named(query, field, says):
    with pytest.raises(InvalidArgument) as refused:
        insights_request("c1", MultiDict(query))
    [description] = [d for f, d in refused.value.violations if f == field]
    assert description.startswith(says)


def test_the_answer_keeps_proto_field_names_and_zero_values():
    from community.insights.v1 import insights_service_pb2

    body = insights_json(insights_service_pb2.GetInsightsResponse(community_id="c1",
                                                                    member_count=51))
    assert body["member_count"] == "51"       # int64 as a string: protobuf's JSON mapping
    assert body["members_banned"] == "0"      # default values included
    assert body["popular_hours"] == [] and body["group_id"] == ""


@pytest.mark.parametrize("code, status", [
    (grpc.StatusCode.INVALID_ARGUMENT, 400),
    (grpc.StatusCode.UNAUTHENTICATED, 401),
    (grpc.StatusCode.PERMISSION_DENIED, 403),
    (grpc.StatusCode.NOT_FOUND, 404),
    (grpc.StatusCode.FAILED_PRECONDITION, 412),
    (grpc.StatusCode.UNAVAILABLE, 503),
    (grpc.StatusCode.INTERNAL, 500),
])
def test_refusals_map_to_spec_statuses(code, status):
    assert http_status(code) == status


def test_a_refusal_body_is_code_reason_message_metadata():
    error = FailedPrecondition("INSIGHTS_THRESHOLD_NOT_MET", "needs more members",
                               metadata={"member_count": 50, "threshold": 50})
    assert refusal_body(error) == {
        "code": "FAILED_PRECONDITION", "reason": "INSIGHTS_THRESHOLD_NOT_MET",
        "message": "needs more members", "metadata": {"member_count": "50", "threshold": "50"}}
    assert refusal_body(PermissionDenied("ROLE_REQUIRED"))["metadata"] == {}


@pytest.mark.parametrize("value, port", [(None, 50080), ("0", 0), ("54080", 54080),
                                         ("off", None), ("OFF", None)])
def test_insights_http_port(value, port):
    env = {} if value is None else {"INSIGHTS_HTTP_PORT": value}
    assert DashboardSettings.from_env(env).http_port == port


@pytest.mark.parametrize("value", ["http", "70000", "-1"])
def test_a_bad_insights_http_port_names_the_variable(value):
    with pytest.raises(ConfigError, match="INSIGHTS_HTTP_PORT"):
        DashboardSettings.from_env({"INSIGHTS_HTTP_PORT": value})
