"""Small helpers for answering interactions safely."""

from __future__ import annotations

import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

#: Discord refuses a message over 2,000 characters (and the interaction then fails).
MAX_CONTENT = 2000


async def reply_privately(interaction: discord.Interaction[Any], message: str) -> None:
    """Answer with an ephemeral message, whether or not the interaction was already acknowledged."""
    if len(message) > MAX_CONTENT:  # a last line of defence: messages quote input through errors.echo
        message = message[: MAX_CONTENT - 1] + "…"
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException as exc:
        # The token may have expired (15 minutes) or the channel vanished: nothing more to tell the user.
        log.warning("could not answer interaction %s: %s", interaction.id, exc)


def component_id(interaction: discord.Interaction[Any], *, forms: bool = False) -> str:
    """The custom_id of a pressed button or picked menu (and, with ``forms``, a submitted form); ""
    for any other interaction. The bot routes its own components by this id."""
    kinds = {discord.InteractionType.component}
    if forms:
        kinds.add(discord.InteractionType.modal_submit)
    if interaction.type not in kinds or interaction.data is None:
        return ""
    return str(interaction.data.get("custom_id", ""))
