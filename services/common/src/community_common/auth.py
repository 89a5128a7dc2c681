"""Who is calling: HS256 JWT verification, the current `Caller`, and token minting.

Every RPC except health checking and reflection needs `authorization: Bearer <JWT>`
(SPEC §3). Claims: `sub` = user id (1-128 chars), optional `roles` (may hold
`platform_admin`), `exp` required, checked with at most 30 s leeway. A missing, forged or
expired token is refused with UNAUTHENTICATED before the handler runs.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import jwt
from community_contracts.reasons import DOMAIN, TOKEN_EXPIRED, TOKEN_INVALID, TOKEN_MISSING
from grpc import aio

from community_common.context import Caller, caller_var
from community_common.errors import Unauthenticated, to_grpc_status
from community_common.interceptors import metadata_value, passes_through, wrap_handler

__all__ = [
    "PLATFORM_ADMIN_ROLE",
    "AuthInterceptor",
    "Caller",
    "current_caller",
    "mint_token",
    "verify_token",
]

ALGORITHM = "HS256"
LEEWAY_S = 30
PLATFORM_ADMIN_ROLE = "platform_admin"
MAX_USER_ID_LENGTH = 128


def mint_token(
    secret: bytes | str, user: str, platform_admin: bool = False, ttl: float = 3600
) -> str:
    """A signed token for `user` valid for `ttl` seconds (tests, demos, communityctl-token)."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": user, "iat": now, "exp": now + int(ttl)}
    if platform_admin:
        claims["roles"] = [PLATFORM_ADMIN_ROLE]
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: bytes | str, token: str) -> Caller:
    """The caller named by a valid token; raises `Unauthenticated` with the reason otherwise."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            leeway=LEEWAY_S,
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated(TOKEN_EXPIRED, "token expired") from None
    except jwt.PyJWTError:
        raise Unauthenticated(TOKEN_INVALID, "token invalid") from None
    user_id = claims.get("sub")
    if not isinstance(user_id, str) or not 1 <= len(user_id) <= MAX_USER_ID_LENGTH:
        raise Unauthenticated(TOKEN_INVALID, "token subject must be a user id of 1-128 chars")
    roles = claims.get("roles") or []
    if not isinstance(roles, list):
        raise Unauthenticated(TOKEN_INVALID, "token roles must be a list")
    return Caller(user_id=user_id, is_platform_admin=PLATFORM_ADMIN_ROLE in roles)


def bearer_token(metadata: Any) -> str | None:
    value = metadata_value(metadata, "authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_caller() -> Caller:
    """The authenticated caller of the RPC being handled."""
    caller = caller_var.get()
    if caller is None:
        # Only reachable if a handler runs outside the auth interceptor (a wiring bug).
        raise Unauthenticated(TOKEN_MISSING, "no authenticated caller")
    return caller


class AuthInterceptor(aio.ServerInterceptor):
    """Checks the bearer token before anything else and puts the `Caller` in context."""

    def __init__(self, secret: bytes, domain: str = DOMAIN) -> None:
        self.secret = secret
        self.domain = domain

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if passes_through(handler_call_details.method):
            return handler
        caller: Caller | None = None
        refusal: Unauthenticated | None = None
        token = bearer_token(handler_call_details.invocation_metadata)
        if token is None:
            refusal = Unauthenticated(TOKEN_MISSING, "missing bearer token")
        else:
            try:
                caller = verify_token(self.secret, token)
            except Unauthenticated as error:
                refusal = error
        domain = self.domain

        async def around(request: Any, context: aio.ServicerContext, proceed: Any) -> Any:
            if refusal is not None:
                await context.abort_with_status(to_grpc_status(refusal, domain))
            caller_var.set(caller)
            return await proceed()

        return wrap_handler(handler, around)  # type: ignore[return-value]
