from __future__ import annotations

import logging

from bot.logs import RedactSecrets

TOKEN = "MTIz.fake-token.for-tests"


def test_the_token_never_reaches_a_log_line(caplog) -> None:
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactSecrets([TOKEN]))
    with caplog.at_level(logging.DEBUG, logger="test.redact"):
        logger.debug("connecting with %s", TOKEN)
        try:
            raise RuntimeError(f"bad header Authorization: Bot {TOKEN}")
        except RuntimeError:
            logger.exception("request failed")
    text = caplog.text
    assert TOKEN not in text
    assert text.count("[token redacted]") >= 2


def test_a_token_with_a_stray_space_is_hidden_as_used(caplog) -> None:
    logger = logging.getLogger("test.redact.space")
    logger.addFilter(RedactSecrets([TOKEN + " "]))  # as pasted into .env; the bot uses it trimmed
    with caplog.at_level(logging.DEBUG, logger="test.redact.space"):
        logger.debug("Authorization: Bot %s", TOKEN)
    assert TOKEN not in caplog.text and "[token redacted]" in caplog.text


def test_interaction_and_webhook_tokens_in_urls_are_hidden(caplog) -> None:
    interaction = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDp0b2tlbg.secret_part-123"
    logger = logging.getLogger("test.redact.urls")
    logger.addFilter(RedactSecrets([TOKEN]))
    with caplog.at_level(logging.DEBUG, logger="test.redact.urls"):
        logger.debug("POST https://discord.com/api/v10/interactions/1234567890/%s/callback", interaction)
        logger.debug(
            "PATCH https://discord.com/api/v10/webhooks/987654321/%s/messages/@original", interaction
        )
    assert interaction not in caplog.text
    assert "/interactions/1234567890/[token redacted]/callback" in caplog.text
    assert "/webhooks/987654321/[token redacted]/messages" in caplog.text


def test_uncaught_exceptions_go_through_the_log_and_its_redaction(tmp_path) -> None:
    import subprocess
    import sys

    script = (
        "from bot import logs\n"
        f"logs.configure('INFO', [{TOKEN!r}])\n"
        f"raise RuntimeError('boom with ' + {TOKEN!r})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 1
    assert "CRITICAL" in done.stderr and "uncaught exception" in done.stderr
    assert TOKEN not in done.stderr and "[token redacted]" in done.stderr
