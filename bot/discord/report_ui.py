"""Report a problem: the button under a key (a reveal, a mock's review page, a /review result), the
menu of reasons, and the comment form.

Each step's custom_id names where the question was shown (``post``, ``mock`` or ``review`` with its id,
and the card's position), so any step works from an old message or after a restart; the question is
looked up again at each step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import discord

from bot.domain.reports import COMMENT_LIMIT, REPORT_REASONS

PREFIX = "studybot:report"
REPORT_ID = re.compile(
    re.escape(PREFIX)
    + r":(?P<step>ask|reason|comment|form):(?P<kind>post|mock|review):(?P<id>\d+)(?::(?P<position>\d+))?"
)


@dataclass(frozen=True)
class ReportTarget:
    """Where a question was shown: a post (daily or quiz), a mock, or a /review run, and the position."""

    kind: str
    source_id: int
    position: int | None = None

    def custom_id(self, step: str) -> str:
        tail = "" if self.position is None else f":{self.position}"
        return f"{PREFIX}:{step}:{self.kind}:{self.source_id}{tail}"


def parse(custom_id: str) -> tuple[str, ReportTarget] | None:
    match = REPORT_ID.fullmatch(custom_id)
    if match is None:
        return None
    position = None if match["position"] is None else int(match["position"])
    return match["step"], ReportTarget(match["kind"], int(match["id"]), position)


def report_button(target: ReportTarget) -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label="Report a problem",
        emoji="⚠️",
        custom_id=target.custom_id("ask"),
        style=discord.ButtonStyle.secondary,
    )


class RoutedView(discord.ui.View):
    """Not dispatchable: presses are routed by custom_id (see ``FeedbackCog.on_interaction``)."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    def is_dispatchable(self) -> bool:
        return False


def reason_menu(target: ReportTarget, question_id: str) -> tuple[str, RoutedView]:
    view = RoutedView()
    view.add_item(
        discord.ui.Select(
            custom_id=target.custom_id("reason"),
            placeholder="What is wrong?",
            options=[discord.SelectOption(label=label, value=code) for code, label in REPORT_REASONS.items()],
        )
    )
    return f"What is wrong with question `{question_id}`? Pick the closest reason.", view


def thanks(target: ReportTarget, question_id: str, reason: str) -> tuple[str, RoutedView]:
    view = RoutedView()
    view.add_item(
        discord.ui.Button(
            label="Add a comment", custom_id=target.custom_id("comment"), style=discord.ButtonStyle.primary
        )
    )
    text = (
        f"Thank you: question `{question_id}` is reported as **{REPORT_REASONS[reason].lower()}**. "
        "The people who keep the questions see every report beside how members answered it. "
        "A comment (what the right answer is, and where it says so) helps them most."
    )
    return text, view


class CommentForm(discord.ui.Modal):
    def __init__(self, target: ReportTarget, question_id: str) -> None:
        super().__init__(
            title=f"Report on {question_id}"[:45], custom_id=target.custom_id("form"), timeout=None
        )
        self.add_item(
            discord.ui.TextInput(
                label="Your comment",
                custom_id="comment",
                style=discord.TextStyle.paragraph,
                max_length=COMMENT_LIMIT,
                placeholder="e.g. B is right too: the SageMaker docs say ...",
            )
        )


def typed_comment(data: dict[str, Any]) -> str:
    """The comment a submitted form carries, whether its field came in an action row or a label."""
    pending = list(data.get("components", []))
    while pending:
        component = pending.pop()
        if component.get("custom_id") == "comment":
            return str(component.get("value", ""))
        pending.extend(component.get("components", []))
        if "component" in component:
            pending.append(component["component"])
    return ""
