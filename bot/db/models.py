"""The tables. Alembic owns the schema (`migrations/`); these typed models mirror it exactly."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so SQLite batch migrations can find them again.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class BotState(Base):
    """Small key/value facts about the bot itself, e.g. the hash of the last synced command set."""

    __tablename__ = "bot_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Guild(Base):
    __tablename__ = "guilds"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    pack: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64))
    hide_answers: Mapped[bool] = mapped_column(Boolean, default=False)
    quiz_window_seconds: Mapped[int] = mapped_column(Integer, default=60)
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # Leaderboards count answers from here on (`/scores reset` starts a new season).
    season_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # When the bot last said hello on joining (a quick rejoin says nothing again).
    welcomed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ReviewCard(Base):
    """A question in a member's spaced-review queue for one exam (FSRS state, see bot.domain.review).

    Every wrong answer (daily, quiz, mock, review) puts its question here; later answers move it on.
    Kept per member and exam, not per server: what a member has learned goes where they go.
    """

    __tablename__ = "review_cards"
    __table_args__ = (
        # "What is due" for a member and an exam reads this index in due order.
        Index("ix_review_cards_due", "user_id", "pack", "due"),
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    pack: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    due: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[int] = mapped_column(Integer)  # 1 learning, 2 review, 3 relearning
    step: Mapped[int | None] = mapped_column(Integer, default=None)
    stability: Mapped[float | None] = mapped_column(Float, default=None)
    difficulty: Mapped[float | None] = mapped_column(Float, default=None)
    last_review: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SetupDraft(Base):
    """An admin's `/setup` answers so far: kept here, not in a schedule, so abandoning it leaves nothing
    half-made, and a restart or an expired interaction loses nothing."""

    __tablename__ = "setup_drafts"
    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    choices: Mapped[str] = mapped_column(Text, default="{}")  # JSON: exam, channel, time, timezone, ...
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Schedule(Base):
    """A question-of-the-day schedule: one per channel."""

    __tablename__ = "schedules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    time_of_day: Mapped[str] = mapped_column(String(5))  # "HH:MM", local to `timezone`
    timezone: Mapped[str] = mapped_column(String(64))
    weekdays: Mapped[int] = mapped_column(Integer)  # bit 0 = Monday .. bit 6 = Sunday
    window_minutes: Mapped[int | None] = mapped_column(Integer, default=None)  # None: until the next post
    domains: Mapped[str] = mapped_column(String(200), default="")  # comma-separated domain ids; "" = all
    answer_mode: Mapped[str] = mapped_column(String(16), default="reactions")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # When its time, days or pause last changed: an occurrence before that was never due.
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # The exam this channel studies; None: the server's default exam at the time of each post.
    pack: Mapped[str | None] = mapped_column(String(64), default=None)
    # Open a thread on each reveal for members to discuss the question.
    discuss: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Post(Base):
    """A question posted in a channel (a daily occurrence or a quiz round)."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("schedule_id", "occurrence", name="uq_posts_schedule_occurrence"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(BigInteger, index=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, unique=True, default=None)
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedules.id", ondelete="SET NULL"), default=None
    )
    occurrence: Mapped[dt.date | None] = mapped_column(Date, default=None)
    kind: Mapped[str] = mapped_column(String(16))  # daily | quiz
    # A quiz is a series of rounds; each round is a post. series_id is the first round's post id.
    series_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    rounds: Mapped[int] = mapped_column(Integer, default=1)
    domains: Mapped[str] = mapped_column(String(200), default="")
    pack: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    answer_mode: Mapped[str] = mapped_column(String(16), default="reactions")
    # posting (claimed, message not yet confirmed) -> open -> scored (graded, reveal not yet sent) -> closed
    state: Mapped[str] = mapped_column(String(16), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revealed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    reveal_message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)


