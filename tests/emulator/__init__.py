"""A local Discord API emulator for end-to-end tests with the real discord.py client.

Quick tour::

    async with DiscordEmulator(rate_limits=RateLimits.relaxed()) as emu:
        guild = emu.add_guild("Study Group")                 # @everyone, bot member and role
        channel = guild.add_text_channel("daily", bot_deny=Perm.ADD_REACTIONS)
        alice = guild.add_member("alice", admin=True)         # a User with user-side actions
        async with ClientLauncher(emu) as launch:             # tests.emulator.client
            bot = await launch(make_bot())                     # real discord.py, pointed at emu
            await bot.tree.sync()
            result = await alice.run_command("mock start", channel=channel, options={"questions": 10})
            reply = await result.response()                   # follows deferrals; raises InteractionFailed
            await alice.click(reply, "Next")
            await alice.react(reply, "🇦")

Threads are channels: ``message.thread`` is the thread the bot (``Message.create_thread``) or a
user (``alice.start_thread(message, "Discuss")``) started on it, ``channel.threads`` lists them,
and ``alice.send(thread, "...")`` posts in one.

Modules: ``server`` (the facade), ``gateway`` (websocket), ``rest`` + ``api_channels`` +
``api_apps`` (HTTP routes), ``state``/``models`` (the world), ``interactions`` (deadlines,
callbacks, webhooks), ``commands`` (user input against synced commands), ``users`` (user-side
actions), ``validation`` (Discord's limits), ``permissions``, ``intents``, ``limits`` (rate
limits and the request log), ``client`` (running discord.py against the emulator).
"""

from .errors import ApiError, InteractionFailed
from .gateway import IdentifyRecord
from .intents import Intent
from .interactions import InteractionRecord, InteractionResult, ModalPrompt
from .limits import RateLimits, RequestRecord, RouteLimit
from .models import Attachment, Channel, Guild, Message, Role
from .permissions import Perm
from .server import DiscordEmulator
from .users import User

__all__ = [
    "ApiError",
    "Attachment",
    "Channel",
    "DiscordEmulator",
    "Guild",
    "IdentifyRecord",
    "Intent",
    "InteractionFailed",
    "InteractionRecord",
    "InteractionResult",
    "Message",
    "ModalPrompt",
    "Perm",
    "RateLimits",
    "RequestRecord",
    "Role",
    "RouteLimit",
    "User",
]
