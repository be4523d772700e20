"""/pack: a server's own question packs (upload, list, download, remove), for its admins."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank.upload import MAX_UPLOAD_BYTES, MAX_UPLOAD_QUESTIONS
from bot.discord.render import timestamp
from bot.discord.replies import MAX_CONTENT
from bot.services.server_packs import MAX_PACKS_PER_SERVER, Refused

if TYPE_CHECKING:
    from bot.app import StudyBot

log = logging.getLogger(__name__)

#: Problems listed in the reply itself; more go in a file.
PROBLEMS_SHOWN = 10


class PackCog(commands.Cog):
    pack = app_commands.Group(
        name="pack",
        description="This server's own question packs",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @pack.command(name="upload", description="Add (or replace) a question pack for this server only")
    @app_commands.describe(
        file=f"A YAML pack or a CSV of questions (at most {MAX_UPLOAD_BYTES // 1024} KB, "
        f"{MAX_UPLOAD_QUESTIONS} questions)",
        name="A short name for the pack, e.g. team-ml (the same name replaces that pack)",
    )
    async def upload(
        self, interaction: discord.Interaction[StudyBot], file: discord.Attachment, name: str
    ) -> None:
        assert interaction.guild is not None
        if file.size > MAX_UPLOAD_BYTES:
            await interaction.response.send_message(
                f"`{file.filename}` has {file.size:,} bytes; "
                f"a pack file may have {MAX_UPLOAD_BYTES:,} at most.",
                ephemeral=True,
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            await interaction.followup.send(
                f"I could not read the file from Discord ({exc.status}): upload it again."
            )
            return
        result = await self.bot.server_pack_service.upload(
            interaction.guild.id, interaction.user.id, name, file.filename, data, discord.utils.utcnow()
        )
        if isinstance(result, Refused):
            await self._refused(interaction, file.filename, result)
            return
        await interaction.followup.send(
            f"Added **{result.code}: {result.title}** ({result.questions} questions) for this server only. "
            f"Choose it as `{result.slug}` wherever an exam is asked: `/exam use`, `/daily schedule exam:`, "
            "`/quiz`, `/mock start`."
        )

    async def _refused(
        self, interaction: discord.Interaction[StudyBot], filename: str, refused: Refused
    ) -> None:
        count = len(refused.problems)
        problems = f"{count} problem{'s' if count != 1 else ''}"
        head = f"`{filename}` was not added: {problems} to fix. Nothing was stored."
        shown = "\n".join(f"- {p}" for p in refused.problems[:PROBLEMS_SHOWN])
        text = f"{head}\n{shown}"
        if count <= PROBLEMS_SHOWN and len(text) <= MAX_CONTENT:
            await interaction.followup.send(text)
            return
        report = "\n".join(refused.problems).encode()
        await interaction.followup.send(
            f"{head} The first ones:\n{shown}"[: MAX_CONTENT - 40] + "\nEvery problem is in the file.",
            file=discord.File(io.BytesIO(report), "pack-problems.txt"),
        )

    @pack.command(name="list", description="This server's own question packs")
    async def list_(self, interaction: discord.Interaction[StudyBot]) -> None:
        assert interaction.guild is not None
        packs = await self.bot.server_pack_service.list(interaction.guild.id)
        if not packs:
            text = (
                "This server has no packs of its own. `/pack upload` adds one (a YAML pack or a CSV of "
                f"questions; at most {MAX_PACKS_PER_SERVER} packs)."
            )
        else:
            text = "\n".join(
                f"**{p.slug}**: {p.code}: {p.title}, {p.questions} questions, `{p.filename}`, uploaded "
                f"{timestamp(p.uploaded_at)} by <@{p.uploaded_by}>"
                for p in packs
            )[:MAX_CONTENT]
        await interaction.response.send_message(
            text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )

    @pack.command(name="download", description="The file of one of this server's packs")
    @app_commands.describe(name="The pack's name (see /pack list)")
    async def download(self, interaction: discord.Interaction[StudyBot], name: str) -> None:
        assert interaction.guild is not None
        filename, data = await self.bot.server_pack_service.download(interaction.guild.id, name)
        await interaction.response.send_message(
            "The pack as it was uploaded:", file=discord.File(io.BytesIO(data), filename), ephemeral=True
        )

    @pack.command(name="remove", description="Stop offering one of this server's packs (its statistics stay)")
    @app_commands.describe(name="The pack's name (see /pack list)")
    async def remove(self, interaction: discord.Interaction[StudyBot], name: str) -> None:
        assert interaction.guild is not None
        removed = await self.bot.server_pack_service.remove(
            interaction.guild.id, name, discord.utils.utcnow()
        )
        await interaction.response.send_message(
            f"Removed **{removed.slug}**. "
            "Answers already given to it stay in members' statistics and exports.",
            ephemeral=True,
        )
