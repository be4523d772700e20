"""Persistent buttons. State lives in the custom_id (prefix `studybot:`), so they work after restarts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.grading import LETTER_EMOJI
from bot.services.daily import PostPlan

if TYPE_CHECKING:
    from bot.app import StudyBot


class PickButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"studybot:pick:(?P<post>\d+):(?P<letter>[A-F])"
):
    """A letter button on a daily post in button mode."""

    def __init__(self, post_id: int, letter: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=letter,
                emoji=LETTER_EMOJI[letter],
                style=discord.ButtonStyle.secondary,
                custom_id=f"studybot:pick:{post_id}:{letter}",
            )
        )
        self.post_id = post_id
        self.letter = letter

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PickButton:
        return cls(int(match["post"]), match["letter"])

    async def callback(self, interaction: discord.Interaction[StudyBot]) -> None:  # type: ignore[override]
        from bot.discord.cogs.daily import DailyCog

        cog = interaction.client.get_cog(DailyCog.__cog_name__)
        assert isinstance(cog, DailyCog)
        await cog.answer_by_button(interaction, self.letter)


def answer_view(plan: PostPlan) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for option in plan.question.options:
        view.add_item(PickButton(plan.post_id, option.letter))
    return view
