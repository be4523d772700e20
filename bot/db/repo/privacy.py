"""Everything stored about one person: exported, or erased."""

from __future__ import annotations

from sqlalchemy import (
    delete,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Answer,
    Attempt,
    Member,
    MemberStat,
    MockAnswer,
    MockSession,
    PeriodStat,
    QuestionReport,
    ReviewCard,
    ReviewSession,
    Schedule,
    ScoreArchive,
    ServerPack,
    StudyPlan,
)

USER_TABLES = (
    Answer,
    Attempt,
    MemberStat,
    Member,
    PeriodStat,
    ScoreArchive,
    ReviewCard,
    ReviewSession,
    StudyPlan,
    QuestionReport,
)


async def rows_of_user(session: AsyncSession, user_id: int) -> dict[str, list[dict[str, object]]]:
    """Everything stored about one person, table by table, as plain values."""
    out: dict[str, list[dict[str, object]]] = {}
    for model in (*USER_TABLES, MockSession):
        rows = (await session.scalars(select(model).where(model.user_id == user_id))).all()
        out[model.__tablename__] = [{c.key: getattr(r, c.key) for c in model.__table__.columns} for r in rows]
    session_ids = [int(r["id"]) for r in out[MockSession.__tablename__]]  # type: ignore[call-overload]
    answers = (await session.scalars(select(MockAnswer).where(MockAnswer.session_id.in_(session_ids)))).all()
    out[MockAnswer.__tablename__] = [
        {c.key: getattr(r, c.key) for c in MockAnswer.__table__.columns} for r in answers
    ]
    # Schedules are a server's, not the member's: only that this member created them.
    created = (await session.scalars(select(Schedule).where(Schedule.created_by == user_id))).all()
    out["schedules_created"] = [
        {"guild_id": s.guild_id, "channel_id": s.channel_id, "created_at": s.created_at} for s in created
    ]
    uploaded = (await session.scalars(select(ServerPack).where(ServerPack.uploaded_by == user_id))).all()
    out["packs_uploaded"] = [
        {"guild_id": p.guild_id, "pack": p.slug, "uploaded_at": p.uploaded_at} for p in uploaded
    ]
    return out


async def delete_user(session: AsyncSession, user_id: int) -> None:
    for model in USER_TABLES:
        await session.execute(delete(model).where(model.user_id == user_id))
    await session.execute(delete(MockSession).where(MockSession.user_id == user_id))  # answers cascade
    # The server keeps its schedules and packs; who made them is the member's to erase.
    await session.execute(update(Schedule).where(Schedule.created_by == user_id).values(created_by=0))
    await session.execute(update(ServerPack).where(ServerPack.uploaded_by == user_id).values(uploaded_by=0))
