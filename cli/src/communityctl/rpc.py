"""Calling any RPC by name: the request is built from `field=value` pairs through the
generated descriptors, and the caller's token goes in the `authorization` metadata."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import grpc
from community_contracts import services
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from google.rpc import error_details_pb2, status_pb2

SERVICES = {s.short_name: s for s in services.ALL}


class UsageError(ValueError):
    """The command line does not describe a valid request."""


@dataclass
class CallFailed(Exception):
    """The service refused the call: its canonical code, ErrorInfo reason and message."""

    code: str
    reason: str
    message: str
    violations: list[str]

    def __str__(self) -> str:
        head = f"{self.reason or self.code}: {self.message}"
        return "\n".join([head, *(f"  {v}" for v in self.violations)])


def endpoint(service: str) -> str:
    """COMMUNITY_<SERVICE>_ADDR, else 127.0.0.1 on the service's contract port."""
    env = f"COMMUNITY_{service.upper()}_ADDR"
    return os.environ.get(env, f"127.0.0.1:{SERVICES[service].default_port}")


def build_request(service: str, method: str, pairs: list[str]) -> Message:
    rpc = SERVICES[service].descriptor.methods_by_name.get(method)
    if rpc is None:
        raise UsageError(f"{SERVICES[service].full_name} has no RPC {method}")
    request_class = GetMessageClass(rpc.input_type)
    fields = rpc.input_type.fields_by_name
    body: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or name not in fields:
            known = ", ".join(fields)
            raise UsageError(f"expected field=value with a field of {method}: {known}")
        body[name] = _value(fields[name], raw)
    try:
        return json_format.ParseDict(body, request_class())
    except json_format.ParseError as error:
        raise UsageError(str(error)) from None


def _value(field: FieldDescriptor, raw: str) -> Any:
    repeated = field.is_repeated
    if field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.full_name not in (
        "google.protobuf.Duration",
        "google.protobuf.Timestamp",
    ):
        return json.loads(raw)
    if repeated:
        return [item for item in raw.split(",") if item]
    if field.type == FieldDescriptor.TYPE_BOOL:
        return raw.lower() in ("1", "true", "yes")
    return raw


def call(service: str, method: str, request: Message, token: str, timeout: float = 10) -> Message:
    rpc = SERVICES[service].descriptor.methods_by_name[method]
    path = f"/{SERVICES[service].full_name}/{method}"
    response_class = GetMessageClass(rpc.output_type)
    with grpc.insecure_channel(endpoint(service)) as channel:
        stub = channel.unary_unary(
            path,
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_class.FromString,
        )
        try:
            return stub(request, metadata=[("authorization", f"Bearer {token}")], timeout=timeout)
        except grpc.RpcError as error:
            raise failure(error) from None


def failure(error: grpc.RpcError) -> CallFailed:
    """The refusal as code, ErrorInfo reason, message and field violations."""
    code = error.code().name if error.code() else "UNKNOWN"
    reason, violations = "", []
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason = info.reason
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                violations = [f"{v.field}: {v.description}" for v in bad.field_violations]
    return CallFailed(code, reason, error.details() or "", violations)
