"""Auth and error mapping seen from a client, through a real grpc.aio server on a free port."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from community_common.auth import current_caller, mint_token
from community_common.config import Settings
from community_common.errors import (
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    bad_request,
    error_info,
)
from community_common.server import ServiceHost
from google.protobuf import struct_pb2
from google.rpc import status_pb2
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

SECRET = b"unit-test-secret-unit-test-secret-0123456789"
SERVICE = "test.v1.EchoService"


async def whoami(request: struct_pb2.Struct, context: aio.ServicerContext) -> struct_pb2.Struct:
    caller = current_caller()
    reply = struct_pb2.Struct()
    reply.update({"user_id": caller.user_id, "is_platform_admin": caller.is_platform_admin})
    return reply


async def refuse(request: struct_pb2.Struct, context: aio.ServicerContext) -> struct_pb2.Struct:
    kind = request.fields["kind"].string_value
    if kind == "invalid":
        raise InvalidArgument({"name": "must be 1-100 characters"})
    if kind == "limit":
        raise FailedPrecondition(
            "COMMUNITY_LIMIT_REACHED", "you own 3 communities", metadata={"limit": "3"}
        )
    if kind == "many":
        raise InvalidArgument({f"topics[{i}]": "must not be empty" for i in range(1_000)})
    if kind == "denied":
        raise PermissionDenied("NOT_A_MEMBER", "members only")
    raise RuntimeError("secret connection string mongodb://admin:hunter2@db")


def register(server: aio.Server) -> None:
    def unary(fn: Any) -> grpc.RpcMethodHandler:
        return grpc.unary_unary_rpc_method_handler(
            fn,
            request_deserializer=struct_pb2.Struct.FromString,
            response_serializer=struct_pb2.Struct.SerializeToString,
        )

    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                SERVICE, {"WhoAmI": unary(whoami), "Refuse": unary(refuse)}
            ),
        )
    )


@pytest.fixture(scope="module")
async def channel() -> AsyncIterator[aio.Channel]:
    env = {
        "COMMUNITY_AUTH_HS256_SECRET": SECRET.decode(),
        "GRPC_PORT": "0",
        # Unreachable on purpose: these tests need no infrastructure, health stays NOT_SERVING.
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
        "MONGODB_URI": "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200",
    }
    host = ServiceHost(
        settings=Settings.from_env("echo", 0, env=env),
        service_full_name=SERVICE,
        register=[register],
        grace_s=1,
    )
    port = await host.start()
    async with aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield channel
    await host.stop()


def call(channel: aio.Channel, method: str) -> Any:
    return channel.unary_unary(
        f"/{SERVICE}/{method}",
        request_serializer=struct_pb2.Struct.SerializeToString,
        response_deserializer=struct_pb2.Struct.FromString,
    )


def bearer(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


def rich_status(error: aio.AioRpcError) -> status_pb2.Status:
    trailers = dict(error.trailing_metadata() or ())
    return status_pb2.Status.FromString(trailers["grpc-status-details-bin"])


async def refused_with(channel: aio.Channel, method: str, **kwargs: Any) -> aio.AioRpcError:
    with pytest.raises(aio.AioRpcError) as raised:
        await call(channel, method)(struct_pb2.Struct(), **kwargs)
    return raised.value


async def test_valid_token_names_the_caller(channel: aio.Channel) -> None:
    reply = await call(channel, "WhoAmI")(
        struct_pb2.Struct(), metadata=bearer(mint_token(SECRET, "alice", platform_admin=True))
    )
    assert reply["user_id"] == "alice"
    assert reply["is_platform_admin"] is True


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        ((), "TOKEN_MISSING"),
        ((("authorization", "Basic abc"),), "TOKEN_MISSING"),
        (
            bearer(mint_token(b"another-secret-another-secret-0123456789", "mallory")),
            "TOKEN_INVALID",
        ),
        (bearer("not.a.jwt"), "TOKEN_INVALID"),
        (bearer(mint_token(SECRET, "bob", ttl=-60)), "TOKEN_EXPIRED"),
        (bearer(mint_token(SECRET, "x" * 129)), "TOKEN_INVALID"),
    ],
    ids=["missing", "not-bearer", "forged", "garbage", "expired", "user-id-too-long"],
)
async def test_bad_tokens_are_unauthenticated(
    channel: aio.Channel, metadata: Any, reason: str
) -> None:
    error = await refused_with(channel, "WhoAmI", metadata=metadata)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    info = error_info(rich_status(error))
    assert info is not None and info.reason == reason and info.domain == "community.platform"


async def test_expiry_allows_clock_skew_within_leeway(channel: aio.Channel) -> None:
    token = mint_token(SECRET, "carol", ttl=-10)  # expired 10 s ago, inside the 30 s leeway
    reply = await call(channel, "WhoAmI")(struct_pb2.Struct(), metadata=bearer(token))
    assert reply["user_id"] == "carol"


async def test_auth_is_checked_before_the_handler(channel: aio.Channel) -> None:
    error = await refused_with(channel, "Refuse")
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_health_needs_no_token(channel: aio.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    for service in ("", SERVICE):
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=service))
        # No Kafka or MongoDB here, so the service truthfully says it cannot work yet.
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING


async def test_reflection_needs_no_token_and_lists_services(channel: aio.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    async for reply in stub.ServerReflectionInfo(iter([request])):
        names = {s.name for s in reply.list_services_response.service}
        break
    assert {SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names


async def refuse_kind(channel: aio.Channel, kind: str) -> aio.AioRpcError:
    request = struct_pb2.Struct()
    request.update({"kind": kind})
    with pytest.raises(aio.AioRpcError) as raised:
        await call(channel, "Refuse")(request, metadata=bearer(mint_token(SECRET, "dave")))
    return raised.value


async def test_invalid_argument_carries_field_violations(channel: aio.Channel) -> None:
    error = await refuse_kind(channel, "invalid")
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rich_status(error)
    assert error_info(status).reason == "INVALID_ARGUMENT"  # type: ignore[union-attr]
    violations = bad_request(status)
    assert violations is not None
    assert [(v.field, v.description) for v in violations.field_violations] == [
        ("name", "must be 1-100 characters")
    ]


async def test_a_thousand_bad_fields_still_reach_the_client_as_invalid_argument(
    channel: aio.Channel,
) -> None:
    """Trailers are capped on the client (8 KiB): the refusal names the first fields only."""
    error = await refuse_kind(channel, "many")
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = bad_request(rich_status(error))
    assert violations is not None
    assert [v.field for v in violations.field_violations] == [f"topics[{i}]" for i in range(20)]
    assert error.details().endswith("; and 980 more")


async def test_rule_broken_carries_reason_and_metadata(channel: aio.Channel) -> None:
    error = await refuse_kind(channel, "limit")
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.details() == "you own 3 communities"
    info = error_info(rich_status(error))
    assert info is not None
    assert info.reason == "COMMUNITY_LIMIT_REACHED"
    assert dict(info.metadata) == {"limit": "3"}


async def test_permission_denied_reason(channel: aio.Channel) -> None:
    error = await refuse_kind(channel, "denied")
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_info(rich_status(error)).reason == "NOT_A_MEMBER"  # type: ignore[union-attr]


async def test_unexpected_errors_leak_nothing(channel: aio.Channel) -> None:
    error = await refuse_kind(channel, "crash")
    assert error.code() == grpc.StatusCode.INTERNAL
    assert error.details() == "internal error"
    assert "hunter2" not in repr(error.trailing_metadata())


# A Struct whose one map key is not UTF-8, and bytes that are no protobuf at all.
NOT_UTF8 = b"\x0a\x04\x0a\x02\xff\xfe"
CORRUPT = b"\xff\xff\xff\xff"


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What grpc or the service logged as a failure (the Kafka probe's own noise aside)."""
    return [r for r in caplog.records if r.exc_info or (
        r.levelno >= logging.ERROR and r.name.startswith(("grpc", "community")))]


