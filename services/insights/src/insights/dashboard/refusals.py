"""How a refusal reads over HTTP: the status for its gRPC code, and the JSON body
`{"code", "reason", "message", "metadata"}` (SPEC §7 Dashboard), `code` being the gRPC code
name and `reason` / `metadata` its ErrorInfo's."""

from __future__ import annotations

from typing import Any

import grpc
from community_common.errors import DomainError

# SPEC §7 names 401 / 403 / 404 / 412 / 400; the rest follow google.rpc.Code's HTTP mapping.
HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    # Not google.rpc's 400: a client tells "not yet" (the threshold) from a bad request.
    grpc.StatusCode.FAILED_PRECONDITION: 412,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}


def http_status(code: grpc.StatusCode) -> int:
    return HTTP_STATUS.get(code, 500)


def refusal_body(error: DomainError) -> dict[str, Any]:
    return {
        "code": error.code.name,
        "reason": error.reason,
        "message": error.message,
        "metadata": dict(error.metadata),
    }
