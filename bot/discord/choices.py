"""Autocomplete choices shared by several commands."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.domain.pack import ExamPack
from bot.errors import UserError

if TYPE_CHECKING:
    from bot.app import StudyBot


def exam_label(pack: ExamPack) -> str:
    """How an exam is offered: its code and name, and since when it is retired if it is."""
    bp = pack.blueprint
    retired = f" (retired {bp.retired_on.isoformat()})" if bp.retired_on is not None else ""
    return f"{bp.code}: {bp.name}"[: 100 - len(retired)] + retired


async def exam_choices(
    interaction: discord.Interaction[StudyBot], current: str
) -> list[app_commands.Choice[str]]:
    """The exam packs whose code or name contains what the member typed, live ones first."""
    packs = sorted(
        interaction.client.guild_service.packs_for(interaction.guild_id).items(),
        key=lambda item: (item[1].blueprint.retired_on is not None, item[0]),
    )
    needle = current.casefold()
    return [
        app_commands.Choice(name=exam_label(pack), value=slug)
        for slug, pack in packs
        if needle in f"{slug} {pack.blueprint.code} {pack.blueprint.name}".casefold()
    ][:25]


async def domain_choices(
    interaction: discord.Interaction[StudyBot], current: str
) -> list[app_commands.Choice[str]]:
    """The domains of the exam chosen in the command's `exam` option (else the server's exam) whose id
    or name contains what the member typed."""
    guilds = interaction.client.guild_service
    exam = getattr(interaction.namespace, "exam", None)
    try:
        pack = await guilds.exam_for(interaction.guild_id, exam, discord.utils.utcnow())
    except UserError:  # an exam name still being typed: offer nothing rather than fail
        return []
    return [
        app_commands.Choice(name=f"{d.id}: {d.name}"[:100], value=d.id)
        for d in pack.blueprint.domains
        if current.casefold() in f"{d.id} {d.name}".casefold()
    ]


ALL_TIMEZONES = sorted(zoneinfo.available_timezones())


async def timezone_choices(
    interaction: discord.Interaction[StudyBot], current: str
) -> list[app_commands.Choice[str]]:
    """IANA timezones containing what the member typed, those that start with it first."""
    needle = current.strip().casefold().replace(" ", "_")
    hits = [tz for tz in ALL_TIMEZONES if needle in tz.casefold()]
    hits.sort(key=lambda tz: (not tz.casefold().startswith(needle), len(tz)))
    return [app_commands.Choice(name=tz, value=tz) for tz in hits[:25]]
