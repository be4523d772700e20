"""The emulator's world: users, guilds, roles, channels, messages.

These objects are also what tests hold: ``guild.add_text_channel(...)`` returns a
:class:`Channel`, ``emu.wait_for_message(...)`` returns a live :class:`Message` that reflects
later edits and reactions, and members are :class:`User` objects carrying the user-side actions
(``run_command``, ``click``, ``react``...).  Each model knows how to render itself as the JSON
Discord sends, so REST and gateway share one serialisation.

A thread is a :class:`Channel` too (type 11, ``parent_id`` pointing at its text channel), as on
Discord: a public thread started from a message shares that message's id, so
``message.thread`` and ``channel.threads`` find it without extra bookkeeping.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .clock import iso_timestamp
from .permissions import (
    OVERWRITE_MEMBER,
    OVERWRITE_ROLE,
    Overwrite,
    Perm,
    as_bits,
    base_permissions,
    channel_permissions,
)

if TYPE_CHECKING:
    from .state import EmulatorState
    from .users import User

_VIEW_CHANNEL = int(Perm.VIEW_CHANNEL)
TEXT = 0
DM = 1
VOICE = 2
CATEGORY = 4
ANNOUNCEMENT_THREAD = 10
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
THREAD_TYPES = frozenset({ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD})

#: Minutes of inactivity after which a thread leaves the channel list; Discord accepts only these.
AUTO_ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
#: Used when a request names none: what discord.py falls back to for a channel without a default.
DEFAULT_AUTO_ARCHIVE_DURATION = 1440
#: ``member_count`` on a thread "stops counting at 50".
THREAD_MEMBER_COUNT_CAP = 50

FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_HAS_THREAD = 1 << 5
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_COMPONENTS_V2 = 1 << 15

BUTTON = 2
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})


@dataclass(eq=False)
class BaseUser:
    """A Discord user's data; :class:`~.users.User` adds what a human can do with it."""

    _state: EmulatorState = field(repr=False)
    id: int
    name: str
    bot: bool = False
    dms_closed: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.global_name
            if self.global_name is not None
            else (None if self.bot else self.name),
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(eq=False)
class Role:
    """A guild role; the @everyone role shares the guild's id."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": False,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass(eq=False)
class Member:
    """A user's membership of one guild."""

    user_id: int
    role_ids: list[int]
    joined_at: float
    nick: str | None = None


@dataclass(eq=False)
class ThreadMetadata:
    """The thread-only channel fields Discord groups under ``thread_metadata``."""

    auto_archive_duration: int
    #: when the archive status last changed (creation counts), for Discord's inactivity timer
    archive_timestamp: float
    created_at: float
    archived: bool = False
    locked: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "archived": self.archived,
            "auto_archive_duration": self.auto_archive_duration,
            "archive_timestamp": iso_timestamp(self.archive_timestamp),
            "locked": self.locked,
            "create_timestamp": iso_timestamp(self.created_at),
        }


