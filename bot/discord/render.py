"""Embeds built from domain objects. Pure formatting: no I/O."""

from __future__ import annotations

import datetime as dt

import discord

from bot.domain.grading import LETTER_EMOJI, shown_order
from bot.domain.pack import ExamPack, Question, QuestionKind
from bot.services.daily import PostPlan, Reveal, ScheduleView

EMBED_COLOUR = discord.Colour(0xFF9900)


def exam_embed(pack: ExamPack) -> discord.Embed:
    bp = pack.blueprint
    kinds = {
        QuestionKind.SINGLE: "multiple choice",
        QuestionKind.MULTIPLE: "multiple response",
        QuestionKind.ORDERING: "ordering",
        QuestionKind.MATCHING: "matching",
    }
    names = [kinds[k] for k in bp.question_types]
    formats = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
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


CHOOSE_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}
MAX_MENTIONS = 40


def timestamp(moment: dt.datetime, style: str = "R") -> str:
    return f"<t:{int(moment.timestamp())}:{style}>"


def post_markers(post_id: int) -> tuple[str, ...]:
    """How a post's footer ends, so a post interrupted mid-publish is found again after a restart. The
    first is written now; the others are what earlier versions of the bot wrote."""
    return (f"question #{post_id}", f"post #{post_id}")


def reveal_markers(post_id: int) -> tuple[str, ...]:
    """How a reveal's footer ends, so a reveal interrupted after Discord took it is not sent twice."""
    return (f"answer #{post_id}",)


def _post_title(plan: PostPlan, domain_name: str) -> str:
    if plan.kind == "quiz":
        return f"Quiz · round {plan.round} of {plan.rounds} · {domain_name}"
    return f"Question of the day · {domain_name}"


def stem_text(question: Question) -> str:
    """The question as asked: a case study's scenario first, then the question's own stem."""
    if question.case is None:
        return question.stem
    return f"**Case study: {question.case.title}**\n{question.case.scenario}\n\n{question.stem}"


def sequenced_body(question: Question, seed: int) -> str:
    """What an ordering or matching question offers: its items (shuffled, see `shown_order`), or its
    prompts and responses."""
    if question.kind is QuestionKind.ORDERING:
        items = "\n".join(f"**{o.letter}.** {o.text}" for o in shown_order(question, seed))
        return f"{items}\n\n**Put all {len(question.options)} in order.**"
    prompts = "\n".join(f"**{p.number}.** {p.text}" for p in question.prompts)
    responses = "\n".join(f"**{o.letter}.** {o.text}" for o in question.options)
    return (
        f"__Prompts__\n{prompts}\n\n__Responses__\n{responses}\n\n"
        "**Give each prompt one response.** A response may fit several prompts, or none."
    )


def answer_text(question: Question, letters: str) -> str:
    """An answer as a member reads it: letters for choices, an order (B → C → A) or pairs (1 A · 2 C)."""
    if question.kind is QuestionKind.ORDERING:
        return " → ".join(letters)
    if question.kind is QuestionKind.MATCHING:
        return " · ".join(
            f"{p.number} {letter}" for p, letter in zip(question.prompts, letters, strict=False)
        )
    return ", ".join(sorted(letters))


def question_embed(plan: PostPlan, *, answered: int | None = None, title: str | None = None) -> discord.Embed:
    question, bp = plan.question, plan.pack.blueprint
    domain = bp.domain(question.domain_id)
    task = bp.task(question.task_id)
    if question.kind.sequenced:
        options, choose = sequenced_body(question, plan.post_id), ""
    else:
        options = "\n".join(f"{LETTER_EMOJI[o.letter]} {o.text}" for o in question.options)
        many = CHOOSE_WORDS.get(question.choose, question.choose)
        choose = f"\n\n**Choose {many}.**" if question.choose > 1 else ""
    embed = discord.Embed(
        title=title or _post_title(plan, domain.name if domain else question.domain_id),
        description=f"{stem_text(question)}\n\n{options}{choose}"[:4096],
        colour=EMBED_COLOUR,
    )
    if task is not None:
        embed.add_field(name="Task statement", value=f"{task.id} {task.name}"[:1024], inline=False)
    how = "React with your letter" if plan.answer_mode == "reactions" else "Press your letter"
    if question.kind.sequenced:
        how = "Press **Answer** to build yours privately; your first submitted answer counts"
    elif question.choose > 1:
        how += "s; your first complete answer counts"
    else:
        how += "; your first answer counts"
    embed.add_field(name="How to answer", value=how, inline=True)
    embed.add_field(
        name="Closes", value=f"{timestamp(plan.closes_at)} ({timestamp(plan.closes_at, 'f')})", inline=True
    )
    if answered is not None:
        embed.add_field(name="Answers so far", value=f"{answered} (hidden until the reveal)", inline=True)
    # The marker is how the bot finds its own post again; the question's id stays out of sight.
    embed.set_footer(text=f"{bp.code} · {post_markers(plan.post_id)[0]}")
    return embed


def closed_embed(plan: PostPlan) -> discord.Embed:
    embed = question_embed(plan)
    embed.set_field_at(
        len(embed.fields) - 1, name="Closed", value="The answer is in the reply below.", inline=True
    )
    embed.colour = discord.Colour.dark_grey()
    return embed


def _mentions(user_ids: list[int]) -> str:
    shown = " ".join(f"<@{uid}>" for uid in user_ids[:MAX_MENTIONS])
    extra = len(user_ids) - MAX_MENTIONS
    return shown + (f" and {extra} more" if extra > 0 else "")


def _sequenced_reveal(reveal: Reveal) -> discord.Embed:
    question = reveal.plan.question
    text = {o.letter: o.text for o in question.options}
    if question.kind is QuestionKind.ORDERING:
        key = "\n".join(f"{n}. **{letter}** {text[letter]}" for n, letter in enumerate(question.sequence, 1))
    else:
        key = "\n".join(
            f"{p.number}. {p.text} → **{letter}** {text[letter]}"
            for p, letter in zip(question.prompts, question.sequence, strict=True)
        )
    embed = discord.Embed(
        title=f"Answer: {answer_text(question, question.sequence)}",
        description=f"{key}\n\n{question.explanation}"[:4096],
        colour=discord.Colour.green(),
    )
    if question.mistake:
        embed.add_field(name="The tempting mistake", value=question.mistake[:1024], inline=False)
    if reveal.common_wrong is not None:
        wrong, count = reveal.common_wrong
        embed.add_field(
            name="Most common wrong answer",
            value=f"{answer_text(question, wrong)} ({count} member{'s' if count != 1 else ''})",
            inline=False,
        )
    return embed


def reveal_embed(reveal: Reveal) -> discord.Embed:
    question = reveal.plan.question
    if question.kind.sequenced:
        embed = _sequenced_reveal(reveal)
        _reveal_tail(embed, reveal)
        return embed
    key = sorted(question.key)
    key_text = ", ".join(f"{LETTER_EMOJI[k]} {k}" for k in key)
    embed = discord.Embed(
        title=f"{'Answers' if len(key) > 1 else 'Answer'}: {', '.join(key)}",
        description=f"**{key_text}**\n\n{question.explanation}"[:4096],
        colour=discord.Colour.green(),
    )
    for letter, reason in sorted(question.why_wrong.items()):
        embed.add_field(name=f"Why not {LETTER_EMOJI[letter]} {letter}", value=reason[:1024], inline=False)
    counts = " · ".join(f"{LETTER_EMOJI[letter]} {n}" for letter, n in reveal.choices.items())
    embed.add_field(name="Choices", value=counts or "No answers", inline=False)
    _reveal_tail(embed, reveal)
    return embed


def _reveal_tail(embed: discord.Embed, reveal: Reveal) -> None:
    """Who got it right, where to read more, and the marker: the same for every kind of question."""
    question = reveal.plan.question
    if reveal.answered:
        right = f"{len(reveal.correct_users)} of {reveal.answered} ({reveal.correct_share:.0%})"
        who = _mentions(reveal.correct_users)
        embed.add_field(name="Got it right", value=(f"{right}\n{who}" if who else right)[:1024], inline=False)
    else:
        embed.add_field(name="Got it right", value="Nobody answered this time.", inline=False)
    embed.add_field(name="Read more", value="\n".join(question.references)[:1024], inline=False)
    embed.set_footer(text=f"{reveal.plan.pack.blueprint.code} · {reveal_markers(reveal.plan.post_id)[0]}")


def picker_embed(plan: PostPlan, so_far: str, *, done: str | None = None) -> discord.Embed:
    """The private picker: what the member has built so far and what comes next (or, ``done``, the
    outcome of their submit)."""
    question = plan.question
    text = {o.letter: o.text for o in question.options}
    if question.kind is QuestionKind.ORDERING:
        lines = [f"{n}. **{letter}** {text[letter]}" for n, letter in enumerate(so_far, 1)]
        left = len(question.options) - len(so_far)
        ask = f"Press the item that comes {'first' if not so_far else 'next'}." if left else ""
    else:
        lines = [
            f"{p.number}. {p.text} → **{letter}** {text[letter]}"
            for p, letter in zip(question.prompts, so_far, strict=False)
        ]
        upcoming = question.prompts[len(so_far)] if len(so_far) < len(question.prompts) else None
        ask = (
            "" if upcoming is None else f"Which response fits prompt **{upcoming.number}**: {upcoming.text}?"
        )
    body = "\n".join(lines) or "Nothing placed yet."
    footer = done or (ask if ask else "Complete. Check it, then **Submit**; Undo takes back the last one.")
    return discord.Embed(title="Your answer", description=f"{body}\n\n{footer}"[:4096], colour=EMBED_COLOUR)


def schedule_line(view: ScheduleView, now: dt.datetime) -> str:
    s = view.schedule
    window = "until the next post" if s.window is None else f"for {s.window.total_seconds() / 3600:g} h"
    domains = f"domains {', '.join(view.domains)}" if view.domains else "all domains"
    if view.pack is not None:
        domains = f"{view.pack.upper()} {domains}"
    head = f"<#{view.channel_id}> at {s.time_of_day:%H:%M} {s.timezone}, {view.days_text}"
    head += f", open {window}, {domains}, answers by {view.answer_mode}"
    if view.discuss:
        head += ", a discussion thread at each reveal"
    if view.paused:
        return f"{head}\n⏸️ Paused" + (f": {view.pause_reason}" if view.pause_reason else "")
    _, when = s.next_occurrence(now)
    return f"{head}\nNext post {timestamp(when, 'F')} ({timestamp(when)})"


def discussion_name(plan: PostPlan) -> str:
    """The thread opened on a reveal: what the question asked, in the 100 characters a name allows."""
    stem = " ".join(plan.question.stem.split())
    name = f"Discuss: {stem}"
    return name if len(name) <= 100 else name[:99].rstrip() + "…"


def roundup_embed(results: list[tuple[int, int, int]], rounds: int) -> discord.Embed:
    embed = discord.Embed(title=f"Quiz over: {rounds} round{'s' if rounds != 1 else ''}", colour=EMBED_COLOUR)
    if not results:
        embed.description = "Nobody answered this time. `/quiz` starts another."
        return embed
    medals = ["🥇", "🥈", "🥉"]
    lines = [
        f"{medals[i] if i < 3 else f'{i + 1}.'} <@{user_id}> {correct}/{rounds} correct"
        + (f" ({answered} answered)" if answered != rounds else "")
        for i, (user_id, correct, answered) in enumerate(results[:20])
    ]
    embed.description = "\n".join(lines)
    embed.set_footer(text="Correct quiz answers earn 5 points each.")
    return embed
