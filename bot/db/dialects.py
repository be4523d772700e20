"""Statements whose SQL differs between the databases the bot supports (SQLite and PostgreSQL).

Upserts (``INSERT ... ON CONFLICT``) are written with each dialect's own ``insert``; the two share one
API, so a statement is described once and built for each dialect when the module loads. At run time
the session's engine says which one to use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

StatementT = TypeVar("StatementT")
#: ``insert(Model)`` of one dialect: it has ``on_conflict_do_update`` / ``on_conflict_do_nothing``.
Insert = Callable[[Any], sqlite.Insert | postgresql.Insert]

INSERTS: dict[str, Insert] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def dialect_of(bound: AsyncSession | AsyncConnection) -> str:
    bind = bound.bind if isinstance(bound, AsyncSession) else bound.engine
    assert bind is not None, "a session bound to the bot's engine"
    return bind.dialect.name


class PerDialect(Generic[StatementT]):
    """One statement, built for each dialect from a function of that dialect's ``insert``."""

    def __init__(self, build: Callable[[Insert], StatementT]) -> None:
        self._built = {name: build(insert) for name, insert in INSERTS.items()}

    def on(self, bound: AsyncSession | AsyncConnection) -> StatementT:
        return self._built[dialect_of(bound)]

    def by_dialect(self) -> dict[str, StatementT]:
        """Dialect name -> statement (what a unit of work's `Step` takes)."""
        return dict(self._built)


def insert_for(bound: AsyncSession | AsyncConnection) -> Insert:
    """The dialect's ``insert``, for a statement built at the call (its values vary each time)."""
    return INSERTS[dialect_of(bound)]
