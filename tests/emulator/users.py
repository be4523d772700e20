"""What a human user can do in the Discord client, as test-side methods.

Each action first checks what Discord's client would allow (seeing the channel, the button not
being disabled, the command being synced and permitted...) and fails the test with an
``AssertionError`` otherwise; then it produces exactly the gateway traffic Discord would send
the bot.  Mixed into :class:`~.models.User`, so ``alice = guild.add_member("alice")`` is the
thing tests act through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .commands import build_command_data
from .emoji import parse_emoji
from .errors import ApiError, InteractionFailed
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionResult,
    InteractionService,
    ModalPrompt,
)
from .models import (
    AUTO_ARCHIVE_DURATIONS,
    DEFAULT_AUTO_ARCHIVE_DURATION,
    TEXT,
    BaseUser,
    Channel,
    Guild,
    Member,
    Message,
    Role,
)
from .permissions import Perm, has, send_permission
from .validation import THREAD_NAME_MAX

MAX_REACTIONS = 20
_ADD_REACTIONS = int(Perm.ADD_REACTIONS)
_SEE_HISTORY = int(Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY)
SELECT_TYPES = {3, 5, 6, 7, 8}


def _emoji_key(emoji: str) -> tuple[str, dict[str, Any]]:
    try:
        return parse_emoji(emoji)
    except ApiError:
        raise AssertionError(f"{emoji!r} is not an emoji a user could react with") from None


@dataclass(eq=False)
class User(BaseUser):
    """A user: its data plus everything a human can do in the client.

    ``guild.add_member("alice")`` returns one; tests act through it.
    """

    # -- helpers ----------------------------------------------------------------------------------

    @property
    def _service(self) -> InteractionService:
        service = self._state.interaction_service
        if service is None:
            raise RuntimeError("the emulator is not running")
        return service

    def _require_visible(self, message: Message) -> None:
        if message.deleted:
            raise AssertionError(f"message {message.id} was deleted")
        if not message.is_visible_to(self.id):
            raise AssertionError(f"{self.name} cannot see message {message.id}")

    def _require_in_channel(self, channel: Channel, needed: int = int(Perm.VIEW_CHANNEL)) -> None:
        if channel.deleted:
            raise AssertionError(f"#{channel.name} was deleted")
        if channel.is_dm:
            if channel.recipient_id != self.id:
                raise AssertionError(f"{self.name} is not part of DM channel {channel.id}")
            return
        perms = channel.permissions_for(self.id)
        if not has(perms, needed):
            missing = Perm(needed & ~perms) if not perms & Perm.ADMINISTRATOR else Perm(0)
            raise AssertionError(f"{self.name} lacks {missing!r} in #{channel.name}")

    # -- identity -------------------------------------------------------------------------------

    @property
    def dm_channel(self) -> Channel:
        """The DM channel between this user and the bot."""
        return self._state.dm_channel_for(self)

    def member_of(self, guild: Guild) -> Member:
        return guild.members[self.id]

    def add_role(self, guild: Guild, role: Role) -> None:
        member = guild.members[self.id]
        if role.id not in member.role_ids:
            member.role_ids.append(role.id)
            self._state.notify()

    # -- messages and reactions ---------------------------------------------------------------------

    async def send(self, channel: Channel, content: str) -> Message:
        """Post a message as this user (the bot receives MESSAGE_CREATE).

        ``channel`` may be a thread: posting there takes Send Messages in Threads, and joins it.
        """
        needed = int(Perm.VIEW_CHANNEL) | send_permission(in_thread=channel.is_thread)
        self._require_in_channel(channel, needed)
        if not content:
            raise AssertionError("the client does not send empty messages")
        return self._state.create_message(channel, self.id, content=content)

    async def start_thread(
        self, message: Message, name: str, *, auto_archive_duration: int = DEFAULT_AUTO_ARCHIVE_DURATION
    ) -> Channel:
        """Start a public thread from a message, as "Create Thread" on it does (THREAD_CREATE)."""
        self._require_visible(message)
        channel = message.channel
        if message.ephemeral or channel.type != TEXT:
            raise AssertionError(f"the client offers no thread on message {message.id}")
        if message.id in self._state.channels:  # a thread takes its message's id for good
            raise AssertionError(f"message {message.id} already has a thread")
        if not 1 <= len(name) <= THREAD_NAME_MAX:
            raise AssertionError(f"a thread name takes 1..{THREAD_NAME_MAX} characters, got {len(name)}")
        if auto_archive_duration not in AUTO_ARCHIVE_DURATIONS:
            raise AssertionError(f"auto_archive_duration must be one of {AUTO_ARCHIVE_DURATIONS}")
        self._require_in_channel(channel, int(Perm.VIEW_CHANNEL | Perm.CREATE_PUBLIC_THREADS))
        return self._state.start_thread(
            message, self.id, name=name, auto_archive_duration=auto_archive_duration
        )

    async def react(self, message: Message, emoji: str) -> None:
        """Add a reaction, as clicking the emoji under a message does."""
        self._require_visible(message)
        if message.ephemeral:
            raise AssertionError("ephemeral messages cannot be reacted to")
        key, payload = _emoji_key(emoji)
        channel = message.channel
        needed = _SEE_HISTORY
        if not message.reactions.get(key):
            needed |= _ADD_REACTIONS
            if len([k for k, v in message.reactions.items() if v]) >= MAX_REACTIONS:
                raise AssertionError("the message already has 20 different reactions")
        self._require_in_channel(channel, needed)
        self._state.add_reaction(message, self.id, key, payload)

    async def unreact(self, message: Message, emoji: str) -> None:
        """Remove this user's reaction."""
        self._require_visible(message)
        key, _ = _emoji_key(emoji)
        if self.id not in message.reactions.get(key, []):
            raise AssertionError(f"{self.name} has not reacted with {emoji} on message {message.id}")
        self._state.remove_reaction(message, self.id, key)

    # -- interactions -----------------------------------------------------------------------------

    async def run_command(
        self, command: str, *, channel: Channel, options: Mapping[str, Any] | None = None
    ) -> InteractionResult:
        """Invoke a synced slash command (``"mock start"`` for subcommands) with ``options``."""
        self._require_in_channel(channel)
        data, name = build_command_data(
            self._state, user=self, channel=channel, invocation=command, options=options or {}
        )
        record = self._service.create(
            user=self, channel=channel, kind=APPLICATION_COMMAND, data=data, command_name=name
        )
        return InteractionResult(self._service, record)

    async def autocomplete(
        self,
        command: str,
        *,
        channel: Channel,
        focused: str,
        value: str = "",
        options: Mapping[str, Any] | None = None,
        timeout: float = 3.0,
    ) -> list[dict[str, Any]]:
        """Type ``value`` into the autocomplete option ``focused``; returns the choices offered."""
        self._require_in_channel(channel)
        data, name = build_command_data(
            self._state,
            user=self,
            channel=channel,
            invocation=command,
            options=options or {},
            focused=focused,
            focused_value=value,
        )
        record = self._service.create(
            user=self, channel=channel, kind=AUTOCOMPLETE, data=data, command_name=name
        )

        def probe() -> list[dict[str, Any]] | None:
            if record.failure is not None and record.choices is None:
                raise InteractionFailed(f"Loading options failed ({record.failure})")
            return record.choices

        return await self._state.signal.wait_for(probe, timeout, f"autocomplete choices for {focused!r}")

    def _component_interaction(self, message: Message, data: dict[str, Any]) -> InteractionResult:
        record = self._service.create(
            user=self, channel=message.channel, kind=MESSAGE_COMPONENT, data=data, message=message
        )
        return InteractionResult(self._service, record)

    async def click(
        self, message: Message, label: str | None = None, *, custom_id: str | None = None
    ) -> InteractionResult:
        """Click a button identified by its label or custom_id."""
        self._require_visible(message)
        if label is None and custom_id is None:
            raise TypeError("click() needs a label or a custom_id")
        button = message.button(label, custom_id=custom_id)
        if button.get("disabled"):
            raise AssertionError(f"button {label or custom_id!r} is disabled")
        if button.get("style") in (5, 6):
            raise AssertionError(f"button {label or custom_id!r} does not send an interaction")
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return self._component_interaction(message, data)

    async def select(self, message: Message, custom_id: str, values: Sequence[Any]) -> InteractionResult:
        """Pick ``values`` in the select menu ``custom_id`` (option values, or users/roles/channels)."""
        self._require_visible(message)
        for select in message.selects:
            if select.get("custom_id") == custom_id:
                break
        else:
            raise AssertionError(f"no select menu {custom_id!r} on message {message.id}")
        if select.get("disabled"):
            raise AssertionError(f"select menu {custom_id!r} is disabled")
        low, high = select.get("min_values", 1), select.get("max_values", 1)
        if not low <= len(values) <= high:
            raise AssertionError(f"select menu {custom_id!r} takes {low}..{high} values, got {len(values)}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": select["type"]}
        if select["type"] == 3:
            offered = [o["value"] for o in select.get("options", [])]
            for value in values:
                if value not in offered:
                    raise AssertionError(f"{value!r} is not an option of {custom_id!r}; options: {offered}")
            data["values"] = list(values)
        else:
            data["values"] = [str(getattr(v, "id", v)) for v in values]
            data["resolved"] = self._resolve_entities(message.channel, values)
        return self._component_interaction(message, data)

    def _resolve_entities(self, channel: Channel, values: Sequence[Any]) -> dict[str, Any]:
        resolved: dict[str, dict[str, Any]] = {}
        guild = channel.guild
        for value in values:
            if isinstance(value, BaseUser):
                resolved.setdefault("users", {})[str(value.id)] = value.payload()
                if guild is not None and value.id in guild.members:
                    member = guild.member_payload(value.id, channel=channel)
                    member.pop("user")
                    resolved.setdefault("members", {})[str(value.id)] = member
            elif isinstance(value, Role):
                resolved.setdefault("roles", {})[str(value.id)] = value.payload()
            elif isinstance(value, Channel):
                data = value.payload()
                data["permissions"] = str(value.permissions_for(self.id))
                resolved.setdefault("channels", {})[str(value.id)] = data
        return resolved

    async def submit_modal(
        self, modal: ModalPrompt | InteractionResult, values: Mapping[str, str], *, timeout: float = 3.0
    ) -> InteractionResult:
        """Fill in and submit a modal the bot opened; ``values`` maps text-input custom_id to text."""
        prompt = await modal.modal(timeout) if isinstance(modal, InteractionResult) else modal
        origin = self._state.interactions[prompt.interaction_id]
        channel = self._state.channels[origin.channel_id]

        def fill(component: Mapping[str, Any]) -> dict[str, Any] | None:
            kind = component.get("type")
            if kind == 1:
                inner = [x for x in (fill(c) for c in component.get("components", [])) if x is not None]
                return {"type": 1, "components": inner}
            if kind == 18:
                inner_component = fill(component.get("component", {}))
                return {"type": 18, "component": inner_component} if inner_component is not None else None
            if kind == 4:
                custom_id = component["custom_id"]
                if custom_id not in values and component.get("required", True):
                    raise AssertionError(f"modal field {custom_id!r} is required")
                return {"type": 4, "custom_id": custom_id, "value": values.get(custom_id, "")}
            return None

        components = [x for x in (fill(c) for c in prompt.components) if x is not None]
        data = {"custom_id": prompt.custom_id, "components": components}
        source = self._state.messages.get(origin.source_message_id or 0)
        record = self._service.create(
            user=self, channel=channel, kind=MODAL_SUBMIT, data=data, message=source
        )
        return InteractionResult(self._service, record)
