"""A local Discord API emulator for end-to-end tests with the real discord.py client.

See :class:`DiscordEmulator` for the entry point, :class:`RateLimits` for rate-limit
configuration, and :mod:`.client` for pointing discord.py at a running emulator.
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
