"""What a member sees of a mock: the question card, the finish check, the report and the review."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import discord

from bot.discord.render import CHOOSE_WORDS, EMBED_COLOUR, answer_text, sequenced_body, stem_text, timestamp
from bot.discord.report_ui import ReportTarget, report_button
from bot.discord.review_ui import review_later_button
from bot.domain.grading import LETTER_EMOJI, extend_sequence, is_correct, shown_order
from bot.domain.pack import ExamPack, QuestionKind
from bot.services.mock import MockState, MockSummary

PREFIX = "studybot:mock"


def _custom_id(state: MockState, action: str, arg: str | int = "") -> str:
    return f"{PREFIX}:{state.id}:{action}" + (f":{arg}" if arg != "" else "")


#: Every mock button's custom_id: the mock, the action and its argument. Buttons carry all they need,
#: so they keep working after a restart and on old messages.
BUTTON_ID = re.compile(re.escape(PREFIX) + r":(?P<session>\d+):(?P<action>[a-z]+)(?::(?P<arg>[A-G0-9]+))?")


class MockView(discord.ui.View):
    """A mock card's buttons. Presses are routed by custom_id (see ``MockCog.on_interaction``), not by
    discord.py's view store: a busy mock answers many presses a second, and rebuilding each pressed
    message's view only to find the button again is work the custom_id makes needless. Not
    dispatchable, so discord.py keeps no copy of each card's view either."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    def is_dispatchable(self) -> bool:
        return False


#: Letter and flag buttons of cards sent before they named their question: which question such a card
#: shows is not known, so a press on one shows the member's current card instead of guessing.
UNPLACED_ACTIONS = frozenset({"pick", "flag"})


def parse_answer(arg: str) -> tuple[int, str]:
    """An ``answer`` button's argument: the question's position, then the letter (e.g. ``12B``)."""
    return int(arg[:-1]), arg[-1]


def parse_button(custom_id: str) -> tuple[int, str, str] | None:
    """(mock id, action, argument) of a mock button's custom_id; None for any other component."""
    match = BUTTON_ID.fullmatch(custom_id)
    return None if match is None else (int(match["session"]), match["action"], match["arg"] or "")


def _button(
    state: MockState,
    label: str,
    action: str,
    arg: str | int = "",
    *,
    style: discord.ButtonStyle,
    row: int,
    disabled: bool = False,
    emoji: str | None = None,
) -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label=label,
        style=style,
        custom_id=_custom_id(state, action, arg),
        row=row,
        disabled=disabled,
        emoji=emoji,
    )


def card_seed(state: MockState, position: int) -> int:
    """The same shuffled start for a mock's question on every card that shows it."""
    return state.id * 1000 + position


def progress_line(state: MockState) -> str:
    return (
        f"Question {state.position + 1} of {len(state.questions)} · {state.answered} answered · "
        f"{state.flagged_count} flagged · time left {timestamp(state.deadline)}"
    )


def question_embed(state: MockState) -> discord.Embed:
    question = state.current
    picked = state.answers[state.position]
    choose = ""
    if question.kind.sequenced:
        so_far = answer_text(question, picked) if picked else "nothing yet"
        lines = [
            sequenced_body(question, card_seed(state, state.position)),
            f"\nYour answer so far: **{so_far}**",
        ]
    else:
        lines = [
            f"{'✅ ' if o.letter in picked else ''}{LETTER_EMOJI[o.letter]} {o.text}"
            for o in question.options
        ]
    if question.kind is QuestionKind.MULTIPLE:
        choose = f"\n\n**Choose {CHOOSE_WORDS.get(question.choose, question.choose)}.**"
    flag = " 🚩" if state.flagged[state.position] else ""
    embed = discord.Embed(
        title=f"Mock exam · {state.pack.blueprint.code} · question {state.position + 1}{flag}",
        description=f"{stem_text(question)}\n\n" + "\n".join(lines) + choose,
        colour=EMBED_COLOUR,
    )
    embed.add_field(name="Progress", value=progress_line(state), inline=False)
    embed.set_footer(text="Answers and explanations are shown when you finish.")
    return embed


