"""Every bad setting stops `studybot` with one line that names its variable and says what to set, exit
code 2 and no traceback, whether it comes from the environment or from a .env file.

Each case runs the real command line in a fresh folder. The bot is always pointed at a closed port on
loopback, so even a configuration that turned out good could never reach Discord.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings

#: Where the bot would find Discord: port 9 (discard) on loopback, which nothing answers.
NOWHERE = "http://127.0.0.1:9"
SETTING_NAMES = {name.upper() for name in Settings.model_fields}


def studybot(
    *args: str, cwd: Path, preexec_fn: Callable[[], None] | None = None, **settings: str | None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in ``cwd`` with the given settings (see `studybot_env`)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=studybot_env(cwd, **settings),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=preexec_fn,
    )


def studybot_env(cwd: Path, **settings: str | None) -> dict[str, str]:
    """Only the given settings, and unless given a dummy token, a database in ``cwd`` and Discord
    pointed at nowhere; None leaves a setting to a .env file. None of the caller's own leak in."""
    clean = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    defaults = {
        "DISCORD_TOKEN": "x",
        "DATABASE_URL": f"sqlite+aiosqlite:///{cwd / 'data' / 'studybot.db'}",
        "DISCORD_API_BASE": NOWHERE,
        "DISCORD_GATEWAY_URL": NOWHERE,
    }
    return {k: v for k, v in {**clean, **defaults, **settings}.items() if v is not None}


def assert_one_line_naming(result: subprocess.CompletedProcess[str], variable: str, says: str) -> str:
    """Exit code 2 and a single line on stderr, naming ``variable`` and saying ``says``."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert line.startswith(f"studybot: {variable}="), line
    assert says in line, line
    assert result.returncode == 2, result.stderr
    return line


# (variable, value, what the line says); "{tmp}" is the test's folder.
BAD_SETTINGS = [
    ("LOG_LEVEL", "verbose", "not a log level: use DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    ("LOG_LEVEL", "", "not a log level"),
    ("DEFAULT_TIMEZONE", "Mars/Olympus", "unknown IANA timezone 'Mars/Olympus'"),
    ("DEFAULT_TIMEZONE", "", "unknown IANA timezone"),
    ("DEV_GUILD_ID", "my-server", "not a server ID"),
    ("DEV_GUILD_ID", "-5", "not a server ID"),
    ("DISCORD_API_BASE", "discord.com/api/v10", "not an http(s) URL"),
    ("DISCORD_API_BASE", "ftp://127.0.0.1:9/api", "not an http(s) URL"),
    ("DISCORD_API_BASE", "http://127.0.0.1:port/api", "not an http(s) URL"),
    ("DISCORD_GATEWAY_URL", "gateway.discord.gg", "not a WebSocket URL"),
    ("DISCORD_GLOBAL_RATE_LIMIT", "fast", "from 1 to 1000"),
    ("DISCORD_GLOBAL_RATE_LIMIT", "0", "from 1 to 1000"),
    ("DISCORD_GLOBAL_RATE_LIMIT", "5000", "grants large bots more on request"),
    ("DATABASE_POOL_SIZE", "0", "from 1 to 200"),
    ("DATABASE_POOL_SIZE", "many", "whole number of connections"),
    ("DISCORD_RETRY_LIMIT", "forever", "whole number"),
    ("DISCORD_RETRY_LIMIT", "-1", "whole number"),
]
# Checked by `run` only: `questions check` and `stats` work on any folder they are given.
BAD_FOR_RUN = [
    ("SHARD_IDS", "0-1", "set SHARD_COUNT too"),
    ("SHARD_COUNT", "0", "whole number of shards"),
    ("DEFAULT_PACK", "no-such-pack", "no such pack in"),
    ("QUESTIONS_DIR", "{tmp}/missing", "not a folder"),
    ("QUESTIONS_DIR", "{tmp}", "no exam packs in it"),
]


def _case_id(case: tuple[str, str, str]) -> str:
    return f"{case[0]}={case[1] or '(empty)'}".replace("{tmp}", "TMP")


@pytest.mark.parametrize("source", ["environment", ".env"])
@pytest.mark.parametrize("case", BAD_SETTINGS + BAD_FOR_RUN, ids=_case_id)
def test_a_bad_setting_stops_run_with_one_line_naming_it(
    tmp_path: Path, case: tuple[str, str, str], source: str
) -> None:
    variable, value, says = case
    value = value.format(tmp=tmp_path)
    if source == ".env":
        (tmp_path / ".env").write_text(f"{variable}={value}\n", encoding="utf-8")
        result = studybot("run", cwd=tmp_path, **{variable: None})
    else:
        result = studybot("run", cwd=tmp_path, **{variable: value})
    assert_one_line_naming(result, variable, says)
    assert not (tmp_path / "data").exists(), "nothing is created before the configuration is known to be good"


@pytest.mark.parametrize("case", BAD_SETTINGS, ids=_case_id)
def test_a_bad_setting_stops_db_upgrade_too(tmp_path: Path, case: tuple[str, str, str]) -> None:
    variable, value, says = case
    assert_one_line_naming(studybot("db", "upgrade", cwd=tmp_path, **{variable: value}), variable, says)


def test_each_bad_setting_gets_its_own_line(tmp_path: Path) -> None:
    result = studybot("run", cwd=tmp_path, LOG_LEVEL="loud", DISCORD_GLOBAL_RATE_LIMIT="5000")
    assert result.returncode == 2
    lines = sorted(result.stderr.splitlines())
    assert [line.split("=")[0] for line in lines] == [
        "studybot: DISCORD_GLOBAL_RATE_LIMIT",
        "studybot: LOG_LEVEL",
    ]


def test_a_blank_optional_setting_counts_as_unset(tmp_path: Path) -> None:
    # `DEV_GUILD_ID=` is how a .env template leaves it out; it must not stop the bot.
    (tmp_path / ".env").write_text("DEV_GUILD_ID=\n", encoding="utf-8")
    result = studybot("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_largest_allowed_rate_limit_is_accepted(tmp_path: Path) -> None:
    result = studybot("db", "upgrade", cwd=tmp_path, DISCORD_GLOBAL_RATE_LIMIT="1000")
    assert result.returncode == 0, result.stderr


def test_a_env_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"LOG_LEVEL=\xff\xfe\n")
    result = studybot("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("studybot: .env: not UTF-8 text")


@pytest.mark.parametrize(
    ("arguments", "env", "says"),
    [
        ([], {"SHARD_IDS": "0-1", "SHARD_COUNT": "4"}, "cannot share a SQLite file"),
        (["--shards", "2-3", "--shard-count", "4"], {}, "cannot share a SQLite file"),
        (["--shards", "5", "--shard-count", "4"], {}, "shard ids run from 0 to 3"),
        ([], {"SHARD_IDS": "one", "SHARD_COUNT": "2"}, "not a shard id"),
    ],
)
def test_shards_that_cannot_work_are_refused_before_anything_starts(
    tmp_path: Path, arguments: list[str], env: dict[str, str], says: str
) -> None:
    result = studybot("run", *arguments, cwd=tmp_path, DISCORD_TOKEN="x", **env)
    assert_one_line_naming(result, "SHARD_IDS", says)
    assert not (tmp_path / "data").exists()
