"""Which servers (and members) one bot process looks after when the bot runs as several processes.

Discord puts a server's events on shard ``(guild_id >> 22) % shard_count``, and direct messages on
shard 0. A process that connects some of the shards arms the schedules, reveals and mock deadlines of
those shards' servers only. Reminders belong to no server: they are split by the member's id with the
same rule, so each process sends its share. Whatever two processes both believe for a moment (a deploy
moving shards), the database still lets each post, reveal and reminder happen once.
"""

from __future__ import annotations

from dataclasses import dataclass


class ShardSpecError(ValueError):
    """A shard list or count that cannot be used; the message says what to write instead."""


def shard_of(snowflake: int, shard_count: int) -> int:
    return (snowflake >> 22) % shard_count


def parse_shard_ids(text: str, shard_count: int) -> tuple[int, ...]:
    """``"0-3"``, ``"0,2,5"`` or a mix (``"0-1,4"``) as shard ids, each below ``shard_count``."""
    ids: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        first, dash, last = part.partition("-")
        try:
            low, high = int(first), int(last if dash else first)
        except ValueError:
            raise ShardSpecError(f"{part!r} is not a shard id or a range like 0-3") from None
        if low > high:
            raise ShardSpecError(f"{part!r} runs backwards: write the lower shard first")
        if low < 0 or high >= shard_count:
            raise ShardSpecError(
                f"{part!r}: shard ids run from 0 to {shard_count - 1} with {shard_count} shards"
            )
        ids.update(range(low, high + 1))
    if not ids:
        raise ShardSpecError("no shard ids: write them like 0-3 or 0,2")
    return tuple(sorted(ids))


@dataclass(frozen=True)
class ShardSet:
    """The shards this process connects: ``ids`` of ``count`` (None: all of them, however many)."""

    ids: tuple[int, ...] | None = None
    count: int | None = None

    @property
    def whole(self) -> bool:
        """This process looks after every server (a single process)."""
        return self.ids is None or self.count is None or len(self.ids) == self.count

    @property
    def processes(self) -> int:
        """How many processes share the bot if each runs as many shards as this one."""
        if self.whole:
            return 1
        assert self.ids is not None and self.count is not None
        return -(-self.count // len(self.ids))

    def owns_server(self, guild_id: int | None) -> bool:
        if self.whole:
            return True
        assert self.ids is not None and self.count is not None
        return shard_of(guild_id or 0, self.count) in self.ids

    def owns_member(self, user_id: int) -> bool:
        """Reminders of this member are sent by this process."""
        if self.whole:
            return True
        assert self.ids is not None and self.count is not None
        return shard_of(user_id, self.count) in self.ids

    def rate_share(self, global_limit: int) -> int:
        """This process's share of the bot's global request budget (Discord's limit is per bot). With
        several processes each leaves one request a second unused: their requests reach Discord a little
        later than they left, each by its own delay, and shares that add up to the whole limit exactly
        were seen to meet a 429 now and then."""
        if self.processes == 1:
            return global_limit
        return max(1, global_limit // self.processes - 1)


#: One process with every shard.
ALL_SHARDS = ShardSet()
