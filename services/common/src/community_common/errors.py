"""Domain errors and their mapping to canonical gRPC status with rich error details.

Handlers raise these; the error-mapping interceptor turns them into a `google.rpc.Status`
carrying an `ErrorInfo` (a reason from `community_contracts.reasons`, its domain, metadata)
and, for bad arguments, a `BadRequest` with field violations, sent in the
`grpc-status-details-bin` trailer. Anything else becomes
INTERNAL "internal error": the traceback goes to the log, never to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import grpc
from community_contracts import reasons
from community_contracts.reasons import (
    CONCURRENT_MODIFICATION,
    DOMAIN,
    INTERNAL,
    INVALID_ARGUMENT,
    NOT_FOUND,
    UNAVAILABLE,
)
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

log = logging.getLogger("community_common.errors")

# Field violations one refusal names at most.
MAX_VIOLATIONS = 20


class DomainError(Exception):
    """A refusal the client should see: a status code, a reason and a human message."""

    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def __init__(
        self,
        reason: str,
        message: str | None = None,
        *,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.reason = reason
        self.message = message or reason.lower().replace("_", " ")
        self.metadata = {k: str(v) for k, v in (metadata or {}).items()}
        super().__init__(self.message)


class InvalidArgument(DomainError):
    """Bad argument: names each offending field and what is wrong with it."""

    code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(
        self,
        violations: Mapping[str, str] | Iterable[tuple[str, str]],
        message: str | None = None,
        *,
        reason: str = INVALID_ARGUMENT,
    ) -> None:
        pairs = list(violations.items() if isinstance(violations, Mapping) else violations)
        # The first ones only: the details travel in trailers, which a client caps (grpc's
        # default is 8 KiB), so a request with hundreds of bad items would reach the client
        # as RESOURCE_EXHAUSTED instead of this refusal.
        self.violations: list[tuple[str, str]] = pairs[:MAX_VIOLATIONS]
        summary = "; ".join(f"{f}: {d}" for f, d in self.violations)
        if len(pairs) > MAX_VIOLATIONS:
            summary += f"; and {len(pairs) - MAX_VIOLATIONS} more"
        super().__init__(reason, message or (f"invalid argument: {summary}" if pairs else None))


class NotFound(DomainError):
    code = grpc.StatusCode.NOT_FOUND

    def __init__(
        self,
        message: str | None = None,
        *,
        reason: str = NOT_FOUND,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(reason, message, metadata=metadata)


class PermissionDenied(DomainError):
    code = grpc.StatusCode.PERMISSION_DENIED


class FailedPrecondition(DomainError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class ResourceExhausted(DomainError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class AlreadyExists(DomainError):
    code = grpc.StatusCode.ALREADY_EXISTS


class Aborted(DomainError):
    """A concurrent write won; safe for the client to retry."""

    code = grpc.StatusCode.ABORTED

    def __init__(
        self,
        message: str | None = None,
        *,
        reason: str = CONCURRENT_MODIFICATION,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(reason, message or "concurrent write conflict, retry", metadata=metadata)


class Unavailable(DomainError):
    """Safe to retry later: a dependency is down, or a consistency token was not reached."""

    code = grpc.StatusCode.UNAVAILABLE

    def __init__(
        self,
        reason: str = UNAVAILABLE,
        message: str | None = None,
        *,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(reason, message, metadata=metadata)


class Unauthenticated(DomainError):
    code = grpc.StatusCode.UNAUTHENTICATED


def to_status_proto(error: DomainError, domain: str = DOMAIN) -> status_pb2.Status:
    details = []
    info = error_details_pb2.ErrorInfo(reason=error.reason, domain=domain, metadata=error.metadata)
    details.append(info)
    if isinstance(error, InvalidArgument) and error.violations:
        details.append(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
                    for f, d in error.violations
                ]
            )
        )
    if error.reason in reasons.CODES and reasons.code(error.reason) != error.code:
        # The contract pins each reason to one code; a mismatch is a bug worth seeing in logs.
        log.warning("reason %s sent with %s", error.reason, error.code.name)
    packed = []
    for detail in details:
        any_detail = any_pb2.Any()
        any_detail.Pack(detail)
        packed.append(any_detail)
    return status_pb2.Status(code=error.code.value[0], message=error.message, details=packed)


def to_grpc_status(error: DomainError, domain: str = DOMAIN) -> grpc.Status:
    """The `grpc.Status` (code, message, `grpc-status-details-bin` trailer) for an error."""
    return rpc_status.to_status(to_status_proto(error, domain))


def internal_error(domain: str = DOMAIN) -> grpc.Status:
    return to_grpc_status(_Internal(INTERNAL, "internal error"), domain)


class _Internal(DomainError):
    code = grpc.StatusCode.INTERNAL


def error_info(status: status_pb2.Status) -> error_details_pb2.ErrorInfo | None:
    """The ErrorInfo inside a rich status (clients and tests use this to read the reason)."""
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    return None


def bad_request(status: status_pb2.Status) -> error_details_pb2.BadRequest | None:
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            violations = error_details_pb2.BadRequest()
            detail.Unpack(violations)
            return violations
    return None
