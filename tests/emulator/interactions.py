"""Interaction lifecycle: creation, the 3-second deadline, callbacks, and the token's webhooks.

Rules implemented (Discord docs, "Receiving and Responding"):
- the initial response must arrive within 3 s, otherwise the token is invalidated; the user
  then sees "This interaction failed" and a late callback gets 404 10062 Unknown interaction;
- a second initial response gets 400 40060 "Interaction has already been acknowledged";
- tokens live 15 minutes: afterwards webhook calls get 401 50027 "Invalid Webhook Token";
- a follow-up sent right after a DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE edits the loading
  message instead of creating a new one;
- ``with_response`` returns the interaction callback response object.
Deadlines read the emulator clock, so ``advance_clock`` crosses them without sleeping.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .compose import (
    ATTACHMENT_SIZE_LIMIT,
    INTERACTION_MESSAGE_FLAGS,
    Upload,
    build_attachments,
    message_fields,
)
from .errors import (
    ApiError,
    FormErrors,
    InteractionFailed,
    already_acknowledged,
    invalid_form_body,
    invalid_webhook_token,
    unknown_interaction,
    unknown_message,
    unknown_webhook,
)
from .models import FLAG_EPHEMERAL, FLAG_LOADING, Channel, Message
from .validation import validate_autocomplete_choices, validate_message

if TYPE_CHECKING:
    from .state import EmulatorState
    from .users import User

APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9

#: Which callback types each interaction type accepts.
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {
        CHANNEL_MESSAGE,
        DEFERRED_CHANNEL_MESSAGE,
        DEFERRED_UPDATE_MESSAGE,
        UPDATE_MESSAGE,
        MODAL,
    },
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE},
}

MESSAGE_TYPE_DEFAULT = 0
MESSAGE_TYPE_CHAT_INPUT_COMMAND = 20


@dataclass
class ModalPrompt:
    """A modal the bot opened for the user (callback type 9)."""

    custom_id: str
    title: str
    components: list[dict[str, Any]]
    interaction_id: int


@dataclass(eq=False)
class InteractionRecord:
    """Everything the emulator knows about one interaction."""

    id: int
    token: str
    type: int
    user_id: int
    guild_id: int | None
    channel_id: int
    created_at: float
    payload: dict[str, Any] = field(repr=False)
    command_name: str | None = None
    source_message_id: int | None = None
    response_type: int | None = None
    original_message_id: int | None = None
    original_edited: bool = False
    followup_ids: list[int] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: ModalPrompt | None = None
    failure: str | None = None
    #: emulator clock when INTERACTION_CREATE was handed to the gateway
    dispatched_at: float | None = None
    #: emulator clock when the first callback for this interaction arrived (accepted or not)
    responded_at: float | None = None

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None

    @property
    def response_latency(self) -> float | None:
        """Seconds from sending INTERACTION_CREATE to receiving the first response, if there was one."""
        if self.dispatched_at is None or self.responded_at is None:
            return None
        return self.responded_at - self.dispatched_at

    def metadata_payload(self) -> dict[str, Any]:
        owners = {"0": str(self.guild_id)} if self.guild_id is not None else {"1": str(self.user_id)}
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "user": self.payload.get("member", {}).get("user") or self.payload.get("user"),
            "authorizing_integration_owners": owners,
        }
        if self.source_message_id is not None:
            data["interacted_message_id"] = str(self.source_message_id)
        if self.original_message_id is not None and self.original_message_id != self.source_message_id:
            data["original_response_message_id"] = str(self.original_message_id)
        return data


def _bad_callback_type(kind: int) -> ApiError:
    errors = FormErrors()
    errors.add(
        ("type",), "INTERACTION_CALLBACK_TYPE_INVALID", f"Interaction callback type {kind} is not valid here"
    )
    return invalid_form_body(errors.tree)


class InteractionService:
    """Creates interactions for the user-side API and serves the bot's callbacks and webhooks."""

    def __init__(self, state: EmulatorState, *, deadline: float, token_lifetime: float) -> None:
        self.state = state
        self.deadline = deadline
        self.token_lifetime = token_lifetime
        self.failures: list[InteractionRecord] = []
        self.by_token: dict[str, InteractionRecord] = {}
        self._timers: set[asyncio.TimerHandle] = set()

    # -- creation and deadlines -------------------------------------------------------------------

    def create(
        self,
        *,
        user: User,
        channel: Channel,
        kind: int,
        data: dict[str, Any],
        message: Message | None = None,
        command_name: str | None = None,
    ) -> InteractionRecord:
        """Build the INTERACTION_CREATE payload exactly as a client action would, and dispatch it."""
        state = self.state
        interaction_id = state.ids.next()
        token = "interaction." + secrets.token_urlsafe(48)
        guild = channel.guild
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(state.application_id),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "channel_id": str(channel.id),
            "channel": channel.payload(),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "app_permissions": str(channel.permissions_for(state.bot.id)),
        }
        if guild is not None:
            payload["guild_id"] = str(guild.id)
            payload["guild"] = {"id": str(guild.id), "locale": "en-US", "features": []}
            payload["guild_locale"] = "en-US"
            payload["member"] = guild.member_payload(user.id, channel=channel)
            payload["authorizing_integration_owners"] = {"0": str(guild.id)}
            payload["context"] = 0
        else:
            payload["user"] = user.payload()
            payload["authorizing_integration_owners"] = {"0": str(state.application_id)}
            payload["context"] = 1
        if message is not None:
            payload["message"] = message.payload()
        record = InteractionRecord(
            id=interaction_id,
            token=token,
            type=kind,
            user_id=user.id,
            guild_id=guild.id if guild is not None else None,
            channel_id=channel.id,
            created_at=state.clock.now(),
            payload=payload,
            command_name=command_name,
            source_message_id=message.id if message is not None else None,
        )
        state.interactions[interaction_id] = record
        self.by_token[token] = record
        self._schedule_check(record, self.deadline)
        record.dispatched_at = state.clock.now()
        state.sink.dispatch("INTERACTION_CREATE", payload, guild_id=record.guild_id)
        state.notify()
        return record

    def _schedule_check(self, record: InteractionRecord, delay: float) -> None:
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(handle)
            self._check(record)

        handle = loop.call_later(max(0.0, delay), fire)
        self._timers.add(handle)

    def _check(self, record: InteractionRecord) -> None:
        if record.acknowledged or record.failure is not None:
            return
        remaining = record.created_at + self.deadline - self.state.clock.now()
        if remaining <= 0:
            self._fail(record, f"no response within {self.deadline:g} s")
        else:
            self._schedule_check(record, remaining)

    def check_deadlines(self) -> None:
        """Re-evaluate every pending deadline (after the clock was advanced)."""
        for record in list(self.state.interactions.values()):
            self._check(record)

    def _fail(self, record: InteractionRecord, reason: str) -> None:
        if record.failure is None:
            record.failure = reason
            self.failures.append(record)
            self.state.notify()

    def close(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()

    # -- the initial response -----------------------------------------------------------------------

    def callback(
        self,
        interaction_id: int,
        token: str,
        body: Mapping[str, Any],
        uploads: Sequence[Upload],
        *,
        with_response: bool,
    ) -> dict[str, Any] | None:
        """Handle POST /interactions/{id}/{token}/callback; returns the body for with_response."""
        state = self.state
        record = state.interactions.get(interaction_id)
        if record is None or record.token != token:
            raise unknown_interaction()
        if record.responded_at is None:
            record.responded_at = state.clock.now()
        if record.acknowledged:
            raise already_acknowledged()
        if record.failure is not None or state.clock.now() > record.created_at + self.deadline:
            self._fail(record, f"response arrived after the {self.deadline:g} s deadline")
            raise unknown_interaction()
        kind = body.get("type")
        if not isinstance(kind, int) or kind not in ALLOWED_CALLBACKS[record.type]:
            raise _bad_callback_type(kind if isinstance(kind, int) else -1)
        data: Mapping[str, Any] = body.get("data") or {}
        channel = state.channels[record.channel_id]
        message: Message | None = None
        if kind == CHANNEL_MESSAGE:
            validate_message(data, files=len(uploads), creating=True)
            message = self._new_message(record, channel, data, uploads, initial=True)
            record.original_message_id = message.id
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            flags = int(data.get("flags") or 0) & FLAG_EPHEMERAL
            message = state.create_message(
                channel,
                state.bot.id,
                flags=flags | FLAG_LOADING,
                visible_to={record.user_id} if flags else None,
                type=self._message_type(record),
                interaction_id=record.id,
                webhook_id=state.application_id,
            )
            record.original_message_id = message.id
        elif kind in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            if record.source_message_id is None:
                raise _bad_callback_type(kind)
            record.original_message_id = record.source_message_id
            if kind == UPDATE_MESSAGE:
                validate_message(data, files=len(uploads), creating=False)
                message = self._edit(record, state.messages[record.source_message_id], data, uploads)
        elif kind == AUTOCOMPLETE_RESULT:
            record.choices = validate_autocomplete_choices(data)
        elif kind == MODAL:
            record.modal = ModalPrompt(
                custom_id=str(data.get("custom_id", "")),
                title=str(data.get("title", "")),
                components=[dict(c) for c in data.get("components") or []],
                interaction_id=record.id,
            )
        record.response_type = kind
        state.notify()
        if not with_response:
            return None
        info: dict[str, Any] = {"id": str(record.id), "type": record.type}
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE) and message is not None:
            info["response_message_id"] = str(message.id)
            info["response_message_loading"] = message.loading
            info["response_message_ephemeral"] = message.ephemeral
        result: dict[str, Any] = {"interaction": info}
        if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE) and message is not None:
            result["resource"] = {"type": kind, "message": message.payload()}
        else:
            result["resource"] = {"type": kind}
        return result

    def _message_type(self, record: InteractionRecord) -> int:
        return MESSAGE_TYPE_CHAT_INPUT_COMMAND if record.type == APPLICATION_COMMAND else MESSAGE_TYPE_DEFAULT

    def _new_message(
        self,
        record: InteractionRecord,
        channel: Channel,
        data: Mapping[str, Any],
        uploads: Sequence[Upload],
        *,
        initial: bool,
    ) -> Message:
        state = self.state
        fields = message_fields(data, allowed_flags=INTERACTION_MESSAGE_FLAGS, editing=False)
        ephemeral = bool(fields["flags"] & FLAG_EPHEMERAL)
        attachments = build_attachments(state, channel.id, data, uploads, ephemeral=ephemeral) or []
        return state.create_message(
            channel,
            state.bot.id,
            attachments=attachments,
            visible_to={record.user_id} if ephemeral else None,
            type=self._message_type(record) if initial else MESSAGE_TYPE_DEFAULT,
            tts=bool(data.get("tts")),
            interaction_id=record.id,
            webhook_id=state.application_id,
            **fields,
        )

    def _edit(
        self, record: InteractionRecord, message: Message, data: Mapping[str, Any], uploads: Sequence[Upload]
    ) -> Message:
        fields = message_fields(data, allowed_flags=INTERACTION_MESSAGE_FLAGS, editing=True)
        # Ephemerality is fixed at creation; editing only clears the "thinking" state.
        fields["flags"] = (fields.get("flags", message.flags) & ~(FLAG_EPHEMERAL | FLAG_LOADING)) | (
            message.flags & FLAG_EPHEMERAL
        )
        attachments = build_attachments(
            self.state,
            message.channel_id,
            data,
            uploads,
            existing=message.attachments,
            ephemeral=message.ephemeral,
        )
        if attachments is not None:
            fields["attachments"] = attachments
        if message.id == record.original_message_id and record.response_type == DEFERRED_UPDATE_MESSAGE:
            record.original_edited = True
        return self.state.update_message(message, fields)

    # -- the token's webhook ---------------------------------------------------------------------

    def webhook_record(self, application_id: int, token: str) -> InteractionRecord:
        """The interaction behind /webhooks/{application_id}/{token}, or the error Discord gives."""
        record = self.by_token.get(token)
        if application_id != self.state.application_id or record is None:
            raise unknown_webhook()
        if self.state.clock.now() > record.created_at + self.token_lifetime:
            raise invalid_webhook_token()
        if not record.acknowledged or record.response_type == AUTOCOMPLETE_RESULT:
            raise unknown_webhook()
        return record

    def followup(
        self, record: InteractionRecord, data: Mapping[str, Any], uploads: Sequence[Upload]
    ) -> Message:
        validate_message(data, files=len(uploads), creating=True)
        state = self.state
        original = state.messages.get(record.original_message_id or 0)
        if record.response_type == DEFERRED_CHANNEL_MESSAGE and original is not None and original.loading:
            return self._edit(record, original, data, uploads)
        message = self._new_message(record, state.channels[record.channel_id], data, uploads, initial=False)
        record.followup_ids.append(message.id)
        state.notify()
        return message

    def resolve(self, record: InteractionRecord, message_id: str) -> Message:
        if message_id == "@original":
            target = record.original_message_id
        else:
            try:
                target = int(message_id)
            except ValueError:
                raise unknown_message() from None
            if target != record.original_message_id and target not in record.followup_ids:
                raise unknown_message()
        message = self.state.messages.get(target or 0)
        if message is None or message.deleted:
            raise unknown_message()
        return message

    def edit(
        self, record: InteractionRecord, message_id: str, data: Mapping[str, Any], uploads: Sequence[Upload]
    ) -> Message:
        message = self.resolve(record, message_id)
        validate_message(data, files=len(uploads), creating=False)
        return self._edit(record, message, data, uploads)

    def delete(self, record: InteractionRecord, message_id: str) -> None:
        self.state.delete_message(self.resolve(record, message_id))


