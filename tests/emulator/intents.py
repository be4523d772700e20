"""Gateway intent bits and which events each one gates.

Values and the privileged set are those of the "Gateway Intents" list in Discord's Gateway
documentation.  The emulator only dispatches an event to a session that identified with the
intent the event belongs to, so a bot that forgets an intent sees the same silence it would see
on Discord.
"""

from __future__ import annotations

import enum


class Intent(enum.IntFlag):
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MODERATION = 1 << 2
    GUILD_EXPRESSIONS = 1 << 3
    GUILD_INTEGRATIONS = 1 << 4
    GUILD_WEBHOOKS = 1 << 5
    GUILD_INVITES = 1 << 6
    GUILD_VOICE_STATES = 1 << 7
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    GUILD_MESSAGE_TYPING = 1 << 11
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    DIRECT_MESSAGE_TYPING = 1 << 14
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16
    AUTO_MODERATION_CONFIGURATION = 1 << 20
    AUTO_MODERATION_EXECUTION = 1 << 21
    GUILD_MESSAGE_POLLS = 1 << 24
    DIRECT_MESSAGE_POLLS = 1 << 25


ALL_INTENTS = 0
for _flag in Intent:
    ALL_INTENTS |= int(_flag)

PRIVILEGED = int(Intent.GUILD_MEMBERS | Intent.GUILD_PRESENCES | Intent.MESSAGE_CONTENT)

#: Application flags Discord sets when a privileged intent is enabled for an app in under
#: 100 servers (the ``*_LIMITED`` variants), reported in READY's ``application.flags``.
APP_FLAG_FOR_INTENT = {
    int(Intent.GUILD_PRESENCES): 1 << 13,
    int(Intent.GUILD_MEMBERS): 1 << 15,
    int(Intent.MESSAGE_CONTENT): 1 << 19,
}

#: Intent required for each dispatched event when it happens in a guild / in a DM.
#: ``None`` means the event is always delivered.
GUILD_EVENT_INTENT: dict[str, int | None] = {
    "GUILD_CREATE": int(Intent.GUILDS),
    "GUILD_UPDATE": int(Intent.GUILDS),
    "GUILD_DELETE": int(Intent.GUILDS),
    "CHANNEL_CREATE": int(Intent.GUILDS),
    "CHANNEL_UPDATE": int(Intent.GUILDS),
    "CHANNEL_DELETE": int(Intent.GUILDS),
    "GUILD_ROLE_CREATE": int(Intent.GUILDS),
    "THREAD_CREATE": int(Intent.GUILDS),
    "THREAD_UPDATE": int(Intent.GUILDS),
    "THREAD_DELETE": int(Intent.GUILDS),
    # Only about the bot itself here; other users' thread joins would need GUILD_MEMBERS.
    "THREAD_MEMBERS_UPDATE": int(Intent.GUILDS),
    "GUILD_MEMBER_ADD": int(Intent.GUILD_MEMBERS),
    "GUILD_MEMBER_REMOVE": int(Intent.GUILD_MEMBERS),
    "MESSAGE_CREATE": int(Intent.GUILD_MESSAGES),
    "MESSAGE_UPDATE": int(Intent.GUILD_MESSAGES),
    "MESSAGE_DELETE": int(Intent.GUILD_MESSAGES),
    "MESSAGE_REACTION_ADD": int(Intent.GUILD_MESSAGE_REACTIONS),
    "MESSAGE_REACTION_REMOVE": int(Intent.GUILD_MESSAGE_REACTIONS),
    "INTERACTION_CREATE": None,
}
DM_EVENT_INTENT: dict[str, int | None] = {
    "CHANNEL_CREATE": None,
    "MESSAGE_CREATE": int(Intent.DIRECT_MESSAGES),
    "MESSAGE_UPDATE": int(Intent.DIRECT_MESSAGES),
    "MESSAGE_DELETE": int(Intent.DIRECT_MESSAGES),
    "MESSAGE_REACTION_ADD": int(Intent.DIRECT_MESSAGE_REACTIONS),
    "MESSAGE_REACTION_REMOVE": int(Intent.DIRECT_MESSAGE_REACTIONS),
    "INTERACTION_CREATE": None,
}


def required_intent(event: str, *, in_guild: bool) -> int | None:
    """The intent bit an event needs, or None if it is always sent."""
    table = GUILD_EVENT_INTENT if in_guild else DM_EVENT_INTENT
    return table.get(event)
