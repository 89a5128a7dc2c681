"""Every RPC of every service, fuzzed from its protobuf descriptor against the real services.

Requests are drawn by hypothesis (tests/fuzz/messages.py): empty, huge, unicode, out-of-range,
unknown and real ids, absurd paging, bad consistency tokens, sent as callers with good (owner,
member, outsider, a platform admin), missing, forged, expired and garbage tokens; and raw bodies
that do not decode. Whatever comes back must be a status a client can act on: never INTERNAL or
UNKNOWN, never a stack trace in a message, INVALID_ARGUMENT with its ErrorInfo and field
violations, a token membership cannot have handed out refused at once. The last test checks
the services after the run: still SERVING, the same processes, memory bounded, no traceback
logged for a client's mistake.

The budget is FUZZ_EXAMPLES per RPC (derandomized: the same requests every run).
"""

from __future__ import annotations

import importlib
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from community_common.auth import mint_token
from community_contracts.reasons import CONSISTENCY_TIMEOUT
from google.protobuf import text_format
from google.protobuf.descriptor import FieldDescriptor, MethodDescriptor
from google.protobuf.message_factory import GetMessageClass
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import EXAMPLES, INSTANCE, RSS_MARGIN_KB, TALLY, Watch, World, rss_kb, stack
from harness import tracebacks_for_callers as tracebacks
from messages import Fuzz, well_formed_token

NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED}
# What a stack trace or a Python error leaks into a message.
LEAK = re.compile(r"Traceback|File \"|line \d+, in|<class '|Error\(|Exception\b|\bpymongo\b")
TIMEOUT_S = 30.0
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
    suppress_health_check=list(HealthCheck), print_blob=False,
)


@dataclass(frozen=True)
class Rpc:
    service: str
    method: MethodDescriptor

    @property
    def path(self) -> str:
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    @property
    def request_class(self) -> Any:
        return GetMessageClass(self.method.input_type)


def every_rpc() -> list[Rpc]:
    """From the generated modules: an RPC added to a .proto is fuzzed without editing this."""
    rpcs = []
    # Membership last: its writes (archive, leave, transfer ownership) change the community
    # every other service's requests aim at.
    for service in reversed(list(INSTANCE.grpc_ports)):
        module = importlib.import_module(f"community.{service}.v1.{service}_service_pb2")
        for descriptor in module.DESCRIPTOR.services_by_name.values():
            rpcs += [Rpc(service, method) for method in descriptor.methods]
    return rpcs


RPCS = every_rpc()


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


@pytest.fixture(scope="session")
def channels(world: World) -> Any:
    opened = {name: grpc.insecure_channel(f"127.0.0.1:{port}")
              for name, port in INSTANCE.grpc_ports.items()}
    yield opened
    for channel in opened.values():
        channel.close()


@pytest.fixture(scope="session")
def fuzz(world: World) -> Fuzz:
    return Fuzz(world.ids, world.tokens)


@pytest.fixture(scope="session")
def callers(world: World) -> dict[str, tuple[tuple[str, str], ...]]:
    secret = stack.auth_secret(INSTANCE)
    owner = world.owner.user_id
    return {
        "owner": bearer(mint_token(secret, owner)),
        "member": bearer(mint_token(secret, world.member.user_id)),
        "outsider": bearer(mint_token(secret, world.outsider.user_id)),
        # Reaches the platform-scope paths (ListReports, AddAutomodRule without a community).
        "platform admin": bearer(mint_token(secret, "fuzz-platform-admin", platform_admin=True)),
        "no token": (),
        "forged": bearer(mint_token(b"not-the-secret-not-the-secret-0123456789", owner)),
        "expired": bearer(mint_token(secret, owner, ttl=-3600)),
        "garbage": bearer("not.a.jwt"),
        "basic": (("authorization", "Basic b3duZXI6cGFzcw=="),),
    }


def valid_caller(name: str) -> bool:
    return name in ("owner", "member", "outsider", "platform admin")


def send(channel: grpc.Channel, rpc: Rpc, body: Any, metadata: Any, raw: bool = False) -> Any:
    """One call; returns the error (None if it succeeded), after checking what came back."""
    call = channel.unary_unary(rpc.path) if raw else channel.unary_unary(
        rpc.path, request_serializer=type(body).SerializeToString,
        response_deserializer=GetMessageClass(rpc.method.output_type).FromString)
    try:
        call(body, metadata=metadata, timeout=TIMEOUT_S)
    except grpc.RpcError as error:
        reason = details_of(error)[0]
        TALLY.count(rpc.path, f"{error.code().name} {reason}".strip())
        return error
    TALLY.count(rpc.path, "OK")
    return None


def describe(rpc: Rpc, caller: str, body: Any, error: grpc.RpcError) -> str:
    shown = repr(body) if isinstance(body, bytes) else text_format.MessageToString(
        body, as_one_line=True)
    return (f"{rpc.path} as {caller}: {error.code().name} {error.details()!r}\n"
            f"request: {shown[:600]}")


def details_of(error: grpc.RpcError) -> tuple[str, list[str]]:
    """The ErrorInfo reason and the BadRequest's violated fields."""
    status = rpc_status.from_call(error)
    reason, fields = "", []
    for detail in status.details if status else ():
        info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
        if detail.Unpack(info):
            reason = info.reason
        elif detail.Unpack(bad):
            fields = [violation.field for violation in bad.field_violations]
    return reason, fields


