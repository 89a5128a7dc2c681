"""The dashboard's HTTP server (aiohttp, on the insights API process's asyncio loop).

    GET /                                              sign-in page (token + community)
    GET /communities/<community_id>[?group_id=...]     the space's insights as charts
    GET /assets/<file>                                 the pages' scripts, styles, chart library
    GET /api/v1/communities/<community_id>/insights    GetInsights' answer as JSON
    GET /api/v1/communities/<community_id>/groups      the groups the page offers to pick

Pages and assets need no token: the page asks for it and keeps it in the browser's session
storage, and sends it only to the JSON API, in the `Authorization` header — never in a URL,
so it reaches no log or browser history. Every response carries a Content-Security-Policy
that allows only this server's own scripts (no inline ones).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
from aiohttp import web
from community_common.auth import bearer_token, verify_token
from community_common.context import Caller, caller_var, request_id_var
from community_common.errors import (
    DomainError,
    InvalidArgument,
    NotFound,
    Unauthenticated,
    Unavailable,
)
from community_common.interceptors import REQUEST_ID_HEADER
from community_common.mongo import MONGO_OUTAGE_ERRORS
from community_contracts import reasons

from insights.api import InsightsService
from insights.dashboard.insights_endpoint import insights_json, insights_request
from insights.dashboard.refusals import http_status, refusal_body

log = logging.getLogger("insights.dashboard")

ASSETS = Path(__file__).resolve().parent / "assets"
# Copied from npm's package (package-lock.json) by `make up` / stack.py build: not in git.
CHART_LIBRARY = ASSETS / "vendor" / "echarts.min.js"

SECURITY_HEADERS = {
    "Content-Security-Policy": "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class DashboardAssetsMissing(Exception):
    """The chart library was not copied into the package (a fresh clone before `make up`)."""


class DashboardPortUnavailable(Exception):
    """INSIGHTS_HTTP_PORT cannot be bound (another process holds it)."""


def _page(name: str) -> str:
    return (ASSETS / name).read_text()


class DashboardServer:
    def __init__(self, service: InsightsService, auth_secret: bytes, port: int,
                 host: str | None = None, grace_s: float = 10.0) -> None:
        if not CHART_LIBRARY.exists():
            raise DashboardAssetsMissing(
                f"the dashboard's chart library is missing ({CHART_LIBRARY}): run `make up`, "
                "or `uv run python deploy/local/stack.py build`, which copy it from npm"
            )
        self.service = service
        self.auth_secret = auth_secret
        self.requested_port = port
        self.host = host
        self.grace_s = grace_s
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._assets = {path.relative_to(ASSETS).as_posix(): path
                        for path in ASSETS.rglob("*") if path.is_file()}
        self._sign_in = _page("sign_in.html")
        self._community = _page("community.html")

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._request_context, self._api_refusals])
        app.on_response_prepare.append(_secure)
        app.router.add_get("/", self.sign_in_page)
        app.router.add_get("/communities/{community_id}", self.community_page)
        app.router.add_get("/assets/{name:.+}", self.asset)
        app.router.add_get("/api/v1/communities/{community_id}/insights", self.insights)
        app.router.add_get("/api/v1/communities/{community_id}/groups", self.groups)
        return app

    async def start(self) -> int:
        """Binds and serves; returns the bound port (useful with port 0)."""
        # access_log=None: the request-context middleware writes one structured line instead.
        runner = web.AppRunner(self.application(), access_log=None,
                               shutdown_timeout=self.grace_s)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.requested_port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise DashboardPortUnavailable(
                f"cannot serve the dashboard on port {self.requested_port} "
                f"(INSIGHTS_HTTP_PORT): {error.strerror}") from None
        self._runner = runner
        self.port = runner.addresses[0][1]
        log.info("dashboard on http://127.0.0.1:%d/", self.port,
                 extra={"fields": {"http_port": self.port}})
        return self.port

    async def stop(self) -> None:
        """Stops taking connections and lets requests in flight finish (up to grace_s)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ pages and assets

    async def sign_in_page(self, request: web.Request) -> web.Response:
        return _html(self._sign_in)

    async def community_page(self, request: web.Request) -> web.Response:
        return _html(self._community)

    async def asset(self, request: web.Request) -> web.StreamResponse:
        path = self._assets.get(request.match_info["name"])
        if path is None or path.suffix == ".html":
            raise web.HTTPNotFound()
        response = web.FileResponse(path)
        response.headers["Cache-Control"] = "no-cache"
        return response

    # ------------------------------------------------------------------ JSON API

    async def insights(self, request: web.Request) -> web.Response:
        caller = self._caller(request)
        grpc_request = insights_request(request.match_info["community_id"], request.query)
        return _json(insights_json(await self.service.answer(caller, grpc_request)))

    async def groups(self, request: web.Request) -> web.Response:
        caller = self._caller(request)
        community_id = request.match_info["community_id"]
        groups = await self.service.queries.groups(caller, community_id)
        return _json({"community_id": community_id, "groups": [
            {"group_id": group_id, "member_count": members}
            for group_id, members in groups.items()]})

    def _caller(self, request: web.Request) -> Caller:
        """The same check as the gRPC API's: a valid HS256 bearer token, else 401."""
        header = request.headers.get("Authorization")
        token = bearer_token([("authorization", header)] if header is not None else [])
        if token is None:
            raise Unauthenticated(reasons.TOKEN_MISSING, "missing bearer token")
        caller = verify_token(self.auth_secret, token)
        caller_var.set(caller)
        return caller

    # ------------------------------------------------------------------ middlewares

    @web.middleware
    async def _request_context(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """A request id for the log lines of the request, and one access line (no query
        string and no headers, so nothing a client sends in them is written down)."""
        request_id_var.set(request.headers.get(REQUEST_ID_HEADER) or uuid.uuid4().hex)
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            log.info("http %s %s %d", request.method, request.path, status, extra={"fields": {
                "http_method": request.method, "http_path": request.path,
                "http_status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2)}})

    @web.middleware
    async def _api_refusals(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Under /api/, every refusal is JSON with its HTTP status; never a stack trace."""
        if not request.path.startswith("/api/"):
            return await handler(request)
        try:
            return await handler(request)
        except DomainError as error:
            return _refusal(error)
        except web.HTTPException as error:
            if error.status == 404:
                return _refusal(NotFound("no such endpoint"))
            if error.status == 405:
                return _refusal(InvalidArgument([("method", "only GET is served here")]),
                                status=405)
            raise
        except MONGO_OUTAGE_ERRORS as error:
            log.warning("mongodb unavailable in %s: %r", request.path, error)
            return _refusal(Unavailable(message="storage unavailable, retry"))
        except Exception:
            log.exception("unhandled error in %s", request.path)
            return _refusal(_Internal(reasons.INTERNAL, "internal error"))


class _Internal(DomainError):
    code = grpc.StatusCode.INTERNAL


async def _secure(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)
    if request.path.startswith("/api/"):
        # Figures are per caller: no shared cache may keep them.
        response.headers["Cache-Control"] = "no-store"


def _html(body: str) -> web.Response:
    return web.Response(text=body, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-cache"})


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


def _refusal(error: DomainError, status: int | None = None) -> web.Response:
    response = _json(refusal_body(error), status or http_status(error.code))
    if response.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="insights"'
    return response
