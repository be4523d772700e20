"""Errors the emulator answers with, shaped exactly like Discord's JSON error bodies.

Every code and message here comes from the "JSON Error Codes" table of Discord's
"Opcodes and Status Codes" documentation page; the form-error layout comes from the
"Error Messages" section of the API reference.  discord.py turns these into
``HTTPException``/``Forbidden``/``NotFound`` with ``.code`` set, which is what bot code and
tests inspect.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An HTTP error response with a Discord JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """The JSON body Discord would send."""
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


class InteractionFailed(AssertionError):
    """Raised to a test when the user would see "This interaction failed" in the client."""


# --- 4xx helpers -----------------------------------------------------------------------------


def unauthorized() -> ApiError:
    """Missing or wrong bot token (discord.py turns this into LoginFailure at login)."""
    return ApiError(401, 0, "401: Unauthorized")


def not_found() -> ApiError:
    """A route the emulator does not implement."""
    return ApiError(404, 0, "404: Not Found")


def unknown_channel() -> ApiError:
    return ApiError(404, 10003, "Unknown Channel")


def unknown_guild() -> ApiError:
    return ApiError(404, 10004, "Unknown Guild")


def unknown_member() -> ApiError:
    return ApiError(404, 10007, "Unknown Member")


def unknown_message() -> ApiError:
    return ApiError(404, 10008, "Unknown Message")


def unknown_user() -> ApiError:
    return ApiError(404, 10013, "Unknown User")


def unknown_emoji() -> ApiError:
    return ApiError(400, 10014, "Unknown Emoji")


def unknown_webhook() -> ApiError:
    return ApiError(404, 10015, "Unknown Webhook")


def unknown_interaction() -> ApiError:
    return ApiError(404, 10062, "Unknown interaction")


def unknown_command() -> ApiError:
    return ApiError(404, 10063, "Unknown application command")


def max_reactions() -> ApiError:
    return ApiError(400, 30010, "Maximum number of reactions reached (20)")


def already_acknowledged() -> ApiError:
    return ApiError(400, 40060, "Interaction has already been acknowledged")


def too_large() -> ApiError:
    return ApiError(413, 40005, "Request entity too large")


def missing_access() -> ApiError:
    return ApiError(403, 50001, "Missing Access")


def dm_channel_action() -> ApiError:
    return ApiError(403, 50003, "Cannot execute action on a DM channel")


def cannot_edit_others() -> ApiError:
    return ApiError(403, 50005, "Cannot edit a message authored by another user")


def empty_message() -> ApiError:
    return ApiError(400, 50006, "Cannot send an empty message")


def cannot_dm_user() -> ApiError:
    return ApiError(403, 50007, "Cannot send messages to this user")


def missing_permissions() -> ApiError:
    return ApiError(403, 50013, "Missing Permissions")


def wrong_channel_type() -> ApiError:
    """E.g. starting a thread inside a thread (a 400, as Discord answers it)."""
    return ApiError(400, 50024, "Cannot execute action on this channel type")


def invalid_webhook_token() -> ApiError:
    """Interaction tokens older than 15 minutes answer 401 with 50027.

    The status is not in Discord's docs; it is the observed behaviour reported in
    discord/discord-api-docs#6851 and in discord.js (DiscordAPIError[50027], status 401).
    """
    return ApiError(401, 50027, "Invalid Webhook Token")


def invalid_form_body(errors: dict[str, Any]) -> ApiError:
    return ApiError(400, 50035, "Invalid Form Body", errors)


def invalid_json() -> ApiError:
    return ApiError(400, 50109, "The request body contains invalid JSON.")


def thread_already_created() -> ApiError:
    return ApiError(400, 160004, "A thread has already been created for this message")


class FormErrors:
    """Collects field errors into Discord's nested ``{"a": {"0": {"b": {"_errors": [...]}}}}`` shape."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        """Record an error for the field at ``path`` (array indices become string keys)."""
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: tuple[str | int, ...], limit: int) -> None:
        self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def length_between(self, path: tuple[str | int, ...], low: int, high: int) -> None:
        self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def required(self, path: tuple[str | int, ...]) -> None:
        self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    def __bool__(self) -> bool:
        return bool(self.tree)

    def raise_if_any(self) -> None:
        """Raise the 50035 error if anything was recorded."""
        if self.tree:
            raise invalid_form_body(self.tree)
