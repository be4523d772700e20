"""What a member sees of /review: a card, its result with the next date, and the summary.

Buttons carry everything they need in their custom_id and are routed by it (``ReviewCog``); the run is
in the database, so an old card keeps working after a restart or an expired token.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import discord

from bot.discord.render import CHOOSE_WORDS, EMBED_COLOUR, answer_text, sequenced_body, stem_text, timestamp
from bot.discord.report_ui import ReportTarget, report_button
from bot.domain.grading import LETTER_EMOJI, shown_order
from bot.domain.pack import QuestionKind
from bot.domain.review import describe_interval
from bot.services.reviews import ReviewRun, ReviewSummary

PREFIX = "studybot:review"
BUTTON_ID = re.compile(re.escape(PREFIX) + r":(?P<run>\d+):(?P<action>[a-z]+)(?::(?P<arg>[A-G0-9-]+))?")


class ReviewView(discord.ui.View):
    """Not dispatchable: presses are routed by custom_id (see ``ReviewCog.on_interaction``)."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    def is_dispatchable(self) -> bool:
        return False


#: "Review later" on a reveal (``post``) or a mock's review page (``mock``, with the card's position).
LATER_ID = re.compile(r"studybot:later:(?P<kind>post|mock):(?P<id>\d+)(?::(?P<position>\d+))?")


def review_later_button(kind: str, source_id: int, position: int | None = None) -> discord.ui.Button[Any]:
    custom = f"studybot:later:{kind}:{source_id}" + ("" if position is None else f":{position}")
    return discord.ui.Button(
        label="Review later", emoji="🔁", custom_id=custom, style=discord.ButtonStyle.secondary
    )


def parse_later(custom_id: str) -> tuple[str, int, int | None] | None:
    match = LATER_ID.fullmatch(custom_id)
    if match is None:
        return None
    position = match["position"]
    return match["kind"], int(match["id"]), None if position is None else int(position)


def parse_button(custom_id: str) -> tuple[int, str, str] | None:
    match = BUTTON_ID.fullmatch(custom_id)
    return None if match is None else (int(match["run"]), match["action"], match["arg"] or "")


def _button(
    run: ReviewRun, label: str, action: str, arg: str | int = "", **options: Any
) -> discord.ui.Button[Any]:
    custom = f"{PREFIX}:{run.id}:{action}" + (f":{arg}" if arg != "" else "")
    return discord.ui.Button(label=label, custom_id=custom, **options)


def card(run: ReviewRun, position: int) -> tuple[discord.Embed, ReviewView]:
    """A card to answer (or, once answered, its result)."""
    if position in run.answers:
        return result(run, position, dt.datetime.now(dt.UTC))
    question = run.questions[position]
    picked = run.picked.get(position, "")
    if question.kind.sequenced:
        so_far = answer_text(question, picked) if picked else "nothing yet"
        options = f"{sequenced_body(question, run.id * 1000 + position)}\n\nYour answer so far: **{so_far}**"
    else:
        options = "\n".join(
            f"{'✅ ' if o.letter in picked else ''}{LETTER_EMOJI[o.letter]} {o.text}"
            for o in question.options
        )
    choose = ""
    if question.kind is QuestionKind.MULTIPLE:
        choose = f"\n\n**Choose {CHOOSE_WORDS.get(question.choose, question.choose)}**, then press Check."
    embed = discord.Embed(
        title=f"Review {position + 1} of {len(run.questions)} · {run.pack.blueprint.code}",
        description=f"{stem_text(question)}\n\n{options}{choose}"[:4096],
        colour=EMBED_COLOUR,
    )
    embed.set_footer(text="A question you missed before. Answers count in your statistics, not for points.")
    view = ReviewView()
    built = question.kind is QuestionKind.MULTIPLE or question.kind.sequenced  # then checked
    action = "toggle" if built else "answer"
    for index, option in enumerate(shown_order(question, run.id * 1000 + position)):
        style = discord.ButtonStyle.primary if option.letter in picked else discord.ButtonStyle.secondary
        view.add_item(
            _button(run, option.letter, action, f"{position}{option.letter}", style=style, row=index // 5)
        )
    if question.kind.sequenced:
        view.add_item(_button(run, "Undo", "toggle", f"{position}-", disabled=not picked, row=2))
    if built:
        view.add_item(_button(run, "Check", "check", position, style=discord.ButtonStyle.success, row=2))
    return embed, view


def result(run: ReviewRun, position: int, now: dt.datetime) -> tuple[discord.Embed, ReviewView]:
    question = run.questions[position]
    right = run.correct(position)
    key = answer_text(question, question.answer_key)
    due = run.next_due.get(position)
    back = "" if due is None else f"\n\n🔁 {describe_interval(due - now).capitalize()} ({timestamp(due)})."
    given = answer_text(question, run.answers[position])
    embed = discord.Embed(
        title=f"Review {position + 1} of {len(run.questions)}: {'✅ right' if right else '❌ wrong'}",
        description=f"**Key: {key}** · you answered {given}\n\n{question.explanation}{back}",
        colour=discord.Colour.green() if right else discord.Colour.red(),
    )
    for letter in sorted(run.answers[position]):
        if letter in question.why_wrong:
            embed.add_field(name=f"Why not {letter}", value=question.why_wrong[letter][:1024], inline=False)
    embed.add_field(name="Read more", value="\n".join(question.references)[:1024], inline=False)
    view = ReviewView()
    following = position + 1
    if following < len(run.questions):
        view.add_item(_button(run, "Next card", "goto", following, style=discord.ButtonStyle.primary))
    else:
        view.add_item(_button(run, "See the summary", "done", style=discord.ButtonStyle.primary))
    view.add_item(report_button(ReportTarget("review", run.id, position)))
    return embed, view


def summary_embed(run: ReviewRun, summary: ReviewSummary) -> discord.Embed:
    lines = [f"**{summary.right} right, {summary.wrong} wrong** of {len(run.questions)} cards."]
    if summary.next_due is not None:
        lines.append(
            f"Next card due {timestamp(summary.next_due)}; {summary.queue} in your queue for this exam."
        )
    lines.append("Wrong answers come back sooner; right ones later and later until they are learned.")
    return discord.Embed(
        title=f"Review done · {run.pack.blueprint.code}", description="\n".join(lines), colour=EMBED_COLOUR
    )
