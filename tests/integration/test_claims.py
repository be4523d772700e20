"""Claims: while one process reveals a post, no other (and no other task) reveals it too."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.db.claims import ClaimKind, Claims
from bot.db.engine import create_engine


async def test_a_claim_held_is_refused_to_a_second_taker_in_the_same_process(database_url: str) -> None:
    engine = create_engine(database_url)
    claims = Claims(engine)
    try:
        async with claims.claim(ClaimKind.REVEAL, 7) as first:
            async with claims.claim(ClaimKind.REVEAL, 7) as second:
                assert (first, second) == (True, False)
            async with claims.claim(ClaimKind.REVEAL, 8) as other_post:
                assert other_post
        async with claims.claim(ClaimKind.REVEAL, 7) as after:
            assert after
    finally:
        await claims.close()
        await engine.dispose()


@pytest.mark.databases("postgresql")
async def test_a_claim_is_refused_to_another_process_and_freed_when_its_holder_dies(
    database_url: str,
) -> None:
    first_engine, second_engine = create_engine(database_url), create_engine(database_url)
    first, second = Claims(first_engine), Claims(second_engine)
    try:
        async with first.claim(ClaimKind.REVEAL, 7) as mine:
            assert mine
            async with second.claim(ClaimKind.REVEAL, 7) as theirs:
                assert not theirs
        async with second.claim(ClaimKind.REVEAL, 7) as theirs:
            assert theirs

        # The holder's connection is cut off (its process killed) in the middle of a claim.
        async with first.claim(ClaimKind.REVEAL, 9) as mine:
            assert mine
            async with second_engine.connect() as admin:
                await admin.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks "
                        "WHERE locktype = 'advisory' AND classid = :kind AND objid = 9"
                    ),
                    {"kind": int(ClaimKind.REVEAL)},
                )
            async with second.claim(ClaimKind.REVEAL, 9) as theirs:
                assert theirs
        # The first process's next claim works on a new connection.
        async with first.claim(ClaimKind.REVEAL, 10) as mine:
            assert mine
    finally:
        for claims in (first, second):
            await claims.close()
        await first_engine.dispose()
        await second_engine.dispose()