def question_view(state: MockState) -> MockView:
    view = MockView()
    question = state.current
    picked = state.answers[state.position]
    for index, option in enumerate(shown_order(question, card_seed(state, state.position))):
        style = discord.ButtonStyle.primary if option.letter in picked else discord.ButtonStyle.secondary
        # Letter and flag buttons name the question they belong to: a press on an older card of the
        # same mock acts on the question that card shows, never on wherever the member is now.
        answer = f"{state.position}{option.letter}"
        # An order or pairs: disabled where a press would change nothing.
        done = question.kind.sequenced and extend_sequence(question, picked, option.letter) == picked
        view.add_item(
            _button(state, option.letter, "answer", answer, style=style, row=index // 5, disabled=done)
        )
    if question.kind.sequenced:
        view.add_item(
            _button(
                state,
                "Undo",
                "undo",
                state.position,
                style=discord.ButtonStyle.secondary,
                row=1,
                disabled=not picked,
            )
        )
    last = state.position == len(state.questions) - 1
    nav = 2
    view.add_item(
        _button(
            state,
            "Back",
            "goto",
            max(0, state.position - 1),
            style=discord.ButtonStyle.secondary,
            row=nav,
            disabled=state.position == 0,
        )
    )
    view.add_item(
        _button(
            state,
            "Next",
            "goto",
            min(len(state.questions) - 1, state.position + 1),
            style=discord.ButtonStyle.secondary,
            row=nav,
            disabled=last,
        )
    )
    flagged = state.flagged[state.position]
    view.add_item(
        _button(
            state,
            "Unflag" if flagged else "Flag for review",
            "mark",
            state.position,
            style=discord.ButtonStyle.secondary,
            row=nav,
            emoji="🚩",
        )
    )
    view.add_item(_button(state, "Finish", "finish", style=discord.ButtonStyle.danger, row=nav))
    return view


def confirm_embed(state: MockState) -> discord.Embed:
    parts = []
    if state.unanswered:
        parts.append(f"{state.unanswered} unanswered (they count as wrong)")
    if state.flagged_count:
        parts.append(f"{state.flagged_count} flagged for review")
    embed = discord.Embed(
        title="Finish the mock?",
        description="You have " + " and ".join(parts) + ".",
        colour=discord.Colour.orange(),
    )
    embed.add_field(name="Progress", value=progress_line(state), inline=False)
    return embed


def confirm_view(state: MockState) -> MockView:
    view = MockView()
    view.add_item(_button(state, "Finish now", "confirm", style=discord.ButtonStyle.danger, row=0))
    view.add_item(
        _button(state, "Keep going", "goto", state.position, style=discord.ButtonStyle.secondary, row=0)
    )
    return view


def _duration(delta: dt.timedelta) -> str:
    minutes, seconds = divmod(int(delta.total_seconds()), 60)
    return f"{minutes} min {seconds:02d} s"


def report_embed(state: MockState, *, note: str | None = None) -> discord.Embed:
    report = state.report
    bp = state.pack.blueprint
    verdict = "above" if report.passed else "below"
    embed = discord.Embed(
        title=f"Mock exam result: {report.correct}/{report.asked} ({report.correct / report.asked:.0%})",
        description=(
            (f"{note}\n\n" if note else "")
            + f"Estimated scaled score **{report.scaled}** on {bp.scale.minimum}–{bp.scale.maximum}, "
            f"{verdict} the pass mark of {bp.scale.passing}.\n"
            "This is an estimate: blueprint-weighted accuracy per domain mapped onto the score scale."
        ),
        colour=discord.Colour.green() if report.passed else discord.Colour.orange(),
    )
    for result in report.domains:
        domain = bp.domain(result.domain_id)
        name = f"Domain {result.domain_id}: {domain.name if domain else ''}"[:256]
        flag = " · ⚠️ needs work" if report.needs_work(result) else ""
        embed.add_field(
            name=name, value=f"{result.correct}/{result.asked} ({result.accuracy:.0%}){flag}", inline=False
        )
    embed.add_field(name="Time used", value=_duration(state.time_used), inline=True)
    return embed


def report_view(state: MockState) -> MockView:
    view = MockView()
    view.add_item(_button(state, "Review answers", "review", 0, style=discord.ButtonStyle.primary, row=0))
    return view


def review_embed(state: MockState, index: int) -> discord.Embed:
    question = state.questions[index]
    given = state.answers[index]
    right = bool(given) and is_correct(question, given)
    key = answer_text(question, question.answer_key)
    if question.kind.sequenced:
        options = sequenced_body(question, card_seed(state, index))
    else:
        options = "\n".join(f"{LETTER_EMOJI[o.letter]} {o.text}" for o in question.options)
    embed = discord.Embed(
        title=f"Review {index + 1} of {len(state.questions)}: {'✅ correct' if right else '❌ wrong'}",
        description=f"{stem_text(question)}\n\n{options}"[:4096],
        colour=discord.Colour.green() if right else discord.Colour.red(),
    )
    embed.add_field(
        name="Your answer", value=answer_text(question, given) if given else "(none)", inline=True
    )
    embed.add_field(name="Key", value=key, inline=True)
    embed.add_field(name="Why", value=question.explanation[:1024], inline=False)
    if question.mistake and given and not right:
        embed.add_field(name="The tempting mistake", value=question.mistake[:1024], inline=False)
    for letter, reason in sorted(question.why_wrong.items()):
        if letter in given:
            embed.add_field(name=f"Why not {letter}", value=reason[:1024], inline=False)
    embed.add_field(name="Read more", value="\n".join(question.references)[:1024], inline=False)
    return embed


def review_view(state: MockState, index: int) -> MockView:
    view = MockView()
    view.add_item(
        _button(
            state,
            "Previous",
            "review",
            max(0, index - 1),
            style=discord.ButtonStyle.secondary,
            row=0,
            disabled=index == 0,
        )
    )
    view.add_item(
        _button(
            state,
            "Next",
            "review",
            min(len(state.questions) - 1, index + 1),
            style=discord.ButtonStyle.secondary,
            row=0,
            disabled=index >= len(state.questions) - 1,
        )
    )
    view.add_item(_button(state, "Back to the report", "report", style=discord.ButtonStyle.primary, row=0))
    later = review_later_button("mock", state.id, index)
    later.row = 1
    view.add_item(later)
    report = report_button(ReportTarget("mock", state.id, index))
    report.row = 1
    view.add_item(report)
    return view


def history_embed(summaries: list[MockSummary], pack: ExamPack) -> discord.Embed:
    passing = pack.blueprint.scale.passing
    embed = discord.Embed(title=f"Your {pack.blueprint.code} mock exams", colour=EMBED_COLOUR)
    if not summaries:
        embed.description = "No finished mocks yet. `/mock start` begins one."
        return embed
    lines = []
    ordered = list(reversed(summaries))
    for previous, item in zip([None, *ordered], ordered, strict=False):
        trend = (
            ""
            if previous is None
            else (" ↑" if item.scaled > previous.scaled else " ↓" if item.scaled < previous.scaled else " →")
        )
        lines.append(
            f"{timestamp(item.started_at, 'f')} · {item.correct}/{item.asked} · est. {item.scaled}{trend}"
            + (" ✅" if item.scaled >= passing else "")
        )
    embed.description = "\n".join(reversed(lines))
    return embed
