"""Waiting for emulator state without sleeping.

Every state change in the emulator calls :meth:`Signal.notify`; waiters re-check their
predicate after each change.  This is the same contract as ``asyncio.Condition.wait_for``, but
``notify`` is synchronous: changes happen inside plain methods (a reaction added by a test, a
REST handler storing a message) that must not need to await a lock just to wake waiters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Signal:
    """A broadcast "something changed" notification."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter; later waiters wait for the next change."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(
        self,
        probe: Callable[[], T | None],
        timeout: float,
        what: str = "condition",
        *,
        poll: float | None = None,
    ) -> T:
        """Return the first non-None/non-False value of ``probe()``, re-checked after each change.

        ``poll`` additionally re-checks on that cadence, for probes that read state the emulator
        is never told about (the bot's own in-process state).  Raises ``TimeoutError`` naming
        ``what`` so a failing test says what it waited for.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = probe()
            if value is not None and value is not False:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), min(remaining, poll) if poll else remaining)
            except TimeoutError:
                continue
