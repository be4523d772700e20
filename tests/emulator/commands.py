"""Turning "what a user typed" into the interaction data Discord's client would send.

Discord's client only lets a user invoke commands the app has synced, fill options that exist
with values of the right type (and among the choices, when there are choices), and it hides
commands whose ``default_member_permissions`` the member lacks.  Tests get the same guard
rails: anything the client would not send fails with an ``AssertionError`` explaining why,
instead of producing an interaction Discord could never deliver.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .models import Attachment, BaseUser, Channel, Role
from .permissions import Perm, has

if TYPE_CHECKING:
    from .state import EmulatorState
    from .users import User

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11
TYPE_NAMES = {
    STRING: "string",
    INTEGER: "integer",
    BOOLEAN: "boolean",
    USER: "user",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "mentionable",
    NUMBER: "number",
    ATTACHMENT: "attachment",
}
MAX_SAFE_INTEGER = 2**53 - 1
GUILD_CONTEXT = 0
BOT_DM_CONTEXT = 1


def _available(command: Mapping[str, Any], *, in_dm: bool) -> bool:
    contexts = command.get("contexts")
    if in_dm:
        if command.get("dm_permission") is False:
            return False
        return contexts is None or BOT_DM_CONTEXT in contexts
    return contexts is None or GUILD_CONTEXT in contexts


def find_command(state: EmulatorState, name: str, channel: Channel) -> dict[str, Any]:
    """The synced CHAT_INPUT command a user in ``channel`` would get for ``/name``."""
    guild = channel.guild
    candidates: list[dict[str, Any]] = []
    if guild is not None:
        candidates.extend(state.guild_commands.get(guild.id, []))
    candidates.extend(c for c in state.global_commands if _available(c, in_dm=guild is None))
    for command in candidates:
        if command.get("type", 1) == 1 and command["name"] == name:
            return command
    synced = sorted({c["name"] for c in candidates if c.get("type", 1) == 1})
    raise AssertionError(f"/{name} is not a synced command in this channel; available: {synced}")


def _check_member_may_use(
    state: EmulatorState, command: Mapping[str, Any], user: User, channel: Channel
) -> None:
    if channel.guild is None:
        return
    perms = channel.permissions_for(user)
    if not perms & Perm.VIEW_CHANNEL:
        raise AssertionError(f"{user.name} cannot see #{channel.name}")
    if not has(perms, int(Perm.USE_APPLICATION_COMMANDS)):
        raise AssertionError(f"{user.name} lacks Use Application Commands in #{channel.name}")
    required = command.get("default_member_permissions")
    if required is None:
        return
    needed = int(required)
    allowed = has(perms, needed) if needed else bool(perms & Perm.ADMINISTRATOR)
    if not allowed:
        raise AssertionError(
            f"/{command['name']} is hidden from {user.name}: it requires permissions {needed} "
            f"(default_member_permissions) and the member has {perms}"
        )


def _option_by_name(options: list[dict[str, Any]], name: str, path: str) -> dict[str, Any]:
    for option in options:
        if option["name"] == name:
            return option
    names = [o["name"] for o in options]
    raise AssertionError(f"/{path} has no option or subcommand {name!r}; it has {names}")


class _Resolved:
    """Collects the ``resolved`` block for user/channel/role/attachment options."""

    def __init__(self, state: EmulatorState, channel: Channel) -> None:
        self.state = state
        self.channel = channel
        self.data: dict[str, dict[str, Any]] = {}

    def add_user(self, user: BaseUser) -> None:
        self.data.setdefault("users", {})[str(user.id)] = user.payload()
        guild = self.channel.guild
        if guild is not None and user.id in guild.members:
            member = guild.member_payload(user.id, channel=self.channel)
            member.pop("user")
            self.data.setdefault("members", {})[str(user.id)] = member

    def add_role(self, role: Role) -> None:
        self.data.setdefault("roles", {})[str(role.id)] = role.payload()

    def add_channel(self, channel: Channel, user: User) -> None:
        data = channel.payload()
        data["permissions"] = str(channel.permissions_for(user))
        self.data.setdefault("channels", {})[str(channel.id)] = data

    def add_attachment(self, attachment: Attachment) -> None:
        self.data.setdefault("attachments", {})[str(attachment.id)] = attachment.payload()


def _convert(
    state: EmulatorState,
    option: Mapping[str, Any],
    value: Any,
    *,
    user: User,
    resolved: _Resolved,
    where: str,
) -> Any:
    """Check ``value`` against the option definition and return the JSON value to send."""
    kind = option["type"]
    label = f"option {option['name']!r} of /{where}"
    if kind == STRING:
        if not isinstance(value, str):
            raise AssertionError(f"{label} expects a string, got {value!r}")
        low, high = option.get("min_length", 0), option.get("max_length", 6000)
        if not low <= len(value) <= high:
            raise AssertionError(f"{label} must be {low}..{high} characters long")
    elif kind in (INTEGER, NUMBER):
        ok = isinstance(value, int) if kind == INTEGER else isinstance(value, (int, float))
        if not ok or isinstance(value, bool):
            raise AssertionError(f"{label} expects {TYPE_NAMES[kind]}, got {value!r}")
        if abs(value) > MAX_SAFE_INTEGER:
            raise AssertionError(f"{label} is outside Discord's numeric range")
        if option.get("min_value") is not None and value < option["min_value"]:
            raise AssertionError(f"{label} must be >= {option['min_value']}")
        if option.get("max_value") is not None and value > option["max_value"]:
            raise AssertionError(f"{label} must be <= {option['max_value']}")
    elif kind == BOOLEAN:
        if not isinstance(value, bool):
            raise AssertionError(f"{label} expects a boolean, got {value!r}")
    elif kind in (USER, MENTIONABLE) and isinstance(value, BaseUser):
        resolved.add_user(value)
        return str(value.id)
    elif kind in (ROLE, MENTIONABLE) and isinstance(value, Role):
        resolved.add_role(value)
        return str(value.id)
    elif kind == CHANNEL and isinstance(value, Channel):
        allowed = option.get("channel_types")
        if allowed and value.type not in allowed:
            raise AssertionError(f"{label} only accepts channel types {allowed}")
        resolved.add_channel(value, user)
        return str(value.id)
    elif kind == ATTACHMENT and isinstance(value, tuple) and len(value) == 2:
        filename, data = value
        att_id = state.ids.next()
        attachment = Attachment(
            id=att_id,
            filename=str(filename),
            content_type="application/octet-stream",
            data=bytes(data),
            url=f"{state.base_url}/attachments/{resolved.channel.id}/{att_id}/{filename}",
            ephemeral=True,
        )
        state.uploads[att_id] = attachment
        resolved.add_attachment(attachment)
        return str(att_id)
    else:
        raise AssertionError(f"{label} expects a {TYPE_NAMES.get(kind, kind)}, got {value!r}")
    choices = option.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise AssertionError(f"{label}: {value!r} is not one of the choices {[c['value'] for c in choices]}")
    return value


def build_command_data(
    state: EmulatorState,
    *,
    user: User,
    channel: Channel,
    invocation: str,
    options: Mapping[str, Any],
    focused: str | None = None,
    focused_value: str = "",
) -> tuple[dict[str, Any], str]:
    """Interaction ``data`` for ``/invocation`` with ``options``; returns (data, full command name).

    With ``focused`` the data is for an autocomplete request: the focused option carries the
    partial text and required options may be missing, as while the user is still typing.
    """
    parts = invocation.strip().lstrip("/").split()
    if not parts:
        raise AssertionError("empty command")
    command = find_command(state, parts[0], channel)
    _check_member_may_use(state, command, user, channel)
    path = parts[0]
    node_options: list[dict[str, Any]] = list(command.get("options") or [])
    chain: list[dict[str, Any]] = []
    for part in parts[1:]:
        option = _option_by_name(node_options, part, path)
        if option["type"] not in (SUB_COMMAND, SUB_COMMAND_GROUP):
            raise AssertionError(f"{part!r} in /{invocation} is an option, not a subcommand")
        chain.append(option)
        path = f"{path} {part}"
        node_options = list(option.get("options") or [])
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in node_options):
        subs = [o["name"] for o in node_options]
        raise AssertionError(f"/{path} needs a subcommand: one of {subs}")
    resolved = _Resolved(state, channel)
    unknown = set(options) - {o["name"] for o in node_options}
    if focused is not None:
        unknown.discard(focused)
    if unknown:
        raise AssertionError(
            f"/{path} has no option(s) {sorted(unknown)}; it has {[o['name'] for o in node_options]}"
        )
    values: list[dict[str, Any]] = []
    for option in node_options:
        name = option["name"]
        if name == focused:
            if not option.get("autocomplete"):
                raise AssertionError(f"option {name!r} of /{path} does not use autocomplete")
            values.append({"name": name, "type": option["type"], "value": focused_value, "focused": True})
            continue
        if name not in options:
            if option.get("required") and focused is None:
                raise AssertionError(f"/{path} requires option {name!r}")
            continue
        value = _convert(state, option, options[name], user=user, resolved=resolved, where=path)
        values.append({"name": name, "type": option["type"], "value": value})
    if focused is not None and not any(v.get("focused") for v in values):
        raise AssertionError(f"/{path} has no option {focused!r} to autocomplete")
    for option in reversed(chain):
        values = [{"name": option["name"], "type": option["type"], "options": values}]
    data: dict[str, Any] = {"id": str(command["id"]), "name": command["name"], "type": 1, "options": values}
    if command.get("guild_id") is not None:
        data["guild_id"] = str(command["guild_id"])
    if resolved.data:
        data["resolved"] = resolved.data
    return data, path
