"""Logging set-up that can never print the bot token (nor an interaction's token)."""

from __future__ import annotations

import logging
import re
import sys
import threading
from types import TracebackType

#: Interaction and webhook tokens sit in the URLs discord.py logs at DEBUG; each lets its holder
#: answer as the bot for 15 minutes.
_URL_TOKENS = re.compile(r"(/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_.\-]{20,}")


#: A real token is about 70 characters; a placeholder like "x" would blank out every x in the logs.
MIN_SECRET_LENGTH = 8


class RedactSecrets(logging.Filter):
    """Replaces each secret wherever it appears in a record's rendered message or traceback."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        # A token pasted with a stray space is used trimmed: hide it either way, longest first.
        variants = {v for s in secrets for v in (s, s.strip()) if len(v.strip()) >= MIN_SECRET_LENGTH}
        self._secrets = sorted(variants, key=len, reverse=True)

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[token redacted]")
        return _URL_TOKENS.sub(r"\1[token redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        redacted = self._redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class OneLineReconnects(logging.Filter):
    """discord.py logs a whole traceback each time it retries a lost gateway; a line says as much."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Attempting a reconnect"):
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


def _log_uncaught(kind: type[BaseException], error: BaseException, traceback: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    logging.getLogger("bot").critical("uncaught exception", exc_info=(kind, error, traceback))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)


def configure(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic announces every plugin at INFO on each start; only its warnings matter here.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("discord.client").addFilter(OneLineReconnects())
    # Anything uncaught still goes through the handler above, so through the redaction.
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
