"""Reaction emoji as they travel in URLs and events.

Discord identifies a reaction by the URL-encoded emoji (a unicode emoji, or ``name:id`` for a
custom one) and rejects anything else with 10014 Unknown Emoji.  The emulator's guilds have no
custom emoji, so only unicode emoji are accepted.
"""

from __future__ import annotations

from typing import Any

from .errors import unknown_emoji


def parse_emoji(text: str) -> tuple[str, dict[str, Any]]:
    """(storage key, partial emoji payload) for a reaction emoji, or raise 10014."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if not text or any(c.isspace() for c in text):
        raise unknown_emoji()
    if ":" in text:
        # name:id or a:name:id — a custom emoji, and no emulated guild has custom emoji.
        raise unknown_emoji()
    if all(c.isascii() for c in text):
        raise unknown_emoji()
    return text, {"id": None, "name": text}
