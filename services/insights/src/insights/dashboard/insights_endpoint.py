"""`GET /api/v1/communities/<community_id>/insights`: the query string read into a
`GetInsightsRequest`, and its answer in protobuf's JSON mapping with the proto field names
and every field at its default value included (SPEC §7 Dashboard).

The query parameters are the request's own fields (the path gives `community_id`), so a field
GetInsights gains is a parameter here without a second list to keep.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from community.insights.v1 import insights_service_pb2
from community_common.errors import InvalidArgument
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from multidict import MultiMapping

REQUEST = insights_service_pb2.GetInsightsRequest
# From the path, never the query: one community per URL.
PATH_FIELDS = ("community_id",)
QUERY_FIELDS = tuple(name for name in REQUEST.DESCRIPTOR.fields_by_name if name not in PATH_FIELDS)


def insights_request(community_id: str, query: MultiMapping[str]) -> Any:
    """The GetInsightsRequest a dashboard URL asks for; an empty parameter is an unset field.

    Raises InvalidArgument naming each parameter that is unknown, repeated or malformed.
    """
    violations: list[tuple[str, str]] = []
    fields: dict[str, str] = {}
    for name in dict.fromkeys(query):
        values = query.getall(name)
        if name not in QUERY_FIELDS:
            violations.append((name, f"not a parameter; expected one of {', '.join(QUERY_FIELDS)}"))
        elif len(values) > 1:
            violations.append((name, "given more than once"))
        elif values[0] != "":
            fields[name] = values[0]
    request = REQUEST(community_id=community_id)
    for name, value in fields.items():
        try:
            # The JSON mapping reads numbers given as strings, as a query string gives them.
            json_format.ParseDict({name: value}, request)
        except json_format.ParseError:
            violations.append((name, f"not a valid {_kind(name)}"))
    if violations:
        raise InvalidArgument(violations)
    return request


def _kind(name: str) -> str:
    field = REQUEST.DESCRIPTOR.fields_by_name[name]
    return "number" if field.cpp_type in _NUMBERS else "value"


_NUMBERS = {
    FieldDescriptor.CPPTYPE_INT32,
    FieldDescriptor.CPPTYPE_INT64,
    FieldDescriptor.CPPTYPE_UINT32,
    FieldDescriptor.CPPTYPE_UINT64,
}


def insights_json(response: insights_service_pb2.GetInsightsResponse) -> Mapping[str, Any]:
    return json_format.MessageToDict(
        response, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )

