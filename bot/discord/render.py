"""Embeds built from domain objects. Pure formatting: no I/O."""

from __future__ import annotations

import discord

from bot.domain.pack import ExamPack, QuestionKind

EMBED_COLOUR = discord.Colour(0xFF9900)


def exam_embed(pack: ExamPack) -> discord.Embed:
    bp = pack.blueprint
    kinds = {QuestionKind.SINGLE: "multiple choice", QuestionKind.MULTIPLE: "multiple response"}
    formats = " and ".join(kinds[k] for k in bp.question_types)
    lines = [
        f"{bp.questions} questions ({formats}) in {bp.minutes} minutes.",
        f"Scaled score {bp.scale.minimum}–{bp.scale.maximum}; pass mark {bp.scale.passing}.",
    ]
    if bp.retired_on is not None:
        lines.append(
            f"AWS retired this exam on {bp.retired_on.isoformat()}; its material lives on in newer exams."
        )
    embed = discord.Embed(title=f"{bp.code}: {bp.name}", description="\n".join(lines), colour=EMBED_COLOUR)
    counts = pack.count_by_domain()
    for domain in bp.domains:
        tasks = "\n".join(f"{t.id} {t.name}" for t in domain.tasks)
        value = f"{counts[domain.id]} questions in the bank\n{tasks}"
        embed.add_field(
            name=f"Domain {domain.id}: {domain.name} ({domain.weight}%)", value=value[:1024], inline=False
        )
    embed.set_footer(text=f"{len(pack.active_questions)} questions in the bank · pack {pack.slug}")
    return embed
