"""The emulator's HTTP side: REST v10 routing, recording, validation, faults, rate limits.

Every request is recorded as a ``Call`` (method, route template, parameters, body, status), and
tests wait for calls with ``wait_until`` instead of sleeping. Request bodies are validated
against Discord's OpenAPI spec when it is available; a body Discord would reject gets the same
400 / 50035 answer here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import socket
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

from emulator.events import EventsMixin
from emulator.gateway import Gateway
from emulator.interactions import InteractionRecord
from emulator.ratelimit import RateLimiter
from emulator.state import World

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from emulator.spec import SpecValidator


def load_validator() -> tuple[SpecValidator | None, str | None]:
    """Discord's request validation, or None and why not. ``jsonschema`` is in the ``test`` and
    ``demo`` extras, imported only here: the bot itself never needs it."""
    try:
        from emulator.spec import SpecValidator
    except ImportError:
        return None, "off: jsonschema is not installed (pip install -e '.[demo]')"
    validator = SpecValidator.load()
    if validator is None:
        return None, "off: ../shared/discord-api-spec not found"
    return validator, None

T = TypeVar("T")
API_PREFIX = "/api/v10"
DEFAULT_TOKEN = "emulator-token"
# How often wait_until re-checks a predicate between REST calls.
CACHE_RECHECK_SECONDS = 0.01


class DiscordError(Exception):
    """Raised by a handler to answer with Discord's error shape."""

    def __init__(self, status: int, code: int, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra or {}

    def body(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code, **self.extra}


@dataclass
class Request:
    """What a handler sees: the route's parameters, query and parsed JSON body."""

    method: str
    path: str
    template: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[dict[str, Any]]
    headers: dict[str, str]


@dataclass
class Call:
    seq: int
    method: str
    path: str
    template: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    status: int = 0
    response: Any = None
    reason: str | None = None
    # Files of a multipart request: name, filename, size and the bytes (tests read exports).
    files: list[dict[str, Any]] = field(default_factory=list)
    # When the request arrived (monotonic seconds): Discord counts its limits by arrival.
    at: float = field(default_factory=time.monotonic)

    @property
    def route(self) -> str:
        return f"{self.method} {self.template}"

    def __repr__(self) -> str:
        return f"<Call #{self.seq} {self.method} {self.path} -> {self.status}>"


@dataclass
class Fault:
    method: str
    template: str
    status: int
    code: int = 0
    message: str = "Injected fault"
    times: int | None = 1
    retry_after: float = 0.2
    match: Callable[[Request], bool] | None = None
    hits: int = 0


ERROR_MESSAGES = {
    403: {50007: "Cannot send messages to this user", 50013: "Missing Permissions", 50001: "Missing Access"},
    404: {10003: "Unknown Channel", 10008: "Unknown Message", 10013: "Unknown User", 10007: "Unknown Member"},
}

Handler = Callable[[Request], Awaitable[Any]]


@dataclass
class Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler
    # Interaction callbacks and webhooks are outside the global limit and carry no token.
    webhook: bool = False


def _compile(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
    return re.compile(f"^{pattern}$")


@dataclass
class EmulatorOptions:
    validate: bool = True
    token: str = DEFAULT_TOKEN
    heartbeat_interval_ms: int = 41250
    # What GET /gateway/bot recommends; sessions pick their own shard in IDENTIFY (emulator/gateway.py).
    shard_count: int = 1


class DiscordEmulator(EventsMixin):
    """A local Discord: REST under /api/v10 and a gateway websocket under /gateway."""

    def __init__(self, options: EmulatorOptions | None = None, world: World | None = None) -> None:
        self.options = options or EmulatorOptions()
        self.world = world or World()
        self.validator: SpecValidator | None = None
        # Why requests are not validated, or None when they are (the demo says so plainly).
        self.validation_off: str | None = "switched off" if not self.options.validate else None
        if self.options.validate:
            self.validator, self.validation_off = load_validator()
        self.ratelimits = RateLimiter()
        self.faults: list[Fault] = []
        self.calls: list[Call] = []
        self.interactions: dict[str, InteractionRecord] = {}
        self.spec_rejections: list[Call] = []
        self.gateway = Gateway(self)
        self._routes: list[Route] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Where "now" is read from: the bot's injected clock when a runner attaches one, so Discord's
        # own time checks ("event in the past", nonce memory) move with the tests' clock.
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        from emulator.rest import register_routes

        register_routes(self)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def api_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self, port: int = 0) -> DiscordEmulator:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()
        return self

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- routing -----------------------------------------------------------------------------

    def route(self, method: str, template: str, *, webhook: bool = False) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._routes.append(Route(method, template, _compile(template), handler, webhook))
            return handler

        return register

    def _match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        path_known = False
        for route in self._routes:
            m = route.regex.match(path)
            if m:
                path_known = True
                if route.method == method:
                    return route, m.groupdict(), True
        return None, {}, path_known

    async def _read_body(self, request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            files: list[dict[str, Any]] = []
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    payload = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    data = await part.read()  # type: ignore[union-attr]
                    files.append({"name": part.name, "filename": part.filename,  # type: ignore[union-attr]
                                  "size": len(data), "data": bytes(data)})
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None

    async def _handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        method = request.method
        route, params, path_known = self._match(method, path)
        call = Call(len(self.calls) + 1, method, path, route.template if route else path, params,
                    dict(request.query), None)
        self.calls.append(call)
        headers: dict[str, str] = {}
        try:
            body, files = await self._read_body(request)
            call.json = body
            call.files = files
            reason = request.headers.get("X-Audit-Log-Reason")
            # discord.py percent-encodes the reason; Discord shows it decoded.
            call.reason = urllib.parse.unquote(reason) if reason is not None else None
            if route is None:
                raise DiscordError(405 if path_known else 404, 0, "405: Method Not Allowed" if path_known
                                   else "404: Not Found")
            if not route.webhook:
                auth = request.headers.get("Authorization", "")
                if auth != f"Bot {self.options.token}":
                    raise DiscordError(401, 0, "401: Unauthorized")
            req = Request(method, path, route.template, params, dict(request.query), body, files,
                          dict(request.headers))
            fault = self._fault_for(req)
            if fault is not None:
                if fault.status == 429:
                    headers.update({"Retry-After": str(fault.retry_after), "Via": "1.1 google",
                                    "X-RateLimit-Scope": "user"})
                    raise DiscordError(429, 0, "You are being rate limited.",
                                       {"retry_after": fault.retry_after, "global": False})
                raise DiscordError(fault.status, fault.code, fault.message)
            major = params.get("channel_id") or params.get("guild_id") or params.get("webhook_token") or ""
            verdict = self.ratelimits.check(call.route, major, exempt_global=route.webhook)
            headers.update(verdict.headers)
            if verdict.limited:
                headers.update({"Retry-After": f"{verdict.retry_after:.3f}", "Via": "1.1 google"})
                raise DiscordError(429, 0, "You are being rate limited.",
                                   {"retry_after": round(verdict.retry_after, 3), "global": verdict.is_global})
            if self.validator is not None and body is not None:
                issues = self.validator.validate_request(method, path, body)
                if issues:
                    self.spec_rejections.append(call)
                    log.warning("spec rejected %s %s: %s", method, route.template,
                                "; ".join(f"{'.'.join(map(str, i.path))}: {i.message}" for i in issues[:5]))
                    from emulator.spec import invalid_form_body

                    call.status, call.response = 400, invalid_form_body(issues)
                    return self._respond(400, call.response, headers)
            result = await route.handler(req)
            status = 204 if result is None else 200
            call.status, call.response = status, result
            return self._respond(status, result, headers)
        except DiscordError as exc:
            call.status, call.response = exc.status, exc.body()
            return self._respond(exc.status, exc.body(), headers)
        finally:
            await self.notify()

    @staticmethod
    def _respond(status: int, body: Any, headers: dict[str, str]) -> web.Response:
        if status == 204:
            return web.Response(status=204, headers=headers)
        # discord.py parses JSON only when Content-Type is exactly application/json.
        headers = {**headers, "Content-Type": "application/json"}
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)

    # -- faults ------------------------------------------------------------------------------

    def inject_fault(
        self, method: str, template: str, status: int, code: int = 0, *, times: int | None = 1,
        message: str | None = None, retry_after: float = 0.2, match: Callable[[Request], bool] | None = None,
    ) -> Fault:
        """Answer the next ``times`` matching requests (None: all) with an error instead."""
        message = message or ERROR_MESSAGES.get(status, {}).get(code) or f"Injected {status}"
        fault = Fault(method, template, status, code, message, times, retry_after, match)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def _fault_for(self, req: Request) -> Fault | None:
        for fault in self.faults:
            if fault.method != req.method or fault.template != req.template:
                continue
            if fault.match is not None and not fault.match(req):
                continue
            if fault.times is not None and fault.hits >= fault.times:
                continue
            fault.hits += 1
            return fault
        return None

    # -- waiting -----------------------------------------------------------------------------

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], T | None], timeout: float = 5.0, what: str = "") -> T:
        """Wait until predicate() returns something truthy.

        Re-checked after every REST call, and every few milliseconds besides: a predicate on the
        bot's own cache turns true when the bot has read a gateway event, which no call announces.
        """

        async def waiter() -> T:
            async with self._changed:
                while True:
                    value = predicate()
                    if value:
                        return value
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), CACHE_RECHECK_SECONDS)

        try:
            return await asyncio.wait_for(waiter(), timeout)
        except TimeoutError:
            recent = "\n  ".join(repr(c) for c in self.calls[-15:])
            raise AssertionError(f"timed out waiting for {what or predicate}; recent calls:\n  {recent}") from None

    def find_calls(self, method: str | None = None, template: str | None = None,
                   where: Callable[[Call], bool] | None = None) -> list[Call]:
        return [
            c for c in self.calls
            if (method is None or c.method == method) and (template is None or c.template == template)
            and (where is None or where(c))
        ]

    async def wait_for_call(self, method: str, template: str, where: Callable[[Call], bool] | None = None,
                            timeout: float = 5.0, after: int = 0) -> Call:
        """The first finished call (status set) matching, numbered after ``after``."""

        def found() -> Call | None:
            for c in self.find_calls(method, template, where):
                if c.seq > after and c.status:
                    return c
            return None

        return await self.wait_until(found, timeout, f"{method} {template}")