async def send_raw(channel: aio.Channel, body: bytes, **kwargs: Any) -> aio.AioRpcError:
    raw = channel.unary_unary(f"/{SERVICE}/WhoAmI")  # identity serializers: bytes as they are
    with pytest.raises(aio.AioRpcError) as raised:
        await raw(body, **kwargs)
    return raised.value


@pytest.mark.parametrize("body", [NOT_UTF8, CORRUPT], ids=["not-utf8", "corrupt"])
async def test_a_body_that_does_not_decode_is_unauthenticated_without_a_token(
    channel: aio.Channel, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    error = await send_raw(channel, body)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_info(rich_status(error)).reason == "TOKEN_MISSING"  # type: ignore[union-attr]
    assert not tracebacks(caplog)


@pytest.mark.parametrize("body", [NOT_UTF8, CORRUPT], ids=["not-utf8", "corrupt"])
async def test_a_body_that_does_not_decode_is_an_invalid_argument(
    channel: aio.Channel, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    error = await send_raw(channel, body, metadata=bearer(mint_token(SECRET, "erin")))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rich_status(error)
    assert error_info(status).reason == "INVALID_ARGUMENT"  # type: ignore[union-attr]
    violations = bad_request(status)
    assert violations is not None
    assert [v.field for v in violations.field_violations] == ["request"]
    assert "Traceback" not in error.details() and "DecodeError" not in error.details()
    assert not tracebacks(caplog)