class InteractionResult:
    """What a test gets back from ``run_command``/``click``/``select``: the user's view of the outcome."""

    def __init__(self, service: InteractionService, record: InteractionRecord) -> None:
        self._service = service
        self.record = record

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def failed(self) -> bool:
        return self.record.failure is not None

    @property
    def followups(self) -> list[Message]:
        found = (self._service.state.messages.get(mid) for mid in self.record.followup_ids)
        return [m for m in found if m is not None and not m.deleted]

    @property
    def original(self) -> Message | None:
        """The response message (or, for component updates, the message that was updated)."""
        if self.record.original_message_id is None:
            return None
        return self._service.state.messages.get(self.record.original_message_id)

    def _raise_if_failed(self) -> None:
        if self.record.failure is not None and not self.record.acknowledged:
            raise InteractionFailed(f"This interaction failed ({self.record.failure})")

    def _probe(self) -> Message | ModalPrompt | None:
        self._raise_if_failed()
        record = self.record
        kind = record.response_type
        original = self.original
        if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            return original
        if kind == DEFERRED_CHANNEL_MESSAGE:
            return original if original is not None and not original.loading else None
        if kind == DEFERRED_UPDATE_MESSAGE:
            if record.original_edited:
                return original
            return self.followups[0] if self.followups else None
        if kind == MODAL:
            return record.modal
        return None

    async def response(self, timeout: float = 3.0) -> Message:
        """The message the user sees as the answer, following deferrals to their edit/follow-up.

        Raises :class:`InteractionFailed` if the user would see "This interaction failed".
        """
        result: Message | ModalPrompt = await self._service.state.signal.wait_for(
            self._probe, timeout, f"a response to interaction {self.record.id}"
        )
        if isinstance(result, ModalPrompt):
            raise AssertionError(f"the bot answered with a modal ({result.title!r}); use modal()")
        return result

    async def modal(self, timeout: float = 3.0) -> ModalPrompt:
        """The modal the bot opened in response."""
        result: Message | ModalPrompt = await self._service.state.signal.wait_for(
            self._probe, timeout, f"a modal for interaction {self.record.id}"
        )
        if not isinstance(result, ModalPrompt):
            raise AssertionError(f"the bot answered with a message, not a modal: {result.text!r}")
        return result

    async def followup(self, index: int = 0, timeout: float = 3.0) -> Message:
        """The ``index``-th follow-up message (0 = first)."""

        def probe() -> Message | None:
            self._raise_if_failed()
            msgs = self.followups
            return msgs[index] if len(msgs) > index else None

        return await self._service.state.signal.wait_for(probe, timeout, f"follow-up #{index}")

    async def acknowledged(self, timeout: float = 3.0) -> int:
        """Wait for any initial response; returns its callback type."""

        def probe() -> int | None:
            self._raise_if_failed()
            return self.record.response_type

        return await self._service.state.signal.wait_for(probe, timeout, "an initial response")

    async def failure(self, timeout: float = 5.0) -> str:
        """Wait until the user sees "This interaction failed"; returns the reason."""
        return await self._service.state.signal.wait_for(
            lambda: self.record.failure, timeout, f"interaction {self.record.id} to fail"
        )