@dataclass(eq=False)
class Channel:
    """A guild channel, category, thread, or a DM channel between the bot and one user."""

    _state: EmulatorState = field(repr=False)
    id: int
    type: int
    name: str
    guild_id: int | None = None
    position: int = 0
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    topic: str | None = None
    parent_id: int | None = None
    recipient_id: int | None = None
    deleted: bool = False
    message_ids: list[int] = field(default_factory=list, repr=False)
    # -- thread-only fields (None/empty on other channels) --
    #: who started the thread
    owner_id: int | None = None
    rate_limit_per_user: int = 0
    thread_metadata: ThreadMetadata | None = None
    #: thread members, user id -> when they joined (Discord adds the starter and every poster)
    thread_members: dict[int, float] = field(default_factory=dict, repr=False)
    #: messages ever sent in the thread; unlike ``message_count`` deletions do not lower it
    total_message_sent: int = 0

    @property
    def guild(self) -> Guild | None:
        return self._state.guilds.get(self.guild_id) if self.guild_id is not None else None

    @property
    def is_dm(self) -> bool:
        return self.type == DM

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def parent(self) -> Channel | None:
        """A thread's text channel, or a channel's category."""
        return self._state.channels.get(self.parent_id) if self.parent_id is not None else None

    @property
    def threads(self) -> list[Channel]:
        """The threads started in this channel that still exist, oldest first."""
        return [
            c
            for c in self._state.channels.values()
            if c.is_thread and c.parent_id == self.id and not c.deleted
        ]

    def thread(self, name: str) -> Channel:
        """The thread in this channel with this name; fails the test with the names otherwise."""
        for thread in self.threads:
            if thread.name == name:
                return thread
        raise AssertionError(f"no thread {name!r} in #{self.name}; threads: {[t.name for t in self.threads]}")

    @property
    def starter_message(self) -> Message | None:
        """For a thread started from a message: that message (it shares the thread's id)."""
        if not self.is_thread:
            return None
        message = self._state.messages.get(self.id)
        return message if message is not None and message.channel_id == self.parent_id else None

    @property
    def message_count(self) -> int:
        """Messages in a thread, as Discord counts them: not the starter message, not deleted ones."""
        return sum(1 for m in self.messages if not m.flags & FLAG_EPHEMERAL)

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def messages(self) -> list[Message]:
        """Every message in the channel that still exists, oldest first (ephemeral ones included)."""
        found = (self._state.messages.get(mid) for mid in self.message_ids)
        return [m for m in found if m is not None and not m.deleted]

    @property
    def last_message(self) -> Message | None:
        msgs = self.messages
        return msgs[-1] if msgs else None

    def permissions_for(self, user: User | int) -> int:
        """The user's effective permissions here, computed as Discord does."""
        user_id = user if isinstance(user, int) else user.id
        if self.is_dm:
            return int(
                Perm.VIEW_CHANNEL
                | Perm.SEND_MESSAGES
                | Perm.READ_MESSAGE_HISTORY
                | Perm.ADD_REACTIONS
                | Perm.EMBED_LINKS
                | Perm.ATTACH_FILES
            )
        if self.deleted:
            return 0
        if self.is_thread:
            # Threads have no overwrites of their own: they inherit the parent channel's.
            parent = self.parent
            return 0 if parent is None or parent.deleted else parent._guild_permissions(user_id, True)
        return self._guild_permissions(user_id, False)

    def _guild_permissions(self, user_id: int, in_thread: bool) -> int:
        guild = self.guild
        if guild is None:
            return 0
        member = guild.members.get(user_id)
        if member is None:
            return 0
        base = guild.base_permissions(user_id)
        return channel_permissions(
            base,
            guild_id=guild.id,
            member_id=user_id,
            role_ids=member.role_ids,
            overwrites=self.overwrites,
            in_thread=in_thread,
        )

    def set_overwrite(self, target: User | Role, *, allow: Any = 0, deny: Any = 0) -> None:
        """Add or replace a permission overwrite for a role or member."""
        kind = OVERWRITE_ROLE if isinstance(target, Role) else OVERWRITE_MEMBER
        self.overwrites[target.id] = Overwrite(target.id, kind, as_bits(allow), as_bits(deny))
        self._state.channel_updated(self)

    def thread_member_payload(self, user_id: int, *, with_ids: bool = True) -> dict[str, Any] | None:
        """The thread member object for a user who joined this thread, else None.

        GUILD_CREATE leaves out ``id`` and ``user_id`` (``with_ids=False``).
        """
        joined = self.thread_members.get(user_id)
        if joined is None:
            return None
        data: dict[str, Any] = {"join_timestamp": iso_timestamp(joined), "flags": 0}
        if with_ids:
            data = {"id": str(self.id), "user_id": str(user_id), **data}
        return data

    def payload_for(self, user_id: int, *, member_ids: bool = True) -> dict[str, Any]:
        """The channel object as a user gets it from GET /channels: a thread they joined carries
        their thread ``member`` object."""
        data = self.payload()
        member = self.thread_member_payload(user_id, with_ids=member_ids) if self.is_thread else None
        if member is not None:
            data["member"] = member
        return data

    def _thread_payload(self) -> dict[str, Any]:
        metadata = self.thread_metadata
        if metadata is None:
            raise RuntimeError(f"thread {self.id} has no thread_metadata")
        last = self.message_ids[-1] if self.message_ids else None
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id),
            "name": self.name,
            "last_message_id": str(last) if last else None,
            "rate_limit_per_user": self.rate_limit_per_user,
            "message_count": self.message_count,
            "member_count": min(len(self.thread_members), THREAD_MEMBER_COUNT_CAP),
            "total_message_sent": self.total_message_sent,
            "thread_metadata": metadata.payload(),
            "flags": 0,
        }

    def payload(self) -> dict[str, Any]:
        if self.is_thread:
            return self._thread_payload()
        last = self.message_ids[-1] if self.message_ids else None
        if self.is_dm:
            recipient = self._state.users[self.recipient_id] if self.recipient_id is not None else None
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": str(last) if last else None,
                "recipients": [recipient.payload()] if recipient else [],
                "flags": 0,
            }
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [o.payload() for o in self.overwrites.values()],
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "topic": self.topic,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": str(last) if last else None,
            "flags": 0,
        }


