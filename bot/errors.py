"""Typed errors shared by every layer. No discord import here: services raise, the shell renders."""

#: How much of a member's own input an error message repeats back to them.
ECHO_LIMIT = 60


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A member's input, quoted back as inline code: on one line, without backticks that would break
    out of the code span, and cut to ``limit`` characters (a reply has room for 2,000)."""
    text = " ".join(str(value).replace("`", "'").split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"`{text}`" if text else "(nothing)"


class StudyBotError(Exception):
    """Base class for the bot's own errors."""


class UserError(StudyBotError):
    """Something the user can fix. Its message is shown to them privately, as written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(UserError):
    """The thing the user asked for does not exist (or is not theirs)."""


class ConfigurationError(StudyBotError):
    """The bot was started with settings it cannot run with. The message says what to set."""


class QuestionWithdrawn(StudyBotError):
    """A stored post or mock asks a question (or a pack) that is no longer in the bank."""


class DiscordUnreachable(StudyBotError):
    """Discord could not be reached within the attempts allowed: a temporary fault, not a bad setting."""
