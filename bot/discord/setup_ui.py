"""What an admin sees of /setup: one private message that walks through five steps.

Every button, menu and the time form carry a custom_id under ``PREFIX`` and are routed by it (see
``OnboardingCog.on_interaction``); the answers so far are in the database (``SetupService``), so the
message keeps working after a restart and after its interaction token expired.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.discord.choices import exam_label
from bot.discord.render import EMBED_COLOUR
from bot.domain.onboarding import COMMON_TIMEZONES, DAY_CHOICES, SetupChoices
from bot.domain.pack import ExamPack

PREFIX = "studybot:setup"
STEPS = ("Exam", "Study channel", "Time", "Days and answers", "Review")
HOURS = tuple(f"{h:02d}:00" for h in range(24))
ANSWER_LABELS = {"reactions": "Emoji reactions (the classic)", "buttons": "Buttons (private confirmation)"}


def custom_id(action: str, arg: str | int = "") -> str:
    return f"{PREFIX}:{action}" + (f":{arg}" if arg != "" else "")


def parse(custom: str) -> tuple[str, str] | None:
    """(action, argument) of a /setup component or form; None for anything else."""
    if not custom.startswith(PREFIX + ":"):
        return None
    action, _, arg = custom[len(PREFIX) + 1 :].partition(":")
    return action, arg


class SetupView(discord.ui.View):
    """Not dispatchable: presses are routed by custom_id, so no copy of each message's view is kept."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    def is_dispatchable(self) -> bool:
        return False


class TimeForm(discord.ui.Modal):
    """Any time of day and any IANA timezone, typed in. Submitted forms are routed by custom_id too."""

    def __init__(self, choices: SetupChoices) -> None:
        super().__init__(title="Time of the daily question", custom_id=custom_id("form"), timeout=None)
        self.add_item(
            discord.ui.TextInput(
                label="Time of day, 24-hour HH:MM",
                custom_id="time",
                default=choices.time_of_day,
                max_length=5,
            )
        )
        self.add_item(
            discord.ui.TextInput(
                label="Timezone (IANA name, e.g. Europe/London)",
                custom_id="timezone",
                default=choices.timezone,
                max_length=64,
            )
        )


def _button(label: str, action: str, arg: str | int = "", **options: Any) -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label, custom_id=custom_id(action, arg), **options)


def _menu(
    action: str, values: Sequence[str], current: str, *, row: int, placeholder: str | None = None
) -> discord.ui.Select[Any]:
    """A menu of plain values with the current one shown as chosen."""
    options = [discord.SelectOption(label=v, value=v, default=v == current) for v in values]
    return discord.ui.Select(custom_id=custom_id(action), options=options, row=row, placeholder=placeholder)


def _navigation(view: SetupView, step: int, *, forward_ok: bool = True, row: int = 4) -> None:
    if step > 1:
        view.add_item(_button("Back", "goto", step - 1, style=discord.ButtonStyle.secondary, row=row))
    if step < len(STEPS):
        label = "Review" if step == len(STEPS) - 1 else "Next"
        view.add_item(
            _button(
                label, "goto", step + 1, style=discord.ButtonStyle.primary, row=row, disabled=not forward_ok
            )
        )
    view.add_item(_button("Cancel", "cancel", style=discord.ButtonStyle.secondary, row=row))


def summary(choices: SetupChoices, packs: dict[str, ExamPack]) -> str:
    pack = packs.get(choices.exam)
    exam = exam_label(pack) if pack else choices.exam
    channel = f"<#{choices.channel_id}>" if choices.channel_id else "not chosen yet"
    return (
        f"**Exam:** {exam}\n**Channel:** {channel}\n"
        f"**Time:** {choices.time_of_day} {choices.timezone}, {choices.days}\n"
        f"**Answers by:** {ANSWER_LABELS.get(choices.answers, choices.answers)}"
    )


def render(
    step: int, choices: SetupChoices, packs: dict[str, ExamPack], notice: str | None = None
) -> tuple[discord.Embed, SetupView]:
    """The message for one step of /setup, with the answers so far."""
    embed = discord.Embed(
        title=f"Set up the question of the day · step {step} of {len(STEPS)}: {STEPS[step - 1]}",
        colour=EMBED_COLOUR,
    )
    view = SetupView()
    lines: list[str] = []
    if step == 1:
        lines.append("Which exam does this server study? You can change it later with `/exam use`.")
        ordered = sorted(packs.items(), key=lambda item: (item[1].blueprint.retired_on is not None, item[0]))
        options = [
            discord.SelectOption(
                label=pack.blueprint.code,
                value=slug,
                description=exam_label(pack)[len(pack.blueprint.code) + 2 :][:100],
                default=slug == choices.exam,
            )
            for slug, pack in ordered[:25]
        ]
        view.add_item(discord.ui.Select(custom_id=custom_id("exam"), options=options, row=0))
        _navigation(view, step)
    elif step == 2:
        lines.append("Where should the daily question go? I check that I can post there.")
        view.add_item(
            discord.ui.ChannelSelect(
                custom_id=custom_id("channel"),
                channel_types=[discord.ChannelType.text],
                placeholder="Choose the study channel",
                row=0,
            )
        )
        _navigation(view, step, forward_ok=choices.channel_id is not None and notice is None)
    elif step == 3:
        lines.append("When should it be posted? Pick a timezone and an hour, or type any time and timezone.")
        zones = list(COMMON_TIMEZONES)
        if choices.timezone not in zones:
            zones = [choices.timezone, *zones[:24]]
        view.add_item(_menu("timezone", zones, choices.timezone, row=0))
        view.add_item(
            _menu("hour", HOURS, choices.time_of_day, row=1, placeholder=f"Time: {choices.time_of_day}")
        )
        view.add_item(
            _button("Another time or timezone…", "form", style=discord.ButtonStyle.secondary, row=2)
        )
        _navigation(view, step)
    elif step == 4:
        lines.append("Which days, and how do members answer?")
        view.add_item(_menu("days", DAY_CHOICES, choices.days, row=0))
        view.add_item(
            discord.ui.Select(
                custom_id=custom_id("answers"),
                options=[
                    discord.SelectOption(label=label, value=mode, default=mode == choices.answers)
                    for mode, label in ANSWER_LABELS.items()
                ],
                row=1,
            )
        )
        _navigation(view, step)
    else:
        lines.append("All set? **Create** saves the schedule (running `/setup` again replaces it).")
        view.add_item(_button("Create", "create", style=discord.ButtonStyle.success, row=0))
        view.add_item(
            _button(
                "Create and post a sample now", "create", "sample", style=discord.ButtonStyle.primary, row=0
            )
        )
        _navigation(view, step, row=1)
    lines.append("")
    lines.append(summary(choices, packs))
    if notice:
        lines.append(f"\n⚠️ {notice}")
    embed.description = "\n".join(lines)
    return embed, view
