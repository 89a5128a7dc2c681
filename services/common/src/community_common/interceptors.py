"""gRPC server interceptors: request context + access log, domain-error mapping, and request
decoding after authentication.

grpc.aio interceptors only see the call before the handler runs, so each one returns the
handler with its behaviour wrapped; the wrapper runs inside the RPC's own task, which is what
lets contextvars set here reach the handler and the log lines it writes.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from community_contracts.reasons import DOMAIN
from google.protobuf.message import DecodeError
from grpc import aio

from community_common.context import (
    caller_var,
    correlation_id_var,
    request_id_var,
    traceparent_var,
)
from community_common.errors import (
    DomainError,
    InvalidArgument,
    Unavailable,
    internal_error,
    to_grpc_status,
)
from community_common.mongo import storage_down

log = logging.getLogger("community_common.grpc")

REQUEST_ID_HEADER = "x-request-id"
CORRELATION_ID_HEADER = "x-correlation-id"
TRACEPARENT_HEADER = "traceparent"
# W3C Trace Context, version 00: version-trace_id-parent_id-flags, lowercase hex, ids not all 0.
_TRACEPARENT = re.compile(r"00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}")


def valid_traceparent(value: str | None) -> bool:
    return value is not None and _TRACEPARENT.fullmatch(value) is not None

# A behaviour wrapper gets the original behaviour and returns one with the same shape.
UnaryWrapper = Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]


def metadata_value(metadata: Any, key: str) -> str | None:
    for item in metadata or ():
        k, v = item
        if k == key:
            return v if isinstance(v, str) else v.decode()
    return None


def wrap_handler(
    handler: grpc.RpcMethodHandler | None,
    around: Callable[[Any, aio.ServicerContext, Callable[[], Any]], Awaitable[Any]],
) -> grpc.RpcMethodHandler | None:
    """Return `handler` with each behaviour run through `around(request, context, proceed)`.

    `proceed()` runs the original behaviour and returns its awaitable result (unary response)
    or async iterator (streaming response); `around` returns the same.
    """
    if handler is None:
        return None

    def unary_response(behavior: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
        async def run(request: Any, context: aio.ServicerContext) -> Any:
            async def proceed() -> Any:
                return await behavior(request, context)

            return await around(request, context, proceed)

        return run

    def stream_response(behavior: Callable[..., Any]) -> Callable[..., AsyncIterator[Any]]:
        async def run(request: Any, context: aio.ServicerContext) -> AsyncIterator[Any]:
            collected: list[Any] = []

            async def proceed() -> None:
                # Streaming behaviours are either async generators or coroutines that use
                # context.write(); both are driven to the end here.
                result = behavior(request, context)
                if inspect.isasyncgen(result):
                    async for item in result:
                        collected.append(item)
                else:
                    await result

            await around(request, context, proceed)
            for item in collected:
                yield item

        return run

    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(
            unary_response(handler.unary_unary),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(
            unary_response(handler.stream_unary),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(
            stream_response(handler.unary_stream),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.stream_stream:
        return grpc.stream_stream_rpc_method_handler(
            stream_response(handler.stream_stream),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    return handler


def passes_through(method: str) -> bool:
    """Health checks and reflection are infrastructure: no auth, no access log noise.

    Health Watch and reflection are long-lived streams; buffering them (as wrapping streaming
    responses does) would break them, so they are never wrapped.
    """
    return method.startswith(("/grpc.health.v1.Health/", "/grpc.reflection."))


class RequestContextInterceptor(aio.ServerInterceptor):
    """Gives each call a request id (client's x-request-id or a fresh one) and logs the outcome."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if passes_through(method):
            return handler
        metadata = handler_call_details.invocation_metadata
        request_id = metadata_value(metadata, REQUEST_ID_HEADER) or uuid.uuid4().hex
        correlation_id = metadata_value(metadata, CORRELATION_ID_HEADER) or request_id
        traceparent = metadata_value(metadata, TRACEPARENT_HEADER)

        async def around(request: Any, context: aio.ServicerContext, proceed: Any) -> Any:
            request_id_var.set(request_id)
            correlation_id_var.set(correlation_id)
            # A malformed trace context is dropped, as W3C asks, rather than carried on.
            traceparent_var.set(traceparent if valid_traceparent(traceparent) else None)
            started = time.perf_counter()
            outcome = "OK"
            try:
                return await proceed()
            except BaseException:
                code = context.code()
                outcome = code.name if isinstance(code, grpc.StatusCode) else "CANCELLED"
                raise
            finally:
                log.info(
                    "rpc %s %s",
                    method,
                    outcome,
                    extra={
                        "fields": {
                            "rpc": method,
                            "code": outcome,
                            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        }
                    },
                )
                caller_var.set(None)

        return wrap_handler(handler, around)  # type: ignore[return-value]


class ErrorMappingInterceptor(aio.ServerInterceptor):
    """Turns DomainError into its rich status; any other exception into a bare INTERNAL."""

    def __init__(self, domain: str = DOMAIN) -> None:
        self.domain = domain

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if passes_through(handler_call_details.method):
            return handler
        domain = self.domain

        async def around(request: Any, context: aio.ServicerContext, proceed: Any) -> Any:
            try:
                return await proceed()
            except DomainError as error:
                await context.abort_with_status(to_grpc_status(error, domain))
            except NotImplementedError:
                # Generated servicer base classes raise this for RPCs not built yet.
                await context.abort(grpc.StatusCode.UNIMPLEMENTED, "method not implemented")
            except aio.AbortError:
                raise
            except Exception as error:
                if not storage_down(error):
                    log.exception("unhandled error in %s", handler_call_details.method)
                    await context.abort_with_status(internal_error(domain))
                # The client may retry; the log says which dependency was down.
                log.warning("mongodb unavailable in %s: %r", handler_call_details.method, error)
                unavailable = Unavailable(message="storage unavailable, retry")
                await context.abort_with_status(to_grpc_status(unavailable, domain))

        return wrap_handler(handler, around)  # type: ignore[return-value]


class RequestDecodingInterceptor(aio.ServerInterceptor):
    """Decodes request bodies inside the call, after authentication, not before it.

    grpc.aio deserialises a request before any interceptor's wrapper runs, and a body that does
    not decode (corrupt wire format, a string field that is not UTF-8) then fails as UNKNOWN
    with a traceback in the log, even for a caller without a token. Installed last, this hands
    grpc a pass-through deserialiser (raw bytes reach the outer wrappers, which ignore the
    request) and decodes just before the handler, so a bad body answers UNAUTHENTICATED
    without a valid token, else INVALID_ARGUMENT.
    """

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or passes_through(handler_call_details.method):
            return handler
        decode = handler.request_deserializer
        behavior = handler.unary_unary
        if decode is None or behavior is None:
            return handler  # every RPC of the platform is unary; streams keep grpc's decoding
        method = handler_call_details.method.rsplit("/", 1)[-1]

        async def decode_then_handle(raw: bytes, context: aio.ServicerContext) -> Any:
            try:
                request = decode(raw)
            except DecodeError:
                raise InvalidArgument(
                    {"request": "does not decode: corrupt protobuf wire format, or a string "
                     "field that is not valid UTF-8"},
                    f"invalid argument: the {method} request does not decode",
                ) from None
            return await behavior(request, context)

        return grpc.unary_unary_rpc_method_handler(
            decode_then_handle, response_serializer=handler.response_serializer
        )