def check_refusal(rpc: Rpc, caller: str, body: Any, error: grpc.RpcError) -> None:
    what = describe(rpc, caller, body, error)
    assert error.code() not in NEVER, what
    assert not LEAK.search(error.details() or ""), what
    reason, fields = details_of(error)
    if error.code() == grpc.StatusCode.UNAUTHENTICATED:
        assert not valid_caller(caller), what
    else:
        assert valid_caller(caller), f"authentication did not come first: {what}"
    if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
        assert reason and fields, f"INVALID_ARGUMENT without ErrorInfo + BadRequest: {what}"
    if reason == CONSISTENCY_TIMEOUT and not isinstance(body, bytes):
        token = body.consistency_token
        community = getattr(body, "community_id", "") if "community_id" in type(
            body).DESCRIPTOR.fields_by_name else ""
        assert well_formed_token(token), f"a malformed token was waited on: {what}"
        assert not community or token.startswith(community + ":"), (
            f"another community's token was waited on: {what}")


@pytest.mark.parametrize("rpc", RPCS, ids=lambda rpc: rpc.path.rsplit(".", 1)[-1])
def test_fuzzed_requests_get_a_status_a_client_can_act_on(
    rpc: Rpc, fuzz: Fuzz, callers: Any, channels: Any, watch: Watch
) -> None:
    requests = fuzz.request(rpc.method.input_type, rpc.request_class)
    # Valid callers weigh most: only they get past authentication to the interesting parts.
    caller_names = st.sampled_from(["owner"] * 4 + ["member"] * 2 + list(callers))

    @FUZZ_SETTINGS
    @given(caller=caller_names, body=requests)
    def run(caller: str, body: Any) -> None:
        error = send(channels[rpc.service], rpc, body, callers[caller])
        if error is not None:
            check_refusal(rpc, caller, body, error)
        else:
            assert valid_caller(caller), f"{rpc.path} answered OK as {caller}"

    run()


def undecodable_bodies(rpc: Rpc) -> list[bytes]:
    """Bodies no server can read as the RPC's request: each string field holding bytes that
    are not UTF-8 (the rest of the message intact), and broken wire formats."""
    bodies = []
    marker = "\x01\x02\x03\x04\x05\x06"
    for field in rpc.method.input_type.fields:
        if field.type != FieldDescriptor.TYPE_STRING:
            continue
        message = rpc.request_class()
        if field.is_repeated:
            getattr(message, field.name).append(marker)
        else:
            setattr(message, field.name, marker)
        bodies.append(message.SerializeToString().replace(marker.encode(), b"\xff\xfe" * 3))
    return [
        *bodies,
        b"\xff" * 12,  # a field number and varint that never end
        b"\x0a\x7f" + b"a" * 4,  # a length past the end of the body
        b"\x0b",  # a group that never closes
        b"\x08",  # a varint cut short
    ]


@pytest.mark.parametrize("rpc", RPCS, ids=lambda rpc: rpc.path.rsplit(".", 1)[-1])
def test_bodies_that_do_not_decode_are_refused_after_authentication(
    rpc: Rpc, callers: Any, channels: Any, watch: Watch
) -> None:
    channel = channels[rpc.service]
    for body in undecodable_bodies(rpc):
        error = send(channel, rpc, body, callers["no token"], raw=True)
        assert error is not None and error.code() == grpc.StatusCode.UNAUTHENTICATED, body
        error = send(channel, rpc, body, callers["owner"], raw=True)
        assert error is not None, body
        check_refusal(rpc, "owner", body, error)
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, describe(rpc, "owner", body,
                                                                          error)
        assert details_of(error)[1] == ["request"]

    @FUZZ_SETTINGS
    @given(caller=st.sampled_from(list(callers)), body=st.binary(max_size=256))
    def arbitrary(caller: str, body: bytes) -> None:
        error = send(channel, rpc, body, callers[caller], raw=True)
        if error is not None:
            check_refusal(rpc, caller, body, error)

    arbitrary()


def test_services_stay_serving_with_bounded_memory_and_no_traceback(watch: Watch) -> None:
    """After everything above: the same processes, SERVING, within the memory margin, and no
    traceback logged while serving a call (a client's mistake is not the server's error)."""
    for service, pid in watch.pids.items():
        assert stack.running_pid(INSTANCE, service) == pid, f"{service} died or restarted"
        assert serving_soon(INSTANCE.grpc_ports[service]), f"{service} is not SERVING"
    grown = {service: rss_kb(pid) - watch.rss_before[service]
             for service, pid in watch.pids.items()}
    print(f"RSS growth (KiB) over the run: {grown}")
    assert all(kb <= RSS_MARGIN_KB for kb in grown.values()), grown
    for service in watch.pids:
        found = tracebacks(watch.new_log_lines(service))
        assert not found, f"{service} logged tracebacks for callers:\n" + "\n".join(found[:3])


def serving_soon(port: int, timeout: float = 30.0) -> bool:
    """Health is re-checked every few seconds; a loaded machine may show a passing
    NOT_SERVING, so SERVING is polled for, boundedly."""
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return True
            except grpc.RpcError:
                pass
            time.sleep(0.2)
    return False
