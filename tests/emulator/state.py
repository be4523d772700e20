"""The emulator's single source of truth, and every mutation of it.

All changes go through :class:`EmulatorState` so that each one (a) updates the models, (b)
dispatches the gateway event Discord would send, and (c) wakes test waiters.  Keeping those
three together is what makes "the bot sees exactly what a user did" hold by construction.
The state outlives any one bot connection, so a restarted bot finds its messages, reactions
and commands where it left them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from .clock import EmulatorClock, SnowflakeFactory
from .models import (
    CATEGORY,
    DEFAULT_AUTO_ARCHIVE_DURATION,
    DM,
    FLAG_EPHEMERAL,
    PUBLIC_THREAD,
    THREAD_MEMBER_COUNT_CAP,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    ThreadMetadata,
)
from .permissions import DEFAULT_EVERYONE, Overwrite, Perm
from .users import User
from .waiting import Signal

if TYPE_CHECKING:
    from .interactions import InteractionRecord, InteractionService

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


class EventSink(Protocol):
    """Where gateway events go (the gateway, or nowhere before it exists)."""

    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        private_content: bool = False,
    ) -> None: ...


class _NoSink:
    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        private_content: bool = False,
    ) -> None:
        return None


class EmulatorState:
    """Users, guilds, channels, messages, commands and interactions, plus their mutations."""

    def __init__(self, clock: EmulatorClock, *, bot_name: str) -> None:
        self.clock = clock
        self.ids = SnowflakeFactory(clock)
        self.signal = Signal()
        self.sink: EventSink = _NoSink()
        self.base_url = ""
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.dm_channels: dict[int, int] = {}
        #: how many shards the bot must connect (GET /gateway/bot); each sees only its servers
        self.shard_count = 1
        #: every attachment ever uploaded, by id, so their URLs can be served
        self.uploads: dict[int, Attachment] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.interaction_service: InteractionService | None = None
        self.bot = self.new_user(bot_name, bot=True)
        self.application_id = self.bot.id

    # -- helpers ------------------------------------------------------------------------------

    def notify(self) -> None:
        """Wake every waiter (called after each change)."""
        self.signal.notify()

    def mention_ids(self, content: str) -> list[int]:
        return [int(m) for m in _USER_MENTION.findall(content or "")]

    def role_mention_ids(self, content: str) -> list[int]:
        return [int(m) for m in _ROLE_MENTION.findall(content or "")]

    def _dispatch_guild(self, event: str, data: dict[str, Any], guild: Guild) -> None:
        if guild.bot_present:
            self.sink.dispatch(event, data, guild_id=guild.id)

    # -- users and guilds ---------------------------------------------------------------------

    def new_user(self, name: str, *, bot: bool = False) -> User:
        user = User(self, self.ids.next(), name, bot=bot)
        self.users[user.id] = user
        return user

    def create_guild(
        self,
        name: str,
        *,
        everyone_permissions: int = DEFAULT_EVERYONE,
        bot_permissions: int = 0,
        owner: User | None = None,
    ) -> Guild:
        # Servers are spread over the shards in turn, as a bot's servers spread over them on Discord.
        guild_id = self.ids.next_on_shard(len(self.guilds) % self.shard_count, self.shard_count)
        owner = owner or self.new_user(f"{name} owner")
        now = self.clock.wall()
        guild = Guild(self, guild_id, name, owner.id, created_at=now)
        guild.roles[guild_id] = Role(guild_id, guild_id, "@everyone", everyone_permissions, position=0)
        bot_role = Role(self.ids.next(), guild_id, self.bot.name, bot_permissions, 1, True, self.bot.id)
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = Member(owner.id, [], now)
        guild.members[self.bot.id] = Member(self.bot.id, [bot_role.id], now)
        self.guilds[guild_id] = guild
        self._dispatch_guild("GUILD_CREATE", self.guild_create_payload(guild), guild)
        self.notify()
        return guild

    def guild_create_payload(self, guild: Guild, *, all_members: bool = True) -> dict[str, Any]:
        return guild.payload(full=True, include_all_members=all_members)

    def create_role(self, guild: Guild, name: str, permissions: int) -> Role:
        position = max(r.position for r in guild.roles.values()) + 1
        role = Role(self.ids.next(), guild.id, name, permissions, position)
        guild.roles[role.id] = role
        self._dispatch_guild("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()}, guild)
        self.notify()
        return role

    def add_member(
        self, guild: Guild, user: User | str, *, admin: bool, bot: bool, roles: list[Role]
    ) -> User:
        if isinstance(user, str):
            user = self.new_user(user, bot=bot)
        role_ids = [r.id for r in roles]
        if admin:
            try:
                admin_role = guild.role("Admin")
            except KeyError:
                admin_role = self.create_role(guild, "Admin", int(Perm.ADMINISTRATOR | Perm.MANAGE_GUILD))
            role_ids.append(admin_role.id)
        guild.members[user.id] = Member(user.id, role_ids, self.clock.wall())
        data = guild.member_payload(user.id)
        data["guild_id"] = str(guild.id)
        self._dispatch_guild("GUILD_MEMBER_ADD", data, guild)
        self.notify()
        return user

    def remove_bot(self, guild: Guild) -> None:
        """The bot is kicked or leaves: GUILD_DELETE without ``unavailable``."""
        if not guild.bot_present:
            return
        self.sink.dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild_id=guild.id)
        guild.bot_present = False
        guild.members.pop(self.bot.id, None)
        self.notify()

    def guild_available(self, guild: Guild) -> None:
        """An unavailable guild comes back: GUILD_CREATE with ``unavailable: false``."""
        guild.arrives_late = False
        if guild.bot_present:
            payload = {**self.guild_create_payload(guild), "unavailable": False}
            self._dispatch_guild("GUILD_CREATE", payload, guild)
            self.notify()

    def add_bot(self, guild: Guild) -> None:
        """The bot joins (again): GUILD_CREATE for the whole guild."""
        if guild.bot_present:
            return
        bot_role = next(r for r in guild.roles.values() if r.bot_id == self.bot.id)
        guild.members[self.bot.id] = Member(self.bot.id, [bot_role.id], self.clock.wall())
        guild.bot_present = True
        self._dispatch_guild("GUILD_CREATE", self.guild_create_payload(guild), guild)
        self.notify()

    # -- channels -------------------------------------------------------------------------------

    def create_channel(
        self,
        guild: Guild,
        name: str,
        kind: int,
        *,
        overwrites: dict[int, Overwrite],
        topic: str | None = None,
        parent_id: int | None = None,
    ) -> Channel:
        position = sum(1 for c in guild.channels if (c.type == CATEGORY) == (kind == CATEGORY))
        channel = Channel(
            self,
            self.ids.next(),
            kind,
            name,
            guild_id=guild.id,
            position=position,
            overwrites=overwrites,
            topic=topic,
            parent_id=parent_id,
        )
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        self._dispatch_guild("CHANNEL_CREATE", channel.payload(), guild)
        self.notify()
        return channel

    def channel_updated(self, channel: Channel) -> None:
        if channel.is_thread:
            self.sink.dispatch(
                "THREAD_UPDATE", channel.payload(), guild_id=channel.guild_id, channel_id=channel.id
            )
        elif channel.guild is not None:
            self._dispatch_guild("CHANNEL_UPDATE", channel.payload(), channel.guild)
        self.notify()

    def delete_channel(self, channel: Channel) -> None:
        if channel.deleted:
            return
        if channel.is_thread:
            self._delete_thread(channel)
            return
        guild = channel.guild
        payload = channel.payload()
        threads = channel.threads
        channel.deleted = True
        # Its threads go with it; the bot hears only CHANNEL_DELETE (discord.py drops them then).
        for thread in threads:
            thread.deleted = True
        if guild is not None:
            self._dispatch_guild("CHANNEL_DELETE", payload, guild)
        self.notify()

    # -- threads --------------------------------------------------------------------------------

    def start_thread(
        self,
        message: Message,
        owner_id: int,
        *,
        name: str,
        auto_archive_duration: int = DEFAULT_AUTO_ARCHIVE_DURATION,
        rate_limit_per_user: int = 0,
    ) -> Channel:
        """Start a public thread from ``message`` (callers have checked Discord's rules).

        As on Discord the thread takes the message's id, THREAD_CREATE carries ``newly_created``,
        the starter joins the thread, and a MESSAGE_UPDATE shows the message's new ``thread``.
        """
        parent = message.channel
        if parent.guild_id is None:
            raise ValueError("threads only exist in servers")
        now = self.clock.wall()
        thread = Channel(
            self,
            message.id,
            PUBLIC_THREAD,
            name,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=owner_id,
            rate_limit_per_user=rate_limit_per_user,
            thread_metadata=ThreadMetadata(auto_archive_duration, archive_timestamp=now, created_at=now),
        )
        thread.thread_members[owner_id] = now
        self.channels[thread.id] = thread
        created = {**thread.payload(), "newly_created": True}
        self.sink.dispatch("THREAD_CREATE", created, guild_id=thread.guild_id, channel_id=thread.id)
        self._thread_member_added(thread, owner_id)
        self._dispatch_message("MESSAGE_UPDATE", message)
        self.notify()
        return thread

    def join_thread(self, thread: Channel, user_id: int) -> None:
        """Add a thread member (Discord does this for anyone who posts in the thread)."""
        if user_id in thread.thread_members:
            return
        thread.thread_members[user_id] = self.clock.wall()
        self._thread_member_added(thread, user_id)
        self.notify()

    def _thread_member_added(self, thread: Channel, user_id: int) -> None:
        # With only GUILDS a bot hears THREAD_MEMBERS_UPDATE about itself; other users' joins
        # need GUILD_MEMBERS and carry presences, which the emulator does not model.
        if user_id != self.bot.id:
            return
        data = {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "member_count": min(len(thread.thread_members), THREAD_MEMBER_COUNT_CAP),
            "added_members": [thread.thread_member_payload(user_id)],
        }
        self.sink.dispatch("THREAD_MEMBERS_UPDATE", data, guild_id=thread.guild_id, channel_id=thread.id)

    def _delete_thread(self, thread: Channel) -> None:
        data = {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "parent_id": str(thread.parent_id),
            "type": thread.type,
        }
        # Dispatched before the thread is gone, so the gateway can still tell who may see it.
        self.sink.dispatch("THREAD_DELETE", data, guild_id=thread.guild_id, channel_id=thread.id)
        thread.deleted = True
        self.notify()

    def dm_channel_for(self, user: User) -> Channel:
        """The DM channel between the bot and ``user`` (created on first use, as Discord does)."""
        existing = self.dm_channels.get(user.id)
        if existing is not None:
            return self.channels[existing]
        channel = Channel(self, self.ids.next(), DM, "", recipient_id=user.id)
        self.channels[channel.id] = channel
        self.dm_channels[user.id] = channel.id
        self.notify()
        return channel

    # -- messages -----------------------------------------------------------------------------

    def _private_content(self, message: Message) -> bool:
        """Content is hidden from bots without MESSAGE_CONTENT unless it is theirs, a DM, or a mention."""
        return (
            message.guild_id is not None
            and message.author_id != self.bot.id
            and self.bot.id not in message.mentioned_user_ids()
        )

    def _dispatch_message(self, event: str, message: Message, data: dict[str, Any] | None = None) -> None:
        if message.flags & FLAG_EPHEMERAL:
            return  # ephemeral messages never reach the gateway
        channel = message.channel
        payload = data if data is not None else message.payload(gateway=True)
        self.sink.dispatch(
            event,
            payload,
            guild_id=channel.guild_id,
            channel_id=channel.id,
            private_content=self._private_content(message),
        )

    def create_message(
        self,
        channel: Channel,
        author_id: int,
        *,
        content: str = "",
        embeds: list[dict[str, Any]] | None = None,
        components: list[dict[str, Any]] | None = None,
        flags: int = 0,
        attachments: Iterable[Any] = (),
        visible_to: Iterable[int] | None = None,
        type: int = 0,
        tts: bool = False,
        interaction_id: int | None = None,
        webhook_id: int | None = None,
        nonce: str | None = None,
        message_reference: dict[str, Any] | None = None,
    ) -> Message:
        if channel.is_thread and webhook_id is None and interaction_id is None:
            self.join_thread(channel, author_id)  # posting in a thread joins it
        message = Message(
            self,
            self.ids.next(),
            channel.id,
            channel.guild_id,
            author_id,
            content=content,
            embeds=list(embeds or []),
            components=list(components or []),
            flags=flags,
            attachments=list(attachments),
            visible_to=frozenset(visible_to) if visible_to is not None else None,
            type=type,
            tts=tts,
            created_at=self.clock.wall(),
            interaction_id=interaction_id,
            webhook_id=webhook_id,
            nonce=nonce,
            message_reference=message_reference,
        )
        self.messages[message.id] = message
        channel.message_ids.append(message.id)
        if channel.is_thread and not message.ephemeral:
            channel.total_message_sent += 1
        self._dispatch_message("MESSAGE_CREATE", message)
        self.notify()
        return message

    def update_message(self, message: Message, changes: dict[str, Any]) -> Message:
        for key, value in changes.items():
            setattr(message, key, value)
        message.edited_at = self.clock.wall()
        self._dispatch_message("MESSAGE_UPDATE", message)
        self.notify()
        return message

    def delete_message(self, message: Message) -> None:
        if message.deleted:
            return
        message.deleted = True
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        self._dispatch_message("MESSAGE_DELETE", message, data)
        self.notify()

    # -- reactions ----------------------------------------------------------------------------

    def _reaction_event(self, message: Message, user_id: int, key: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user_id": str(user_id),
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "emoji": message.reaction_emoji[key],
            "burst": False,
            "burst_colors": [],
            "type": 0,
        }
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        return data

    def add_reaction(self, message: Message, user_id: int, key: str, emoji: dict[str, Any]) -> bool:
        """Add a reaction; returns False when this user had already reacted with it."""
        users = message.reactions.setdefault(key, {})
        message.reaction_emoji.setdefault(key, emoji)
        if user_id in users:
            return False
        users[user_id] = None
        data = self._reaction_event(message, user_id, key)
        data["message_author_id"] = str(message.author_id)
        guild = self.guilds.get(message.guild_id) if message.guild_id is not None else None
        if guild is not None and user_id in guild.members:
            data["member"] = guild.member_payload(user_id)
        self.sink.dispatch(
            "MESSAGE_REACTION_ADD", data, guild_id=message.guild_id, channel_id=message.channel_id
        )
        self.notify()
        return True

    def remove_reaction(self, message: Message, user_id: int, key: str) -> bool:
        """Remove a reaction; returns False when there was nothing to remove."""
        users = message.reactions.get(key)
        if not users or user_id not in users:
            return False
        data = self._reaction_event(message, user_id, key)
        del users[user_id]
        if not users:
            del message.reactions[key]
        self.sink.dispatch(
            "MESSAGE_REACTION_REMOVE", data, guild_id=message.guild_id, channel_id=message.channel_id
        )
        self.notify()
        return True
