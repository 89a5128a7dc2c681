"""The authorization matrix (tests/e2e/authorization_matrix.py) against the live services:
every RPC called as every role with a real token in one world built through the public API,
and every RPC called with every kind of forged token. Also: the table covers every RPC the
services' descriptors declare, and docs/authorization.md is the table's current rendering."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib.util
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import jwt
import pytest
from community_common.auth import mint_token
from community_contracts import reasons, services
from communityctl.client import STUBS, Platform
from google.protobuf import message_factory

from .authorization_matrix import FORGERIES, ROLES, ROWS, Allowed, Forgery, Outcome, Row
from .authorization_world import BUILDERS, Call, World, await_projections, build_world, make_call
from .conftest import reason

ROOT = Path(__file__).resolve().parents[2]
# Rows whose allowed calls change the world for every row after them: called last.
LAST = ("membership", "ArchiveCommunity", "")


def key(row: Row) -> tuple[str, str, str]:
    return (row.service, row.rpc, row.variant)


def expected(outcome: Outcome) -> str:
    if isinstance(outcome, Allowed):
        return outcome.then or "OK"
    return f"{outcome.code} {outcome.reason}"


# --- the table itself (no servers needed)


def test_every_rpc_of_every_service_has_a_row() -> None:
    declared = {(s.short_name, m.name) for s in services.ALL for m in s.descriptor.methods}
    rows = {(r.service, r.rpc) for r in ROWS}
    assert declared - rows == set(), "RPCs without a row in the authorization matrix"
    assert rows - declared == set(), "rows for RPCs the services do not declare"
    assert len({key(r) for r in ROWS}) == len(ROWS), "two rows for the same RPC and variant"


def test_every_row_has_a_request_and_a_cell_per_role() -> None:
    assert {key(r) for r in ROWS} == set(BUILDERS)
    for row in ROWS:
        assert len(row.cells) == len(ROLES), row.name


def test_every_refusal_is_a_contract_reason_with_its_code() -> None:
    for row in ROWS:
        for role in ROLES:
            code, _, why = expected(row.outcome(role)).partition(" ")
            if code != "OK":
                assert reasons.CODES[why].name == code, (row.name, role)
    for forgery in FORGERIES:
        assert reasons.CODES[forgery.reason] == grpc.StatusCode.UNAUTHENTICATED


def test_the_document_is_generated_from_the_table() -> None:
    spec = importlib.util.spec_from_file_location(
        "gen_authorization", ROOT / "scripts" / "gen_authorization.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert (ROOT / "docs" / "authorization.md").read_text() == generator.render(), (
        "docs/authorization.md is stale: run `make authorization-doc`")


# --- the live services


@pytest.fixture(scope="module")
def channels(platform: Platform) -> Iterator[dict[str, Any]]:
    opened = {name: grpc.insecure_channel(address) for name, address in platform.addresses.items()}
    yield {name: STUBS[name](channel) for name, channel in opened.items()}
    for channel in opened.values():
        channel.close()


def invoke(stubs: dict[str, Any], service: str, rpc: str, request: Any,
           metadata: tuple[tuple[str, str], ...]) -> str:
    """"OK", or the refusal's "CODE REASON"."""
    try:
        getattr(stubs[service], rpc)(request, metadata=metadata, timeout=15)
    except grpc.RpcError as error:
        return f"{error.code().name} {reason(error)}"
    return "OK"


def answer(world: World, stubs: dict[str, Any], row: Row, role: str) -> str:
    # A cell the table allows may change its target: it gets one of its own.
    fresh = isinstance(row.outcome(role), Allowed)
    call: Call = make_call(world, row.service, row.rpc, row.variant, role, fresh)
    metadata: tuple[tuple[str, str], ...] = ()
    if call.caller is not None:
        token = mint_token(world.platform.secret, call.caller.user_id,
                           platform_admin=role == "platform_admin")
        metadata = (("authorization", f"Bearer {token}"),)
    return invoke(stubs, call.service, call.rpc, call.request, metadata)


