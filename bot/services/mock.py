"""Private timed mock exams. All state is in the database, so a restart loses nothing.

Each press is committed before it is answered; the bot also keeps the running mocks it has seen in
memory, so a press needs no reads. When many members are in a mock at once (each pressing every second
or two), presses that arrive together share one transaction (group commit). Presses on one mock are
handled one at a time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import random
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo
from bot.db.group_commit import GroupCommit
from bot.db.models import MockSession
from bot.db.timestamps import as_utc
from bot.domain.grading import extend_sequence, is_correct, undo_sequence
from bot.domain.mock import MOCK_SIZES, MockReport, draw_mock, grade_mock, time_allowed
from bot.domain.pack import ExamPack, Question, QuestionKind
from bot.errors import NotFoundError, QuestionWithdrawn, UserError, echo
from bot.services.guilds import GuildService
from bot.services.keyed_locks import KeyedLocks
from bot.services.reviews import record_in_reviews

#: Presses per transaction at most: bounds how long one transaction holds SQLite's writer.
MAX_PRESS_BATCH = 500


class MockClosed(UserError):
    """A press on a mock that is over: finished by the member, or by its deadline."""

    def __init__(self, *, timed_out: bool) -> None:
        super().__init__(
            "Time is up: the mock finished on its own and unanswered questions count as wrong."
            if timed_out
            else "This mock is finished. Its report is below; `/mock start` begins a new one."
        )
        self.timed_out = timed_out


@dataclass(frozen=True)
class MockState:
    id: int
    user_id: int
    guild_id: int | None
    pack: ExamPack
    questions: tuple[Question, ...]
    answers: tuple[str, ...]
    flagged: tuple[bool, ...]
    position: int
    started_at: dt.datetime
    deadline: dt.datetime
    finished_at: dt.datetime | None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def current(self) -> Question:
        return self.questions[self.position]

    @property
    def answered(self) -> int:
        return sum(len(a) == q.choose for a, q in zip(self.answers, self.questions, strict=True))

    @property
    def unanswered(self) -> int:
        return len(self.questions) - self.answered

    @property
    def flagged_count(self) -> int:
        return sum(self.flagged)

    @property
    def report(self) -> MockReport:
        return grade_mock(self.pack, self.questions, self.answers)

    @property
    def time_used(self) -> dt.timedelta:
        end = self.finished_at or self.deadline
        return min(end, self.deadline) - self.started_at


@dataclass(frozen=True)
class MockSummary:
    id: int
    started_at: dt.datetime
    asked: int
    correct: int
    scaled: int


class MockService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        guilds: GuildService,
        rng: random.Random | None = None,
    ) -> None:
        self._sessions = sessions
        self._guilds = guilds
        self._rng = rng or random.Random()  # noqa: S311 - shuffling practice questions
        self._running: dict[int, MockState] = {}  # unfinished mocks, as last written
        self._locks = KeyedLocks()
        self._presses: GroupCommit[repo.MockPressRow, bool] = GroupCommit(
            functools.partial(repo.save_mock_presses, sessions),
            max_batch=MAX_PRESS_BATCH,
            name="mock-press-writer",
        )

    def _turn(self, session_id: int) -> AbstractAsyncContextManager[None]:
        """Presses on one mock are handled one at a time."""
        return self._locks.hold(("mock", session_id))

    async def _open_state(self, session_id: int, user_id: int, now: dt.datetime) -> MockState:
        """The running mock a press acts on, from memory or the database; closed if it is over."""
        state = self._running.get(session_id)
        if state is None:
            async with self._sessions.begin() as session:
                row = await self._editable(session, session_id, user_id, now)
                state = await self._state(session, row)
            self._running[session_id] = state
        if state.user_id != user_id:
            raise UserError("This is not your mock. Start your own with `/mock start`.")
        if state.deadline <= now:
            self._running.pop(session_id, None)
            async with self._sessions.begin() as session:
                await self._editable(session, session_id, user_id, now)  # finishes it and raises
        return state

    async def start(
        self,
        user_id: int,
        guild_id: int | None,
        size: int,
        domain_id: str | None,
        now: dt.datetime,
        exam: str | None = None,
    ) -> MockState:
        if size not in MOCK_SIZES:
            raise UserError(f"A mock has {', '.join(map(str, MOCK_SIZES))} questions.")
        pack = await self._guilds.exam_for(guild_id, exam, now)
        if domain_id is not None and pack.blueprint.domain(domain_id) is None:
            listing = ", ".join(f"{d.id} ({d.name})" for d in pack.blueprint.domains)
            raise UserError(f"Unknown domain {echo(domain_id)}. {pack.blueprint.code} has {listing}.")
        # One start at a time per member: a double-clicked command must not open two mocks.
        async with self._locks.hold(("member", user_id)):
            known = await repo.before_new_mock(self._sessions, user_id, guild_id, pack.slug)
            if known.running_id is not None:
                await self._close_running(known.running_id, user_id, now)
                known = await repo.before_new_mock(self._sessions, user_id, guild_id, pack.slug)
            questions = tuple(
                draw_mock(pack, size, self._rng, last_seen=known.last_seen, domain_id=domain_id)
            )
            deadline = now + time_allowed(pack.blueprint, size)
            mock_id = await repo.create_mock(
                self._sessions,
                repo.NewMock(guild_id, user_id, pack.slug, tuple(q.id for q in questions), now, deadline),
            )
        state = MockState(
            mock_id,
            user_id,
            guild_id,
            pack,
            questions,
            ("",) * len(questions),
            (False,) * len(questions),
            0,
            now,
            deadline,
            None,
        )
        self._running[state.id] = state
        return state

    async def _close_running(self, mock_id: int, user_id: int, now: dt.datetime) -> None:
        """Before a new mock: refuse while one is running, finish one whose time ran out."""
        async with self._turn(mock_id), self._sessions.begin() as session:
            row = await self._owned(session, mock_id, user_id)
            if row.finished_at is None and as_utc(row.deadline) > now:
                raise UserError("You already have a mock running. `/mock resume` brings it back.")
            if row.finished_at is None:
                await self._finish(session, await self._current(session, row), now)

    async def _state(self, session: AsyncSession, row: MockSession) -> MockState:
        pack = self._guilds.pack(row.pack)
        # QuestionWithdrawn if one left the bank: dropping it would shift every later answer.
        questions = tuple(self._guilds.question(row.pack, qid) for qid in row.question_ids.split(","))
        answers = [""] * len(questions)
        flagged = [False] * len(questions)
        for answer in await repo.mock_answers(session, row.id):
            if answer.position < len(questions):
                answers[answer.position], flagged[answer.position] = answer.letters, answer.flagged
        finished = None if row.finished_at is None else as_utc(row.finished_at)
        return MockState(
            row.id,
            row.user_id,
            row.guild_id,
            pack,
            questions,
            tuple(answers),
            tuple(flagged),
            row.position,
            as_utc(row.started_at),
            as_utc(row.deadline),
            finished,
        )

    async def _owned(self, session: AsyncSession, session_id: int, user_id: int) -> MockSession:
        row = await session.get(MockSession, session_id)
        if row is None:
            raise NotFoundError("That mock no longer exists.")
        if row.user_id != user_id:
            raise UserError("This is not your mock. Start your own with `/mock start`.")
        return row

    async def get(self, session_id: int, user_id: int, now: dt.datetime) -> MockState:
        """The mock as it stands; one whose time ran out is finished on the way."""
        async with self._sessions.begin() as session:
            row = await self._owned(session, session_id, user_id)
            if row.finished_at is None and as_utc(row.deadline) <= now:
                return await self._closed(session, row, now)
            return await self._state(session, row)

    async def active(self, user_id: int, guild_id: int | None, now: dt.datetime) -> MockState | None:
        """The member's running mock in this server (mocks belong to the server they started in)."""
        async with self._sessions.begin() as session:
            row = await repo.running_mock(session, user_id, guild_id)
            if row is None:
                return None
        state = await self.get(row.id, user_id, now)
        return None if state.finished else state

    async def _editable(
        self, session: AsyncSession, session_id: int, user_id: int, now: dt.datetime
    ) -> MockSession:
        row = await self._owned(session, session_id, user_id)
        if row.finished_at is not None:
            raise MockClosed(timed_out=as_utc(row.finished_at) >= as_utc(row.deadline))
        if as_utc(row.deadline) <= now:
            await self._finish(session, await self._current(session, row), now)
            raise MockClosed(timed_out=True)
        return row

    async def pick(
        self, session_id: int, user_id: int, position: int, letter: str, now: dt.datetime
    ) -> MockState:
        """Answer the question at ``position`` (the one on the card pressed, which may not be the
        member's latest card). Single answer: choose the letter. Multiple response: toggle it (up to
        `choose` letters)."""
        async with self._turn(session_id):
            state = await self._at(await self._open_state(session_id, user_id, now), position)
            question, letters = state.current, state.answers[state.position]
            if letter not in question.letters:
                raise UserError(f"This question has no option {letter}.")
            if question.kind.sequenced:  # the next item of the order, or the next prompt's response
                extended = extend_sequence(question, letters, letter)
                if extended == letters:
                    raise UserError("That one is placed already, or the answer is complete: Undo first.")
                letters = extended
            elif question.kind is QuestionKind.SINGLE:
                letters = letter
            elif letter in letters:
                letters = letters.replace(letter, "")
            elif len(letters) < question.choose:
                letters = "".join(sorted(letters + letter))
            else:
                raise UserError(f"Choose {question.choose}: take a letter back before picking another.")
            return await self._save_answer(state, letters, state.flagged[state.position])

    async def undo(self, session_id: int, user_id: int, position: int, now: dt.datetime) -> MockState:
        """Take back the last item placed (or response given) on an ordering or matching question."""
        async with self._turn(session_id):
            state = await self._at(await self._open_state(session_id, user_id, now), position)
            letters = undo_sequence(state.answers[state.position])
            return await self._save_answer(state, letters, state.flagged[state.position])

    async def flag(self, session_id: int, user_id: int, position: int, now: dt.datetime) -> MockState:
        """Flag (or unflag) the question at ``position`` for review."""
        async with self._turn(session_id):
            state = await self._at(await self._open_state(session_id, user_id, now), position)
            return await self._save_answer(
                state, state.answers[state.position], not state.flagged[state.position]
            )

    async def _at(self, state: MockState, position: int) -> MockState:
        """The mock moved to ``position`` (a press on an older card acts on the question it shows)."""
        if not 0 <= position < len(state.questions):
            raise UserError("That question is not in this mock. `/mock resume` shows where you are.")
        if position == state.position:
            return state
        return await self._write(
            (state.id, position, None, False), dataclasses.replace(state, position=position)
        )

    async def _save_answer(self, state: MockState, letters: str, flagged: bool) -> MockState:
        answers, marks = list(state.answers), list(state.flagged)
        answers[state.position], marks[state.position] = letters, flagged
        updated = dataclasses.replace(state, answers=tuple(answers), flagged=tuple(marks))
        return await self._write((state.id, state.position, letters, flagged), updated)

    async def move(self, session_id: int, user_id: int, position: int, now: dt.datetime) -> MockState:
        async with self._turn(session_id):
            state = await self._open_state(session_id, user_id, now)
            position = max(0, min(len(state.questions) - 1, position))
            updated = dataclasses.replace(state, position=position)
            return await self._write((session_id, position, None, False), updated)

    async def _write(self, press: repo.MockPressRow, updated: MockState) -> MockState:
        if not await self._presses.submit(press):  # finished meanwhile (by its deadline job)
            self._running.pop(updated.id, None)
            raise MockClosed(timed_out=True)
        self._running[updated.id] = updated
        return updated

    async def running(self, session_id: int, user_id: int, now: dt.datetime) -> MockState:
        """A running mock as it stands, without changing it; closed if it is over."""
        async with self._turn(session_id):
            return await self._open_state(session_id, user_id, now)

    async def finish(self, session_id: int, user_id: int, now: dt.datetime) -> MockState:
        async with self._turn(session_id), self._sessions.begin() as session:
            return await self._closed(session, await self._owned(session, session_id, user_id), now)

    async def _closed(self, session: AsyncSession, row: MockSession, now: dt.datetime) -> MockState:
        """The mock finished: by this call (graded now) or already (as it was graded then)."""
        if row.finished_at is None:
            finished = await self._finish(session, await self._current(session, row), now)
            if finished is not None:
                return finished
            await session.refresh(row)
        return await self._state(session, row)

    async def expire(self, session_id: int, now: dt.datetime) -> bool:
        """The deadline job: finish a mock whose time is up. True if this call finished it."""
        async with self._turn(session_id), self._sessions.begin() as session:
            row = await session.get(MockSession, session_id)
            if row is None or row.finished_at is not None or as_utc(row.deadline) > now:
                return False
            return await self._finish(session, await self._current(session, row), now) is not None

    async def _current(self, session: AsyncSession, row: MockSession) -> MockState:
        """A mock as it stands: from memory while it runs (every press is committed before the
        state in memory changes, so it is what the database holds), else from the database."""
        return self._running.get(row.id) or await self._state(session, row)

    async def _finish(self, session: AsyncSession, state: MockState, now: dt.datetime) -> MockState | None:
        """Grade once: statistics count mock answers (marked as such); they earn no points.
        Returns the finished mock, or None if it had already finished."""
        self._running.pop(state.id, None)
        at = min(now, state.deadline)
        report = state.report
        if not await repo.finish_mock(session, state.id, at, report.correct, report.scaled):
            return None
        graded = [
            repo.GradedAnswer(
                state.guild_id,
                state.user_id,
                state.pack.slug,
                question.id,
                question.domain_id,
                question.task_id,
                "mock",
                bool(letters) and is_correct(question, letters),
                0,
                at,
                letters,
            )
            for question, letters in zip(state.questions, state.answers, strict=True)
        ]
        await repo.add_graded(session, graded)
        await record_in_reviews(session, graded, at)
        return dataclasses.replace(state, finished_at=at)

    async def close_withdrawn(self, now: dt.datetime) -> list[tuple[int, int]]:
        """Close, ungraded, every running mock that asks a question (or pack) no longer in the bank;
        (mock id, member) of each, so the member can be told."""
        closed = []
        async with self._sessions.begin() as session:
            for row in await repo.unfinished_mocks(session):
                try:
                    for question_id in row.question_ids.split(","):
                        self._guilds.question(row.pack, question_id)
                except QuestionWithdrawn:
                    if await repo.withdraw_mock(session, row.id, now):
                        self._running.pop(row.id, None)
                        closed.append((row.id, row.user_id))
        return closed

    async def unfinished(self) -> list[tuple[int, int | None, dt.datetime]]:
        """Every unfinished mock: its id, its server (None: direct messages) and its deadline."""
        async with self._sessions.begin() as session:
            return [
                (row.id, row.guild_id, as_utc(row.deadline)) for row in await repo.unfinished_mocks(session)
            ]

    def forget_member(self, user_id: int) -> None:
        """The member's data was erased: drop their running mocks held in memory too."""
        for mock_id in [m for m, state in self._running.items() if state.user_id == user_id]:
            self._running.pop(mock_id, None)

    async def history(
        self, user_id: int, guild_id: int | None, pack: str, limit: int = 10
    ) -> list[MockSummary]:
        """The member's finished mocks of one exam in this server, newest first."""
        async with self._sessions.begin() as session:
            rows = await repo.mock_history(session, user_id, guild_id, pack, limit)
            return [
                MockSummary(
                    r.id,
                    as_utc(r.started_at),
                    len(r.question_ids.split(",")),
                    r.correct or 0,
                    r.scaled_score or 0,
                )
                for r in rows
            ]
