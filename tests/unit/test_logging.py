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