@pytest.fixture(scope="module")
def observed(platform: Platform, channels: dict[str, Any]) -> dict[tuple[str, str, str], dict]:
    """Every cell's answer: the world is built once, then the rows are called in two lanes
    side by side — the rows whose targets are made by writes to the community's membership
    stream in one (side by side, those writes would collide and retry), feed's and insights'
    in the other — and the row that changes the world last."""
    started = time.monotonic()
    world = build_world(platform)
    await_projections(world)
    built = time.monotonic()

    def run_row(row: Row) -> tuple[tuple[str, str, str], dict[str, str]]:
        roles = sorted(ROLES, key=lambda role: role == "owner")  # the owner's call last
        return key(row), {role: answer(world, channels, row, role) for role in roles}

    def run_lane(services: tuple[str, ...]) -> dict[tuple[str, str, str], dict[str, str]]:
        return dict(run_row(r) for r in ROWS if r.service in services and key(r) != LAST)

    with ThreadPoolExecutor(2) as pool:
        lanes = pool.map(run_lane, [("membership", "moderation"), ("feed", "insights")])
        answers = {k: v for lane in lanes for k, v in lane.items()}
    answers.update([run_row(next(r for r in ROWS if key(r) == LAST))])
    print(f"\nauthorization matrix: world built in {built - started:.1f} s, "
          f"{len(ROWS) * len(ROLES)} cells called in {time.monotonic() - built:.1f} s")
    return answers


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.service}.{r.name}")
def test_each_role_gets_what_the_table_says(row: Row, observed: dict) -> None:
    got = observed[key(row)]
    wrong = {
        role: {"table": expected(row.outcome(role)), "live": got[role]}
        for role in ROLES
        if got[role] != expected(row.outcome(role))
    }
    assert not wrong, f"{row.service}.{row.name} on {row.target}:\n{json.dumps(wrong, indent=1)}"


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forged_metadata(forgery: Forgery, secret: bytes | str) -> tuple[tuple[str, str], ...]:
    now = int(time.time())
    claims: dict[str, Any] = {"sub": "mallory", "iat": now, "exp": now + 600}
    valid = mint_token(secret, "mallory")
    header, payload, signature = valid.split(".")
    tokens: dict[str, str | None] = {
        "none": None,
        "malformed": "not.a.jwt",
        "bad signature": f"{header}.{payload}.{signature[::-1]}",
        "tampered claims": f"{header}.{_b64({**claims, 'sub': 'alice'})}.{signature}",
        "wrong secret": jwt.encode(claims, "another-secret-of-at-least-32-bytes!", "HS256"),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "other algorithm": jwt.encode(claims, secret, "HS512"),
        "expired": jwt.encode({**claims, "exp": now - 120}, secret, "HS256"),
        "no exp": jwt.encode({"sub": "mallory", "iat": now}, secret, "HS256"),
        "no sub": jwt.encode({"iat": now, "exp": now + 600}, secret, "HS256"),
        "empty sub": jwt.encode({**claims, "sub": ""}, secret, "HS256"),
        "too-long sub": jwt.encode({**claims, "sub": "m" * 129}, secret, "HS256"),
        "non-string sub": _sign({**claims, "sub": 42}, secret),
        "roles not a list": jwt.encode({**claims, "roles": "platform_admin"}, secret, "HS256"),
    }
    if forgery.name == "empty bearer":
        return (("authorization", "Bearer "),)
    if forgery.name == "other scheme":
        return (("authorization", "Basic bWFsbG9yeTpzZWNyZXQ="),)
    token = tokens[forgery.name]
    return () if token is None else (("authorization", f"Bearer {token}"),)


def _sign(claims: dict[str, Any], secret: bytes | str) -> str:
    """HS256 by hand: PyJWT refuses to encode a non-string `sub`."""
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(claims)}"
    key = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


@pytest.mark.parametrize("forgery", FORGERIES, ids=lambda f: f.name)
def test_a_forged_token_is_refused_by_every_rpc(
    forgery: Forgery, platform: Platform, channels: dict[str, Any]
) -> None:
    # An empty request: authentication comes before argument validation (SPEC §3, §9).
    metadata = forged_metadata(forgery, platform.secret)
    want = f"UNAUTHENTICATED {forgery.reason}"
    wrong = {
        f"{service.short_name}.{method.name}": got
        for service in services.ALL
        for method in service.descriptor.methods
        if (got := invoke(channels, service.short_name, method.name,
                          _empty(method.input_type), metadata)) != want
    }
    assert not wrong, f"{forgery.name} ({forgery.how}) expected {want}: {wrong}"


def _empty(descriptor: Any) -> Any:
    return message_factory.GetMessageClass(descriptor)()
