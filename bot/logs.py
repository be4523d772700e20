"""Logging set-up that can never print the bot token."""

from __future__ import annotations

import logging


class RedactSecrets(logging.Filter):
    """Replaces each secret wherever it appears in a record's rendered message or traceback."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[token redacted]")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "[token redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic announces every plugin at INFO on each start; only its warnings matter here.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
