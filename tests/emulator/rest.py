"""The REST layer: authentication, rate limiting, the request log, and JSON/multipart bodies.

Route handlers (in :mod:`.api_channels` and :mod:`.api_apps`) only implement behaviour; this
module wraps each one so that every response carries Discord's rate-limit headers and
``Content-Type: application/json`` exactly (discord.py compares that header verbatim), 429s
look like Discord's (body with ``retry_after``/``global``, ``Retry-After`` header, and the
``Via`` header without which discord.py assumes a Cloudflare ban), and every request lands in
the log tests use to assert "no avoidable 429".
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from .compose import Upload
from .errors import ApiError, invalid_json, not_found, unauthorized
from .limits import DEFAULT, RateLimiter, RequestRecord

if TYPE_CHECKING:
    from .state import EmulatorState

_log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"

#: (status, JSON body or None for 204)
Reply = tuple[int, Any]
Handler = Callable[[web.Request], Awaitable[Reply]]


@dataclass(frozen=True)
class RouteSpec:
    """One REST route: where it lives, who may call it, and which rate-limit bucket it uses."""

    method: str
    path: str
    handler: Handler
    bucket: str = DEFAULT
    auth: bool = True
    global_exempt: bool = False


def major_parameter(match: dict[str, str]) -> str:
    """Discord's top-level resource for bucketing: channel, guild, or webhook id + token."""
    for key in ("channel_id", "guild_id"):
        if key in match:
            return match[key]
    for id_key, token_key in (("webhook_id", "webhook_token"), ("interaction_id", "interaction_token")):
        if id_key in match:
            return f"{match[id_key]}+{match.get(token_key, '')}"
    return ""


async def read_body(request: web.Request) -> tuple[Any, list[Upload]]:
    """The JSON body (or ``payload_json``) and any ``files[n]`` uploads."""
    uploads: list[Upload] = []
    if request.content_type == "multipart/form-data":
        payload: Any = {}
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            if name == "payload_json":
                try:
                    payload = json.loads(await part.text())
                except ValueError:
                    raise invalid_json() from None
            elif name.startswith("files[") and name.endswith("]"):
                try:
                    index = int(name[6:-1])
                except ValueError:
                    continue
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                uploads.append(
                    Upload(index, part.filename or f"file{index}", content_type, bytes(await part.read()))
                )
        return payload, uploads
    raw = await request.read()
    if not raw:
        return {}, uploads
    try:
        return json.loads(raw), uploads
    except ValueError:
        raise invalid_json() from None


def json_reply(status: int, body: Any, headers: dict[str, str]) -> web.Response:
    merged = {"Via": "1.1 google", **headers}
    if body is None:
        return web.Response(status=204 if status < 300 else status, headers=merged)
    merged["Content-Type"] = "application/json"
    return web.Response(status=status, body=json.dumps(body).encode(), headers=merged)


class RestServer:
    """Wraps route handlers with auth, rate limiting and logging, and installs them on an app."""

    def __init__(self, state: EmulatorState, limiter: RateLimiter, *, token: str) -> None:
        self.state = state
        self.limiter = limiter
        self.token = token
        self.requests: list[RequestRecord] = []
        self.internal_errors: list[str] = []

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization", "") == f"Bot {self.token}"

    def wrap(self, spec: RouteSpec) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def serve(request: web.Request) -> web.StreamResponse:
            clock = self.state.clock
            match = dict(request.match_info)
            major = major_parameter(match)
            record = RequestRecord(clock.now(), spec.method, spec.path, spec.bucket, major)
            self.requests.append(record)
            if spec.auth and not self._authorised(request):
                error = unauthorized()
                record.status = error.status
                return json_reply(error.status, error.body(), {})
            decision = self.limiter.check(
                now=clock.now(),
                wall=clock.wall(),
                bucket=spec.bucket,
                route_key=f"{spec.method} {spec.path}",
                major=major,
                exempt_from_global=spec.global_exempt or not spec.auth,
            )
            if not decision.allowed:
                record.status = 429
                record.headers = dict(decision.headers)
                record.scope = decision.scope
                record.is_global = decision.is_global
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": decision.retry_after,
                    "global": decision.is_global,
                }
                self.state.notify()
                return json_reply(429, body, decision.headers)
            try:
                status, body = await spec.handler(request)
            except ApiError as error:
                status, body = error.status, error.body()
            except Exception as exc:
                # 501 makes discord.py raise at once instead of retrying like on a 500.
                _log.exception("emulator handler failed for %s %s", spec.method, spec.path)
                self.internal_errors.append(f"{spec.method} {spec.path}: {traceback.format_exc()}")
                status, body = 501, {"message": f"emulator error: {exc!r}", "code": 0}
            record.status = status if body is not None or status >= 300 else 204
            record.headers = dict(decision.headers)
            self.state.notify()
            return json_reply(status, body, decision.headers)

        return serve

    def install(self, app: web.Application, specs: list[RouteSpec]) -> None:
        for spec in specs:
            app.router.add_route(spec.method, API_PREFIX + spec.path, self.wrap(spec))

        async def unknown(request: web.Request) -> web.StreamResponse:
            record = RequestRecord(self.state.clock.now(), request.method, "<unknown>", DEFAULT, "", 404)
            self.requests.append(record)
            error = not_found()
            return json_reply(404, error.body(), {})

        app.router.add_route("*", API_PREFIX + "/{tail:.*}", unknown)
