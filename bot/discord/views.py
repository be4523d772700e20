"""Persistent buttons. State lives in the custom_id (prefix `studybot:`), so they work after restarts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.grading import LETTER_EMOJI, extend_sequence, is_complete, shown_order
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


class PickerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"studybot:seq:(?P<post>\d+):(?P<so_far>[A-G]{0,7}):(?P<action>open|add|undo|submit)(?::(?P<letter>[A-G]))?",
):
    """The private picker of an ordering or matching question. The answer built so far is in every
    button's custom_id, so a picker keeps working across restarts and expired interaction tokens."""

    def __init__(
        self,
        post_id: int,
        so_far: str,
        action: str,
        letter: str = "",
        *,
        label: str = "",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        disabled: bool = False,
        row: int | None = None,
    ) -> None:
        custom_id = f"studybot:seq:{post_id}:{so_far}:{action}" + (f":{letter}" if letter else "")
        super().__init__(
            discord.ui.Button(
                label=label or letter or action, style=style, custom_id=custom_id, disabled=disabled, row=row
            )
        )
        self.post_id, self.so_far, self.action, self.letter = post_id, so_far, action, letter

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PickerButton:
        return cls(int(match["post"]), match["so_far"], match["action"], match["letter"] or "")

    async def callback(self, interaction: discord.Interaction[StudyBot]) -> None:  # type: ignore[override]
        from bot.discord.cogs.daily import DailyCog

        cog = interaction.client.get_cog(DailyCog.__cog_name__)
        assert isinstance(cog, DailyCog)
        await cog.picker(interaction, self.post_id, self.so_far, self.action, self.letter)


def picker_open_view(plan: PostPlan) -> discord.ui.View:
    """The one button on an ordering or matching post: it opens the member's private picker."""
    view = discord.ui.View(timeout=None)
    view.add_item(PickerButton(plan.post_id, "", "open", label="Answer", style=discord.ButtonStyle.primary))
    return view


def picker_view(plan: PostPlan, so_far: str) -> discord.ui.View:
    """A letter button for each item (or response), then Undo and Submit."""
    question = plan.question
    complete = is_complete(question, so_far)
    view = discord.ui.View(timeout=None)
    for index, option in enumerate(shown_order(question, plan.post_id)):
        # Disabled where a press would change nothing (an item placed already, an answer complete).
        idle = extend_sequence(question, so_far, option.letter) == so_far
        view.add_item(PickerButton(plan.post_id, so_far, "add", option.letter, disabled=idle, row=index // 5))
    row = (len(question.options) - 1) // 5 + 1
    view.add_item(PickerButton(plan.post_id, so_far, "undo", label="Undo", disabled=not so_far, row=row))
    view.add_item(
        PickerButton(
            plan.post_id,
            so_far,
            "submit",
            label="Submit",
            style=discord.ButtonStyle.success,
            disabled=not complete,
            row=row,
        )
    )
    return view