class Answer(Base):
    """A member's locked answer to a post. One per post and member, enforced here."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("post_id", "user_id", name="uq_answers_post_user"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    letters: Mapped[str] = mapped_column(String(8))  # an order or matching pairs: up to 7
    locked: Mapped[bool] = mapped_column(Boolean, default=False)  # a complete answer; later picks are ignored
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class MockSession(Base):
    __tablename__ = "mock_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    pack: Mapped[str] = mapped_column(String(64))
    question_ids: Mapped[str] = mapped_column(Text)  # comma-separated, in exam order
    position: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    correct: Mapped[int | None] = mapped_column(Integer, default=None)
    scaled_score: Mapped[int | None] = mapped_column(Integer, default=None)


class MockAnswer(Base):
    __tablename__ = "mock_answers"
    session_id: Mapped[int] = mapped_column(
        ForeignKey("mock_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    letters: Mapped[str] = mapped_column(String(8), default="")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)


class Attempt(Base):
    """Every graded answer from every source: the facts that statistics and leaderboards derive from."""

    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_guild_time", "guild_id", "answered_at"),
        Index("ix_attempts_member", "guild_id", "user_id", "answered_at"),
        Index("ix_attempts_user", "user_id", "answered_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    user_id: Mapped[int] = mapped_column(BigInteger)
    pack: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    domain_id: Mapped[str] = mapped_column(String(16))
    task_id: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8))  # daily | quiz | mock | review
    correct: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[int] = mapped_column(Integer, default=0)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # The answer given ("" left blank; None: graded before answers were kept), for item analysis.
    letters: Mapped[str | None] = mapped_column(String(8), default=None)


class MemberStat(Base):
    """Per member, per task statement running totals, maintained as answers are graded."""

    __tablename__ = "member_stats"
    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    pack: Mapped[str] = mapped_column(String(64), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    domain_id: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)


class Member(Base):
    """A member's standing in one server: points and the daily streak."""

    __tablename__ = "members"
    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    streak: Mapped[int] = mapped_column(Integer, default=0)
    best_streak: Mapped[int] = mapped_column(Integer, default=0)
    last_streak_day: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # Set when the member is found to have left the server (or deleted their account).
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    season_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)


_BOARD = ("guild_id", "period", "period_start", "domain_id")


class PeriodStat(Base):
    """Leaderboard totals per member, maintained as answers are graded, so a board never scans answers.

    One row per (server, member, period, period start, board): board "" is the overall board (points
    and accuracy across every exam); a domain board is "<pack>:<domain id>", since each exam numbers
    its own domains. Periods are week (from Monday), month and all (start 1970-01-01), in the server's
    timezone.
    """

    __tablename__ = "period_stats"
    __table_args__ = (
        # Every column a board orders by, so a member's rank is counted from the index alone.
        Index("ix_period_stats_board", *_BOARD, "points", "correct", "user_id"),
        Index("ix_period_stats_accuracy", *_BOARD, "accuracy", "answered", "user_id"),
        Index("ix_period_stats_user", "user_id"),
    )
    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    # "<pack>:<domain id>": a server's own pack's slug is up to 64 characters, a domain id 16.
    domain_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    # correct / answered in parts per million, kept with the counts so accuracy boards read an index
    accuracy: Mapped[int] = mapped_column(Integer, default=0)


class ScoreArchive(Base):
    """The standings as they were when an admin reset the scores."""

    __tablename__ = "score_archive"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    points: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer)
    best_streak: Mapped[int] = mapped_column(Integer)
    archived_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ReviewSession(Base):
    """A member's private /review run: the cards drawn, and each answer given (so a restart loses
    nothing, and a second press on a card already answered grades nothing twice)."""

    __tablename__ = "review_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    pack: Mapped[str] = mapped_column(String(64))
    question_ids: Mapped[str] = mapped_column(Text)  # comma-separated, in the order asked
    answers: Mapped[str] = mapped_column(Text, default="{}")  # JSON: position -> letters given
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class StudyPlan(Base):
    """A member's exam and date, their daily goal, and (opt-in) when to remind them."""

    __tablename__ = "study_plans"
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    pack: Mapped[str] = mapped_column(String(64))
    exam_date: Mapped[dt.date] = mapped_column(Date)
    daily_goal: Mapped[int] = mapped_column(Integer, default=10)
    timezone: Mapped[str] = mapped_column(String(64))
    reminder_time: Mapped[str | None] = mapped_column(String(5), default=None)  # "HH:MM", local
    reminders: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # After the date: "passed", "not-yet" or "skip", for the member's own history only.
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    # The member's local day a reminder was last claimed: at most one a day, whatever restarts.
    reminded_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # Their DMs refused a reminder: reminders pause, and the member is told once (``dm_closed_told``).
    dm_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    dm_closed_told: Mapped[bool] = mapped_column(Boolean, default=False)


class QuestionReport(Base):
    """A member's report of a problem with a question (wrong key, outdated, ...): one per member and
    question, a second report replacing the first."""

    __tablename__ = "question_reports"
    __table_args__ = (
        UniqueConstraint("user_id", "pack", "question_id", name="uq_question_reports_member_question"),
        Index("ix_question_reports_pack_question", "pack", "question_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pack: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    guild_id: Mapped[int | None] = mapped_column(BigInteger, default=None, index=True)  # None: in DMs
    user_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    source: Mapped[str] = mapped_column(String(8))  # where it was reported: daily | quiz | mock | review
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ServerPack(Base):
    """A question pack a server uploaded: for that server only. The file itself is kept, so the pack is
    loaded again at each start and can be downloaded; a removed pack keeps its row (``removed_at``) so
    the statistics that name it stay readable."""

    __tablename__ = "server_packs"
    __table_args__ = (UniqueConstraint("slug", name="uq_server_packs_slug"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    slug: Mapped[str] = mapped_column(String(64))  # "<name>@<server id>": unique across servers
    name: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(128))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    questions: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