@dataclass(eq=False)
class Guild:
    """A server.  Tests build their world through its methods."""

    _state: EmulatorState = field(repr=False)
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    bot_present: bool = True
    #: Unavailable when the bot connects (an outage): READY lists it, the backfill sends GUILD_DELETE
    #: marked unavailable, and its GUILD_CREATE waits for ``DiscordEmulator.guild_becomes_available``.
    arrives_late: bool = False
    created_at: float = 0.0
    #: Where Discord posts join messages, and where bots greet a server (None: the server has none).
    system_channel_id: int | None = None

    # -- building the world ---------------------------------------------------------------------

    def add_text_channel(
        self,
        name: str,
        *,
        bot_allow: Any = 0,
        bot_deny: Any = 0,
        everyone_allow: Any = 0,
        everyone_deny: Any = 0,
        overwrites: Mapping[User | Role, tuple[Any, Any]] | None = None,
        topic: str | None = None,
        category: Channel | None = None,
    ) -> Channel:
        """Create a text channel; ``bot_allow``/``bot_deny`` become a member overwrite for the bot."""
        table: dict[int, Overwrite] = {}
        if everyone_allow or everyone_deny:
            table[self.id] = Overwrite(
                self.id, OVERWRITE_ROLE, as_bits(everyone_allow), as_bits(everyone_deny)
            )
        for target, (allow, deny) in (overwrites or {}).items():
            kind = OVERWRITE_ROLE if isinstance(target, Role) else OVERWRITE_MEMBER
            table[target.id] = Overwrite(target.id, kind, as_bits(allow), as_bits(deny))
        if bot_allow or bot_deny:
            bot_id = self._state.bot.id
            table[bot_id] = Overwrite(bot_id, OVERWRITE_MEMBER, as_bits(bot_allow), as_bits(bot_deny))
        return self._state.create_channel(
            self, name, TEXT, overwrites=table, topic=topic, parent_id=category.id if category else None
        )

    def add_category(self, name: str) -> Channel:
        return self._state.create_channel(self, name, CATEGORY, overwrites={})

    def add_role(self, name: str, permissions: Any = 0) -> Role:
        return self._state.create_role(self, name, as_bits(permissions))

    def add_member(
        self,
        user: User | str,
        *,
        admin: bool = False,
        bot: bool = False,
        roles: Iterable[Role] = (),
    ) -> User:
        """Add a member (creating the user from a name); ``admin=True`` grants an Administrator role."""
        return self._state.add_member(self, user, admin=admin, bot=bot, roles=list(roles))

    def remove_member(self, user: User) -> None:
        """A member leaves (or is kicked). Bots without the members intent get no event; fetching the
        member afterwards answers 404 Unknown Member, as on Discord."""
        del self.members[user.id]
        self._state.notify()

    def delete_channel(self, channel: Channel) -> None:
        """Delete a channel (CHANNEL_DELETE; its threads go with it) or a thread (THREAD_DELETE)."""
        self._state.delete_channel(channel)

    # -- reading --------------------------------------------------------------------------------

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    @property
    def channels(self) -> list[Channel]:
        return [
            self._state.channels[cid] for cid in self.channel_ids if not self._state.channels[cid].deleted
        ]

    def channel(self, name: str) -> Channel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)

    @property
    def threads(self) -> list[Channel]:
        """Active (not archived) threads in the server, oldest first; not part of ``channels``,
        as on Discord, where listing a server's channels leaves threads out."""
        return [
            c
            for c in self._state.channels.values()
            if c.is_thread
            and c.guild_id == self.id
            and not c.deleted
            and not (c.thread_metadata and c.thread_metadata.archived)
        ]

    def role(self, name: str) -> Role:
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(name)

    def base_permissions(self, user_id: int) -> int:
        member = self.members.get(user_id)
        if member is None:
            return 0
        return base_permissions(
            is_owner=user_id == self.owner_id,
            everyone=self.everyone.permissions,
            role_permissions=(self.roles[r].permissions for r in member.role_ids if r in self.roles),
        )

    def member_payload(self, user_id: int, *, channel: Channel | None = None) -> dict[str, Any]:
        """The guild member object; with ``channel`` it carries the computed ``permissions``."""
        member = self.members[user_id]
        data: dict[str, Any] = {
            "user": self._state.users[user_id].payload(),
            "nick": member.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in member.role_ids if r != self.id],
            "joined_at": iso_timestamp(member.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if channel is not None:
            data["permissions"] = str(channel.permissions_for(user_id))
        return data

    def _visible_threads_payload(self) -> list[dict[str, Any]]:
        """GUILD_CREATE's ``threads``: the active threads the bot can view, each with the bot's
        thread member object (without ids) if it joined."""
        bot_id = self._state.bot.id
        return [
            t.payload_for(bot_id, member_ids=False)
            for t in self.threads
            if t.permissions_for(bot_id) & _VIEW_CHANNEL
        ]

    def payload(self, *, full: bool, include_all_members: bool = True) -> dict[str, Any]:
        """Guild object; ``full`` adds the GUILD_CREATE-only fields (channels, threads, members...)."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None if self.system_channel_id is None else str(self.system_channel_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }
        if full:
            member_ids = list(self.members) if include_all_members else [self._state.bot.id]
            data.update(
                {
                    "joined_at": iso_timestamp(self.members[self._state.bot.id].joined_at),
                    "large": False,
                    "member_count": len(self.members),
                    "members": [self.member_payload(uid) for uid in member_ids if uid in self.members],
                    "channels": [c.payload() for c in self.channels],
                    "threads": self._visible_threads_payload(),
                    "presences": [],
                    "voice_states": [],
                    "stage_instances": [],
                    "guild_scheduled_events": [],
                    "soundboard_sounds": [],
                }
            )
        return data


@dataclass(eq=False)
class Attachment:
    """A file attached to a message, kept as bytes so tests can read what the bot uploaded."""

    id: int
    filename: str
    content_type: str
    data: bytes = field(repr=False)
    url: str
    description: str | None = None
    ephemeral: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    def text(self, encoding: str = "utf-8") -> str:
        return self.data.decode(encoding)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
        }
        if self.description is not None:
            data["description"] = self.description
        if self.ephemeral:
            data["ephemeral"] = True
        return data


def iter_components(components: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Every component, depth first (action rows, containers and section accessories included)."""
    for component in components:
        yield component
        yield from iter_components(component.get("components") or [])
        accessory = component.get("accessory")
        if isinstance(accessory, Mapping):
            yield accessory


@dataclass(eq=False)
class Message:
    """A message as stored by the emulator; the same object is updated by edits and reactions."""

    _state: EmulatorState = field(repr=False)
    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    attachments: list[Attachment] = field(default_factory=list)
    #: emoji key -> user ids in the order they reacted
    # emoji key -> the users who reacted, in order (a dict as an ordered set: crowds react)
    reactions: dict[str, dict[int, None]] = field(default_factory=dict)
    reaction_emoji: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    visible_to: frozenset[int] | None = None
    type: int = 0
    tts: bool = False
    created_at: float = 0.0
    edited_at: float | None = None
    deleted: bool = False
    interaction_id: int | None = None
    webhook_id: int | None = None
    nonce: str | None = None
    message_reference: dict[str, Any] | None = None

    # -- what a user sees -----------------------------------------------------------------------

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True while a deferred response still shows "<bot> is thinking..."."""
        return bool(self.flags & FLAG_LOADING)

    @property
    def author(self) -> User:
        return self._state.users[self.author_id]

    @property
    def channel(self) -> Channel:
        return self._state.channels[self.channel_id]

    @property
    def thread(self) -> Channel | None:
        """The thread started from this message (it has the message's id), or None."""
        channel = self._state.channels.get(self.id)
        if channel is None or channel.deleted or not channel.is_thread:
            return None
        return channel if channel.parent_id == self.channel_id else None

    @property
    def embed(self) -> dict[str, Any] | None:
        return self.embeds[0] if self.embeds else None

    @property
    def text(self) -> str:
        """Content plus every embed's visible text, for loose assertions."""
        parts = [self.content]
        for embed in self.embeds:
            parts.extend(str(embed.get(k, "")) for k in ("title", "description"))
            for fld in embed.get("fields", []):
                parts.extend((str(fld.get("name", "")), str(fld.get("value", ""))))
            parts.append(str((embed.get("footer") or {}).get("text", "")))
            parts.append(str((embed.get("author") or {}).get("name", "")))
        return "\n".join(p for p in parts if p)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [dict(c) for c in iter_components(self.components) if c.get("type") == BUTTON]

    @property
    def selects(self) -> list[dict[str, Any]]:
        return [dict(c) for c in iter_components(self.components) if c.get("type") in SELECT_TYPES]

    def button(self, label: str | None = None, *, custom_id: str | None = None) -> dict[str, Any]:
        """The button with this label or custom_id; fails the test with the choices otherwise."""
        for button in self.buttons:
            if (label is not None and button.get("label") == label) or (
                custom_id is not None and button.get("custom_id") == custom_id
            ):
                return button
        available = [b.get("label") or b.get("custom_id") for b in self.buttons]
        raise AssertionError(f"no button {label or custom_id!r} on message {self.id}; buttons: {available}")

    def reaction_users(self, emoji: str) -> list[int]:
        return list(self.reactions.get(emoji, []))

    def reaction_count(self, emoji: str) -> int:
        return len(self.reactions.get(emoji, []))

    def is_visible_to(self, user: User | int) -> bool:
        """Whether this user can see the message (ephemeral messages only to their user)."""
        user_id = user if isinstance(user, int) else user.id
        if self.deleted:
            return False
        if self.visible_to is not None:
            return user_id in self.visible_to
        return bool(self.channel.permissions_for(user_id) & _VIEW_CHANNEL)

    # -- serialisation --------------------------------------------------------------------------

    def reactions_payload(self, viewer_id: int) -> list[dict[str, Any]]:
        return [
            {
                "emoji": self.reaction_emoji[key],
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "burst_colors": [],
                "me": viewer_id in users,
                "me_burst": False,
                "burst_count": 0,
            }
            for key, users in self.reactions.items()
            if users
        ]

    def mentioned_user_ids(self) -> list[int]:
        found: list[int] = []
        for uid in self._state.mention_ids(self.content):
            if uid in self._state.users and uid not in found:
                found.append(uid)
        return found

    def payload(self, *, viewer_id: int | None = None, gateway: bool = False) -> dict[str, Any]:
        """The message object; ``gateway`` adds ``guild_id``/``member`` as MESSAGE_CREATE does."""
        viewer = self._state.bot.id if viewer_id is None else viewer_id
        thread = self.thread
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "channel_id": str(self.channel_id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": iso_timestamp(self.created_at),
            "edited_timestamp": iso_timestamp(self.edited_at) if self.edited_at else None,
            "tts": self.tts,
            "mention_everyone": False,
            "mentions": [self._state.users[uid].payload() for uid in self.mentioned_user_ids()],
            "mention_roles": [str(r) for r in self._state.role_mention_ids(self.content)],
            "attachments": [a.payload() for a in self.attachments],
            "embeds": [dict(e) for e in self.embeds],
            "components": [dict(c) for c in self.components],
            "pinned": False,
            # HAS_THREAD is Discord's to set, so an edit that sends ``flags`` cannot clear it.
            "flags": (self.flags | FLAG_HAS_THREAD) if thread is not None else self.flags,
        }
        if thread is not None:
            data["thread"] = thread.payload_for(viewer)
        reactions = self.reactions_payload(viewer)
        if reactions:
            data["reactions"] = reactions
        if self.nonce is not None:
            data["nonce"] = self.nonce
        if self.message_reference is not None:
            data["message_reference"] = self.message_reference
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
            data["application_id"] = str(self._state.application_id)
        if self.interaction_id is not None:
            record = self._state.interactions.get(self.interaction_id)
            if record is not None:
                data["interaction_metadata"] = record.metadata_payload()
                if record.command_name:
                    data["interaction"] = {
                        "id": str(record.id),
                        "type": record.type,
                        "name": record.command_name,
                        "user": self._state.users[record.user_id].payload(),
                    }
        if gateway and self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
            guild = self._state.guilds.get(self.guild_id)
            if guild is not None and self.author_id in guild.members:
                member = guild.member_payload(self.author_id)
                member.pop("user")
                data["member"] = member
        return data
