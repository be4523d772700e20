"""Group commit on a real SQLite file: batching, results in order, failures reach every waiter."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from bot.db.group_commit import GroupCommit
from bot.db.models import BotState


def storing(sessions):
    async def store(keys):
        async with sessions.begin() as session:
            session.add_all(BotState(key=key, value=str(len(keys))) for key in keys)
            if "bad" in keys:
                raise ValueError("a write failed")
        return [f"stored {key}" for key in keys]

    return store


async def test_writes_arriving_together_share_a_transaction_and_each_gets_its_result(sessions) -> None:
    writes = GroupCommit(storing(sessions), max_batch=20, name="test-writer")
    keys = [f"k{n}" for n in range(50)]
    results = await asyncio.gather(*(writes.submit(key) for key in keys))
    assert results == [f"stored {key}" for key in keys]
    async with sessions() as session:
        batch_sizes = {k: v for k, v in (await session.execute(select(BotState.key, BotState.value))).all()}
    assert set(batch_sizes) == set(keys)
    assert sorted(set(batch_sizes.values())) == ["10", "20"], "50 writes at once: batches of 20, 20, 10"


async def test_a_failed_batch_fails_each_of_its_waiters_and_stores_none_of_it(sessions) -> None:
    writes = GroupCommit(storing(sessions), max_batch=100, name="test-writer")
    results = await asyncio.gather(*(writes.submit(k) for k in ("a", "bad", "b")), return_exceptions=True)
    assert all(isinstance(r, ValueError) for r in results)
    assert await writes.submit("c") == "stored c", "the writer keeps going after a failure"
    async with sessions() as session:
        stored = (await session.execute(text("SELECT key FROM bot_state ORDER BY key"))).scalars().all()
    assert stored == ["c"]


async def test_a_caller_that_gives_up_does_not_cancel_the_others(sessions) -> None:
    writes = GroupCommit(storing(sessions), max_batch=100, name="test-writer")
    impatient = asyncio.ensure_future(writes.submit("x"))
    patient = asyncio.ensure_future(writes.submit("y"))
    await asyncio.sleep(0)  # both queued; the writer has started
    impatient.cancel()
    assert await patient == "stored y"
    with pytest.raises(asyncio.CancelledError):
        await impatient
    async with sessions() as session:
        stored = (await session.execute(text("SELECT key FROM bot_state ORDER BY key"))).scalars().all()
    assert stored == ["x", "y"], "the write itself was not abandoned"
