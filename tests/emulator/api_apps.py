"""REST routes for the application: gateway discovery, app info, commands, interaction callbacks
and the interaction token's webhook.

Interaction endpoints need no bot token and are exempt from the global rate limit, as the
"Receiving and Responding" page states; command definitions are validated before they are
stored, and the stored copies (with ids that survive re-syncs of the same name) are what
``run_command`` later checks user input against.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from .interactions import InteractionService
from .limits import INTERACTION_CALLBACK, WEBHOOKS
from .rest import Reply, RouteSpec, read_body
from .validation import validate_commands

if TYPE_CHECKING:
    from .state import EmulatorState

_TRUE = ("1", "true", "True")


class AppApi:
    """Handlers for application-level routes."""

    def __init__(self, state: EmulatorState, interactions: InteractionService, *, gateway_url: str) -> None:
        self.state = state
        self.interactions = interactions
        self.gateway_url = gateway_url

    def specs(self) -> list[RouteSpec]:
        app = "/applications/{application_id}"
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        return [
            RouteSpec("GET", "/gateway", self.gateway, auth=False),
            RouteSpec("GET", "/gateway/bot", self.gateway_bot),
            RouteSpec("GET", "/oauth2/applications/@me", self.application),
            RouteSpec("GET", "/applications/@me", self.application),
            RouteSpec("GET", app + "/commands", self.get_global_commands),
            RouteSpec("PUT", app + "/commands", self.put_global_commands),
            RouteSpec("POST", app + "/commands", self.upsert_global_command),
            RouteSpec("DELETE", app + "/commands/{command_id}", self.delete_global_command),
            RouteSpec("GET", app + "/guilds/{guild_id}/commands", self.get_guild_commands),
            RouteSpec("PUT", app + "/guilds/{guild_id}/commands", self.put_guild_commands),
            RouteSpec("POST", app + "/guilds/{guild_id}/commands", self.upsert_guild_command),
            RouteSpec("DELETE", app + "/guilds/{guild_id}/commands/{command_id}", self.delete_guild_command),
            RouteSpec(
                "POST",
                "/interactions/{interaction_id}/{interaction_token}/callback",
                self.callback,
                bucket=INTERACTION_CALLBACK,
                auth=False,
                global_exempt=True,
            ),
            RouteSpec("POST", hook, self.followup, bucket=WEBHOOKS, auth=False, global_exempt=True),
            RouteSpec(
                "GET",
                hook + "/messages/{message_id}",
                self.get_webhook_message,
                bucket=WEBHOOKS,
                auth=False,
                global_exempt=True,
            ),
            RouteSpec(
                "PATCH",
                hook + "/messages/{message_id}",
                self.edit_webhook_message,
                bucket=WEBHOOKS,
                auth=False,
                global_exempt=True,
            ),
            RouteSpec(
                "DELETE",
                hook + "/messages/{message_id}",
                self.delete_webhook_message,
                bucket=WEBHOOKS,
                auth=False,
                global_exempt=True,
            ),
        ]

    # -- discovery and app info -------------------------------------------------------------------

    async def gateway(self, request: web.Request) -> Reply:
        return 200, {"url": self.gateway_url}

    async def gateway_bot(self, request: web.Request) -> Reply:
        return 200, {
            "url": self.gateway_url,
            "shards": self.state.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 86_400_000,
                "max_concurrency": 1,
            },
        }

    async def application(self, request: web.Request) -> Reply:
        state = self.state
        owner = next((u for u in state.users.values() if not u.bot), state.bot)
        return 200, {
            "id": str(state.application_id),
            "name": state.bot.name,
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": owner.payload(),
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
            "bot": state.bot.payload(),
            "approximate_guild_count": sum(1 for g in state.guilds.values() if g.bot_present),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
        }

    # -- commands ---------------------------------------------------------------------------------

    def _check_app(self, request: web.Request) -> None:
        if request.match_info["application_id"] != str(self.state.application_id):
            raise errors.missing_access()

    def _guild_id(self, request: web.Request) -> int:
        try:
            guild_id = int(request.match_info["guild_id"])
        except ValueError:
            raise errors.unknown_guild() from None
        guild = self.state.guilds.get(guild_id)
        if guild is None:
            raise errors.unknown_guild()
        if not guild.bot_present:
            raise errors.missing_access()
        return guild_id

    def _stored(
        self, command: dict[str, Any], existing: list[dict[str, Any]], guild_id: int | None
    ) -> dict[str, Any]:
        """A command as Discord returns it; the id is kept when a command of that name existed."""
        kind = command.get("type", 1)
        previous = next((c for c in existing if c["type"] == kind and c["name"] == command["name"]), None)
        permissions = command.get("default_member_permissions")
        stored: dict[str, Any] = {
            "id": previous["id"] if previous else str(self.state.ids.next()),
            "application_id": str(self.state.application_id),
            "version": str(self.state.ids.next()),
            "type": kind,
            "name": command["name"],
            "name_localizations": command.get("name_localizations"),
            "description": command.get("description", ""),
            "description_localizations": command.get("description_localizations"),
            "options": copy.deepcopy(command.get("options") or []),
            "default_member_permissions": str(permissions) if permissions is not None else None,
            "nsfw": bool(command.get("nsfw", False)),
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types") or [0],
        }
        if guild_id is None:
            stored["dm_permission"] = command.get("dm_permission", True) is not False
        else:
            stored["guild_id"] = str(guild_id)
        return stored

    def _replace(
        self, body: Any, existing: list[dict[str, Any]], guild_id: int | None
    ) -> list[dict[str, Any]]:
        validate_commands(body)
        return [self._stored(c, existing, guild_id) for c in body]

    async def get_global_commands(self, request: web.Request) -> Reply:
        self._check_app(request)
        return 200, self.state.global_commands

    async def put_global_commands(self, request: web.Request) -> Reply:
        self._check_app(request)
        body, _ = await read_body(request)
        self.state.global_commands = self._replace(body, self.state.global_commands, None)
        self.state.notify()
        return 200, self.state.global_commands

    async def upsert_global_command(self, request: web.Request) -> Reply:
        self._check_app(request)
        body, _ = await read_body(request)
        validate_commands([body])
        stored = self._stored(body, self.state.global_commands, None)
        self.state.global_commands = [c for c in self.state.global_commands if c["id"] != stored["id"]] + [
            stored
        ]
        self.state.notify()
        return 200, stored

    async def delete_global_command(self, request: web.Request) -> Reply:
        self._check_app(request)
        before = len(self.state.global_commands)
        self.state.global_commands = [
            c for c in self.state.global_commands if c["id"] != request.match_info["command_id"]
        ]
        if len(self.state.global_commands) == before:
            raise errors.unknown_command()
        self.state.notify()
        return 204, None

    async def get_guild_commands(self, request: web.Request) -> Reply:
        self._check_app(request)
        return 200, self.state.guild_commands.get(self._guild_id(request), [])

    async def put_guild_commands(self, request: web.Request) -> Reply:
        self._check_app(request)
        guild_id = self._guild_id(request)
        body, _ = await read_body(request)
        existing = self.state.guild_commands.get(guild_id, [])
        self.state.guild_commands[guild_id] = self._replace(body, existing, guild_id)
        self.state.notify()
        return 200, self.state.guild_commands[guild_id]

    async def upsert_guild_command(self, request: web.Request) -> Reply:
        self._check_app(request)
        guild_id = self._guild_id(request)
        body, _ = await read_body(request)
        validate_commands([body])
        existing = self.state.guild_commands.get(guild_id, [])
        stored = self._stored(body, existing, guild_id)
        self.state.guild_commands[guild_id] = [c for c in existing if c["id"] != stored["id"]] + [stored]
        self.state.notify()
        return 200, stored

    async def delete_guild_command(self, request: web.Request) -> Reply:
        self._check_app(request)
        guild_id = self._guild_id(request)
        existing = self.state.guild_commands.get(guild_id, [])
        remaining = [c for c in existing if c["id"] != request.match_info["command_id"]]
        if len(remaining) == len(existing):
            raise errors.unknown_command()
        self.state.guild_commands[guild_id] = remaining
        self.state.notify()
        return 204, None

    # -- interactions -----------------------------------------------------------------------------

    async def callback(self, request: web.Request) -> Reply:
        try:
            interaction_id = int(request.match_info["interaction_id"])
        except ValueError:
            raise errors.unknown_interaction() from None
        body, uploads = await read_body(request)
        if not isinstance(body, dict):
            raise errors.invalid_json()
        result = self.interactions.callback(
            interaction_id,
            request.match_info["interaction_token"],
            body,
            uploads,
            with_response=request.query.get("with_response") in _TRUE,
        )
        return (200, result) if result is not None else (204, None)

    def _record_for(self, request: web.Request) -> Any:
        try:
            application_id = int(request.match_info["webhook_id"])
        except ValueError:
            raise errors.unknown_webhook() from None
        return self.interactions.webhook_record(application_id, request.match_info["webhook_token"])

    async def followup(self, request: web.Request) -> Reply:
        record = self._record_for(request)
        body, uploads = await read_body(request)
        if not isinstance(body, dict):
            raise errors.invalid_json()
        message = self.interactions.followup(record, body, uploads)
        return 200, message.payload()

    async def get_webhook_message(self, request: web.Request) -> Reply:
        record = self._record_for(request)
        return 200, self.interactions.resolve(record, request.match_info["message_id"]).payload()

    async def edit_webhook_message(self, request: web.Request) -> Reply:
        record = self._record_for(request)
        body, uploads = await read_body(request)
        if not isinstance(body, dict):
            raise errors.invalid_json()
        message = self.interactions.edit(record, request.match_info["message_id"], body, uploads)
        return 200, message.payload()

    async def delete_webhook_message(self, request: web.Request) -> Reply:
        record = self._record_for(request)
        self.interactions.delete(record, request.match_info["message_id"])
        return 204, None
