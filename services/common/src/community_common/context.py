"""Per-request context carried in contextvars: request id, correlation id, caller, trace.

Kept in its own module so logging (which reads it) and the interceptors / auth (which set it)
do not import each other.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """The authenticated user making the current call."""

    user_id: str
    is_platform_admin: bool = False


request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
caller_var: ContextVar[Caller | None] = ContextVar("caller", default=None)
# The caller's W3C trace context (gRPC metadata `traceparent`), carried into the events a call
# causes.
traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)
