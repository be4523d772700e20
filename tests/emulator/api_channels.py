"""REST routes for users, guilds, channels, messages and reactions.

Permission checks follow Discord's docs for each endpoint (resources/message): a channel the
bot cannot view answers 403 50001 Missing Access; creating a message needs Send Messages (plus
Attach Files for files and Embed Links for embeds); reacting needs Read Message History, and Add
Reactions when nobody has used that emoji yet; removing someone else's reaction needs Manage
Messages; all of those answer 403 50013 Missing Permissions.  Ephemeral messages do not exist
for the bot's channel endpoints (404 10008), and DMs to a user who closed them, or who
shares no server with the bot, answer 403 50007.

Threads (topics/threads, resources/channel "Start Thread from Message") are channels for every
message route: their permissions are the parent channel's, except that posting needs Send
Messages in Threads instead of Send Messages.  Starting a public thread from a message needs
Create Public Threads (403 50013); it is refused in a DM (403 50003) and inside a thread (400
50024), a second thread on the same message answers 400 160004, and a bad name or duration 50035.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from .compose import CHANNEL_MESSAGE_FLAGS, build_attachments, message_fields
from .emoji import parse_emoji
from .errors import FormErrors
from .limits import MEMBERS, MESSAGE_DELETES, MESSAGE_EDITS, MESSAGES, REACTIONS, THREADS
from .models import DEFAULT_AUTO_ARCHIVE_DURATION, FLAG_EPHEMERAL, TEXT, Channel, Guild, Message
from .permissions import Perm, has, send_permission
from .rest import Reply, RouteSpec, read_body
from .validation import validate_message, validate_thread_start

if TYPE_CHECKING:
    from .state import EmulatorState

MAX_DISTINCT_REACTIONS = 20


class ChannelApi:
    """Handlers for the bot's view of users, guilds, channels and messages."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def specs(self) -> list[RouteSpec]:
        ch = "/channels/{channel_id}"
        msg = ch + "/messages/{message_id}"
        return [
            RouteSpec("GET", "/users/@me", self.get_me),
            RouteSpec("POST", "/users/@me/channels", self.open_dm),
            RouteSpec("GET", "/users/{user_id}", self.get_user),
            RouteSpec("GET", "/guilds/{guild_id}", self.get_guild),
            RouteSpec("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            RouteSpec("GET", "/guilds/{guild_id}/roles", self.get_roles),
            RouteSpec("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member, MEMBERS),
            RouteSpec("GET", ch, self.get_channel),
            RouteSpec("POST", ch + "/typing", self.typing),
            RouteSpec("GET", ch + "/messages", self.history),
            RouteSpec("POST", ch + "/messages", self.create_message, bucket=MESSAGES),
            RouteSpec("GET", msg, self.get_message),
            RouteSpec("PATCH", msg, self.edit_message, bucket=MESSAGE_EDITS),
            RouteSpec("DELETE", msg, self.delete_message, bucket=MESSAGE_DELETES),
            RouteSpec("PUT", msg + "/reactions/{emoji}/@me", self.add_reaction, bucket=REACTIONS),
            RouteSpec("DELETE", msg + "/reactions/{emoji}/@me", self.remove_own_reaction, bucket=REACTIONS),
            RouteSpec(
                "DELETE", msg + "/reactions/{emoji}/{user_id}", self.remove_user_reaction, bucket=REACTIONS
            ),
            RouteSpec("GET", msg + "/reactions/{emoji}", self.reaction_users),
            RouteSpec("POST", msg + "/threads", self.start_thread, bucket=THREADS),
        ]

    # -- lookups --------------------------------------------------------------------------------

    def _guild(self, request: web.Request) -> Guild:
        guild = self.state.guilds.get(_snowflake(request.match_info["guild_id"]))
        if guild is None:
            raise errors.unknown_guild()
        if not guild.bot_present:
            raise errors.missing_access()
        return guild

    def _channel(self, request: web.Request) -> tuple[Channel, int]:
        """The channel and the bot's permissions in it; 10003 if it is gone, 50001 if hidden."""
        channel = self.state.channels.get(_snowflake(request.match_info["channel_id"]))
        if channel is None or channel.deleted:
            raise errors.unknown_channel()
        if channel.is_dm:
            return channel, channel.permissions_for(self.state.bot.id)
        guild = channel.guild
        if guild is None or not guild.bot_present:
            raise errors.missing_access()
        perms = channel.permissions_for(self.state.bot.id)
        if not perms & Perm.VIEW_CHANNEL:
            raise errors.missing_access()
        return channel, perms

    def _message(self, request: web.Request, channel: Channel) -> Message:
        message = self.state.messages.get(_snowflake(request.match_info["message_id"]))
        if (
            message is None
            or message.deleted
            or message.channel_id != channel.id
            or message.flags & FLAG_EPHEMERAL
        ):
            raise errors.unknown_message()
        return message

    @staticmethod
    def _need(perms: int, needed: Perm | int) -> None:
        if not has(perms, int(needed)):
            raise errors.missing_permissions()

    @staticmethod
    def _need_send(channel: Channel, perms: int) -> None:
        """Send Messages, or Send Messages in Threads in a thread (where Send Messages does nothing)."""
        if not has(perms, send_permission(in_thread=channel.is_thread)):
            raise errors.missing_permissions()

    # -- users, guilds --------------------------------------------------------------------------

    async def get_me(self, request: web.Request) -> Reply:
        data = self.state.bot.payload()
        data.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"})
        return 200, data

    async def get_user(self, request: web.Request) -> Reply:
        user = self.state.users.get(_snowflake(request.match_info["user_id"]))
        if user is None:
            raise errors.unknown_user()
        return 200, user.payload()

    async def open_dm(self, request: web.Request) -> Reply:
        body, _ = await read_body(request)
        user = self.state.users.get(_snowflake(str((body or {}).get("recipient_id", ""))))
        if user is None:
            raise errors.unknown_user()
        return 200, self.state.dm_channel_for(user).payload()

    async def get_guild(self, request: web.Request) -> Reply:
        guild = self._guild(request)
        data = guild.payload(full=False)
        if request.query.get("with_counts") in ("1", "true", "True"):
            data["approximate_member_count"] = len(guild.members)
            data["approximate_presence_count"] = 0
        return 200, data

    async def get_guild_channels(self, request: web.Request) -> Reply:
        return 200, [c.payload() for c in self._guild(request).channels]

    async def get_roles(self, request: web.Request) -> Reply:
        return 200, [r.payload() for r in self._guild(request).roles.values()]

    async def get_member(self, request: web.Request) -> Reply:
        guild = self._guild(request)
        user_id = _snowflake(request.match_info["user_id"])
        if user_id not in guild.members:
            raise errors.unknown_member()
        return 200, guild.member_payload(user_id)

    # -- channels and messages ------------------------------------------------------------------

    async def get_channel(self, request: web.Request) -> Reply:
        channel, _ = self._channel(request)
        return 200, channel.payload_for(self.state.bot.id)

    async def typing(self, request: web.Request) -> Reply:
        channel, perms = self._channel(request)
        self._need_send(channel, perms)
        return 204, None

    async def history(self, request: web.Request) -> Reply:
        channel, perms = self._channel(request)
        if not perms & Perm.READ_MESSAGE_HISTORY:
            return 200, []
        limit = min(max(int(request.query.get("limit", 50)), 1), 100)
        msgs = [m for m in channel.messages if not m.flags & FLAG_EPHEMERAL]
        if "before" in request.query:
            before = _snowflake(request.query["before"])
            msgs = [m for m in msgs if m.id < before][-limit:]
        elif "after" in request.query:
            after = _snowflake(request.query["after"])
            msgs = [m for m in msgs if m.id > after][:limit]
        elif "around" in request.query:
            around = _snowflake(request.query["around"])
            older = [m for m in msgs if m.id <= around][-((limit + 1) // 2) :]
            newer = [m for m in msgs if m.id > around][: limit - len(older)]
            msgs = older + newer
        else:
            msgs = msgs[-limit:]
        return 200, [m.payload() for m in reversed(msgs)]

    def _check_dm_target(self, channel: Channel) -> None:
        if channel.is_dm:
            recipient = self.state.users.get(channel.recipient_id or 0)
            if recipient is None or recipient.bot or recipient.dms_closed:
                raise errors.cannot_dm_user()
            # Discord refuses a bot's DM to a user who shares no server with it, with the same error.
            if not any(g.bot_present and recipient.id in g.members for g in self.state.guilds.values()):
                raise errors.cannot_dm_user()

    async def create_message(self, request: web.Request) -> Reply:
        channel, perms = self._channel(request)
        self._need_send(channel, perms)
        self._check_dm_target(channel)
        body, uploads = await read_body(request)
        if not isinstance(body, dict):
            raise errors.invalid_json()
        validate_message(body, files=len(uploads), creating=True)
        if uploads:
            self._need(perms, Perm.ATTACH_FILES)
        if body.get("embeds"):
            self._need(perms, Perm.EMBED_LINKS)
        reference = self._reply_reference(channel, perms, body.get("message_reference"))
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            for existing in channel.messages:
                if existing.nonce == str(nonce) and existing.author_id == self.state.bot.id:
                    return 200, existing.payload()
        fields = message_fields(body, allowed_flags=CHANNEL_MESSAGE_FLAGS, editing=False)
        attachments = build_attachments(self.state, channel.id, body, uploads) or []
        message = self.state.create_message(
            channel,
            self.state.bot.id,
            attachments=attachments,
            tts=bool(body.get("tts")),
            nonce=str(nonce) if nonce is not None else None,
            message_reference=reference,
            type=19 if reference else 0,
            **fields,
        )
        return 200, message.payload()

    def _reply_reference(self, channel: Channel, perms: int, reference: Any) -> dict[str, Any] | None:
        if not isinstance(reference, dict) or not reference.get("message_id"):
            return None
        self._need(perms, Perm.READ_MESSAGE_HISTORY)
        target = self.state.messages.get(_snowflake(str(reference["message_id"])))
        if target is None or target.deleted or target.channel_id != channel.id or target.ephemeral:
            if reference.get("fail_if_not_exists", True):
                form = FormErrors()
                form.add(("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
                form.raise_if_any()
            return None
        data = {"type": 0, "message_id": str(target.id), "channel_id": str(channel.id)}
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        return data

    async def get_message(self, request: web.Request) -> Reply:
        channel, perms = self._channel(request)
        self._need(perms, Perm.READ_MESSAGE_HISTORY)
        return 200, self._message(request, channel).payload()

    async def edit_message(self, request: web.Request) -> Reply:
        channel, perms = self._channel(request)
        message = self._message(request, channel)
        if message.author_id != self.state.bot.id:
            raise errors.cannot_edit_others()
        body, uploads = await read_body(request)
        if not isinstance(body, dict):
            raise errors.invalid_json()
        validate_message(body, files=len(uploads), creating=False)
        if uploads:
            self._need(perms, Perm.ATTACH_FILES)
        if body.get("embeds"):
            self._need(perms, Perm.EMBED_LINKS)
        fields = message_fields(body, allowed_flags=CHANNEL_MESSAGE_FLAGS, editing=True)
        attachments = build_attachments(self.state, channel.id, body, uploads, existing=message.attachments)
        if attachments is not None:
            fields["attachments"] = attachments
        self.state.update_message(message, fields)
        return 200, message.payload()

    async def delete_message(self, request: web.Request) -> Reply:
        channel, perms = self._channel(request)
        message = self._message(request, channel)
        if message.author_id != self.state.bot.id:
            if channel.is_dm:
                raise errors.dm_channel_action()
            self._need(perms, Perm.MANAGE_MESSAGES)
        self.state.delete_message(message)
        return 204, None

    # -- threads ----------------------------------------------------------------------------------

    async def start_thread(self, request: web.Request) -> Reply:
        """Start a public thread from a message; the thread takes the message's id."""
        channel, perms = self._channel(request)
        if channel.is_dm:
            raise errors.dm_channel_action()
        if channel.type != TEXT:
            raise errors.wrong_channel_type()  # threads, categories: no threads there
        message = self._message(request, channel)
        self._need(perms, Perm.CREATE_PUBLIC_THREADS)
        body, _ = await read_body(request)
        validate_thread_start(body)
        if message.id in self.state.channels:
            # The id is taken for good: even a deleted thread's message cannot get another one.
            raise errors.thread_already_created()
        thread = self.state.start_thread(
            message,
            self.state.bot.id,
            name=body["name"],
            auto_archive_duration=body.get("auto_archive_duration") or DEFAULT_AUTO_ARCHIVE_DURATION,
            rate_limit_per_user=body.get("rate_limit_per_user") or 0,
        )
        return 201, thread.payload()

    # -- reactions --------------------------------------------------------------------------------

    async def add_reaction(self, request: web.Request) -> Reply:
        channel, perms = self._channel(request)
        message = self._message(request, channel)
        key, emoji = parse_emoji(request.match_info["emoji"])
        self._need(perms, Perm.READ_MESSAGE_HISTORY)
        if not message.reactions.get(key):
            self._need(perms, Perm.ADD_REACTIONS)
            if len([k for k, users in message.reactions.items() if users]) >= MAX_DISTINCT_REACTIONS:
                raise errors.max_reactions()
        self.state.add_reaction(message, self.state.bot.id, key, emoji)
        return 204, None

    async def remove_own_reaction(self, request: web.Request) -> Reply:
        channel, _ = self._channel(request)
        message = self._message(request, channel)
        key, _ = parse_emoji(request.match_info["emoji"])
        self.state.remove_reaction(message, self.state.bot.id, key)
        return 204, None

    async def remove_user_reaction(self, request: web.Request) -> Reply:
        channel, perms = self._channel(request)
        message = self._message(request, channel)
        key, _ = parse_emoji(request.match_info["emoji"])
        user_id = _snowflake(request.match_info["user_id"])
        if user_id != self.state.bot.id:
            if channel.is_dm:
                raise errors.dm_channel_action()
            self._need(perms, Perm.MANAGE_MESSAGES)
        self.state.remove_reaction(message, user_id, key)
        return 204, None

    async def reaction_users(self, request: web.Request) -> Reply:
        channel, perms = self._channel(request)
        self._need(perms, Perm.READ_MESSAGE_HISTORY)
        message = self._message(request, channel)
        key, _ = parse_emoji(request.match_info["emoji"])
        limit = min(max(int(request.query.get("limit", 25)), 1), 100)
        after = _snowflake(request.query.get("after", "0"))
        user_ids = sorted(uid for uid in message.reactions.get(key, []) if uid > after)[:limit]
        return 200, [self.state.users[uid].payload() for uid in user_ids]


def _snowflake(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1
