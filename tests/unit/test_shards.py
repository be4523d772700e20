"""Which servers and members one of several bot processes looks after."""

from __future__ import annotations

import pytest

from bot.domain.shards import ShardSet, ShardSpecError, parse_shard_ids, shard_of


def test_discords_rule_puts_a_server_on_a_shard_by_its_id() -> None:
    assert shard_of(41771983423143937, 1) == 0
    # (id >> 22) % count, the formula in Discord's gateway documentation: the timestamp part decides,
    # the low 22 bits (worker, process, increment) do not
    assert shard_of(175928847299117063, 16) == 4
    assert shard_of((12345 << 22) | 0x3FFFFF, 16) == shard_of(12345 << 22, 16) == 12345 % 16


@pytest.mark.parametrize(
    ("text", "count", "ids"),
    [("0-3", 8, (0, 1, 2, 3)), ("0,2", 4, (0, 2)), ("0-1, 4", 8, (0, 1, 4)), ("3,1,1", 4, (1, 3))],
)
def test_shard_lists_and_ranges(text: str, count: int, ids: tuple[int, ...]) -> None:
    assert parse_shard_ids(text, count) == ids


@pytest.mark.parametrize(
    ("text", "words"),
    [("a-b", "not a shard id"), ("3-1", "runs backwards"), ("0-8", "from 0 to 7"), (" , ", "no shard ids")],
)
def test_bad_shard_lists_say_what_to_write(text: str, words: str) -> None:
    with pytest.raises(ShardSpecError, match=words):
        parse_shard_ids(text, 8)


def test_a_process_of_several_owns_its_shards_servers_and_a_share_of_members_and_requests() -> None:
    first, second = ShardSet((0, 1), 4), ShardSet((2, 3), 4)
    servers = [n << 22 for n in range(8)]  # shards 0,1,2,3,0,1,2,3
    assert [first.owns_server(s) for s in servers] == [True, True, False, False] * 2
    assert all(first.owns_server(s) != second.owns_server(s) for s in servers), "each server has one owner"
    assert first.owns_server(None) and not second.owns_server(None), "direct messages are shard 0's"
    assert all(first.owns_member(m) != second.owns_member(m) for m in servers)
    assert first.processes == 2 and first.rate_share(50) == 24, "half, less a margin"
    assert ShardSet((0, 1, 2), 8).processes == 3  # 8 shards, 3 a process: three processes
    whole = ShardSet(None, 4)
    assert whole.whole and whole.processes == 1 and whole.rate_share(50) == 50
    assert all(whole.owns_server(s) for s in servers)
