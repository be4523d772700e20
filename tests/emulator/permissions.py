"""Permission bits and Discord's channel-permission algorithm.

The algorithm is the pseudocode of the "Permission Overwrites" and "Implicit Permissions"
sections of Discord's Permissions documentation: base permissions from @everyone and the
member's roles (Administrator short-circuits to everything), then @everyone, role and member
overwrites in that order, then the implicit denials (no View Channel means nothing; no Send
Messages drops the send-dependent permissions).  Threads follow "Inherited Permissions
(Threads)": they take the parent channel's permissions, but Send Messages has no effect there;
Send Messages in Threads is what posting needs, so it is also what the send-dependent permissions
hang on.  Computing this server-side is what lets the emulator answer 50001/50013 exactly where
Discord would.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class Perm(enum.IntFlag):
    """Permission bits by their Discord names."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    REQUEST_TO_SPEAK = 1 << 32
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38
    USE_EMBEDDED_ACTIVITIES = 1 << 39
    MODERATE_MEMBERS = 1 << 40
    VIEW_CREATOR_MONETIZATION_ANALYTICS = 1 << 41
    USE_SOUNDBOARD = 1 << 42
    CREATE_GUILD_EXPRESSIONS = 1 << 43
    CREATE_EVENTS = 1 << 44
    USE_EXTERNAL_SOUNDS = 1 << 45
    SEND_VOICE_MESSAGES = 1 << 46
    SEND_POLLS = 1 << 49
    USE_EXTERNAL_APPS = 1 << 50


ALL_PERMISSIONS = 0
for _flag in Perm:
    ALL_PERMISSIONS |= int(_flag)

#: What @everyone gets in a freshly created server: read, write and react in text channels.
DEFAULT_EVERYONE = int(
    Perm.CREATE_INSTANT_INVITE
    | Perm.CHANGE_NICKNAME
    | Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.SEND_MESSAGES_IN_THREADS
    | Perm.CREATE_PUBLIC_THREADS
    | Perm.CREATE_PRIVATE_THREADS
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.ADD_REACTIONS
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.USE_EXTERNAL_STICKERS
    | Perm.READ_MESSAGE_HISTORY
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.CONNECT
    | Perm.SPEAK
    | Perm.USE_VAD
    | Perm.STREAM
    | Perm.SEND_VOICE_MESSAGES
    | Perm.SEND_POLLS
    | Perm.USE_EXTERNAL_APPS
)

#: Permissions that depend on Send Messages in text channels ("Implicit Permissions").
# Plain ints for the checks every event makes: an int combined with an IntFlag member goes through
# enum's slow operators.
_ADMINISTRATOR = int(Perm.ADMINISTRATOR)
_VIEW_CHANNEL = int(Perm.VIEW_CHANNEL)
_SEND_MESSAGES = int(Perm.SEND_MESSAGES)
_SEND_MESSAGES_IN_THREADS = int(Perm.SEND_MESSAGES_IN_THREADS)
_SEND_DEPENDENT = int(Perm.MENTION_EVERYONE | Perm.SEND_TTS_MESSAGES | Perm.ATTACH_FILES | Perm.EMBED_LINKS)

#: Server-wide permissions that are not about a channel, so no channel overwrite removes them.
GUILD_ONLY = int(
    Perm.KICK_MEMBERS
    | Perm.BAN_MEMBERS
    | Perm.ADMINISTRATOR
    | Perm.MANAGE_GUILD
    | Perm.VIEW_AUDIT_LOG
    | Perm.VIEW_GUILD_INSIGHTS
    | Perm.CHANGE_NICKNAME
    | Perm.MANAGE_NICKNAMES
    | Perm.MANAGE_GUILD_EXPRESSIONS
    | Perm.MODERATE_MEMBERS
    | Perm.VIEW_CREATOR_MONETIZATION_ANALYTICS
    | Perm.CREATE_GUILD_EXPRESSIONS
)

OVERWRITE_ROLE = 0
OVERWRITE_MEMBER = 1


def as_bits(value: Any) -> int:
    """Accept an int, a :class:`Perm`, or anything with an integer ``.value`` (discord.Permissions)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return int(value)
    inner = getattr(value, "value", None)
    if isinstance(inner, int):
        return inner
    raise TypeError(f"cannot read permission bits from {value!r}")


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


def base_permissions(*, is_owner: bool, everyone: int, role_permissions: Iterable[int]) -> int:
    """Guild-level permissions: owner and Administrator get everything."""
    if is_owner:
        return ALL_PERMISSIONS
    perms = everyone
    for value in role_permissions:
        perms |= value
    if perms & _ADMINISTRATOR:
        return ALL_PERMISSIONS
    return perms


def channel_permissions(
    base: int,
    *,
    guild_id: int,
    member_id: int,
    role_ids: Iterable[int],
    overwrites: Mapping[int, Overwrite],
    in_thread: bool = False,
) -> int:
    """Apply overwrites in Discord's order, then the implicit denials.

    ``in_thread`` computes a thread's permissions from its parent's ``overwrites``: there the
    send-dependent permissions follow Send Messages in Threads instead of Send Messages.
    """
    if base & _ADMINISTRATOR:
        return ALL_PERMISSIONS
    perms = base
    everyone = overwrites.get(guild_id)
    if everyone is not None:
        perms &= ~everyone.deny
        perms |= everyone.allow
    allow = deny = 0
    for role_id in role_ids:
        overwrite = overwrites.get(role_id)
        if overwrite is not None and overwrite.type == OVERWRITE_ROLE:
            allow |= overwrite.allow
            deny |= overwrite.deny
    perms &= ~deny
    perms |= allow
    member = overwrites.get(member_id)
    if member is not None and member.type == OVERWRITE_MEMBER:
        perms &= ~member.deny
        perms |= member.allow
    if not perms & _VIEW_CHANNEL:
        return perms & GUILD_ONLY
    if not perms & (_SEND_MESSAGES_IN_THREADS if in_thread else _SEND_MESSAGES):
        perms &= ~_SEND_DEPENDENT
    return perms


def send_permission(*, in_thread: bool) -> int:
    """The permission posting a message needs: Send Messages, or Send Messages in Threads."""
    return _SEND_MESSAGES_IN_THREADS if in_thread else _SEND_MESSAGES


def has(perms: int, needed: int) -> bool:
    """True when every bit of ``needed`` is present (Administrator implies all)."""
    return bool(perms & _ADMINISTRATOR) or perms & needed == needed
