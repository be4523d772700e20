"""A DATABASE_URL the bot cannot use stops `studybot run` and `studybot db upgrade` with one line:
`studybot: DATABASE_URL=<url, password masked>: <what is wrong and what to do>`, exit code 2, no traceback,
before anything connects; and it is never migrated (nor copied) on the way.

Each case builds its database in a fresh folder and runs the real command line (see test_bad_settings).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.db.engine import check_url
from bot.errors import ConfigurationError
from tests.integration.test_bad_settings import assert_one_line_naming, studybot, studybot_env

PASSWORD = "hunter2"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="module")
def studybot_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database as `studybot db upgrade` leaves it, for the cases to copy and spoil."""
    folder = tmp_path_factory.mktemp("good")
    result = studybot("db", "upgrade", cwd=folder, DATABASE_URL=sqlite_url(folder / "studybot.db"))
    assert result.returncode == 0, result.stderr
    return folder / "studybot.db"


def _copy(good: Path, tmp: Path) -> Path:
    return Path(shutil.copyfile(good, tmp / "studybot.db"))


def _file_for_parent(good: Path, tmp: Path) -> str:
    (tmp / "notes.txt").write_text("a file, not a folder\n")
    return sqlite_url(tmp / "notes.txt" / "studybot.db")


def _folder(good: Path, tmp: Path) -> str:
    (tmp / "db").mkdir()
    return sqlite_url(tmp / "db")


def _random_bytes(good: Path, tmp: Path) -> str:
    path = tmp / "studybot.db"
    path.write_bytes(random.Random(7).randbytes(32_768))
    return sqlite_url(path)


def _damaged_pages(good: Path, tmp: Path) -> str:
    # SQLite's header intact, the schema page after it overwritten: only SQLite itself can tell.
    path = _copy(good, tmp)
    with path.open("r+b") as file:
        file.seek(100)
        file.write(random.Random(7).randbytes(4_000))
    return sqlite_url(path)


def _damaged_header(good: Path, tmp: Path) -> str:
    path = _copy(good, tmp)
    with path.open("r+b") as file:
        file.seek(16)  # the page size
        file.write(b"\0\0")
    return sqlite_url(path)


def _truncated(good: Path, tmp: Path) -> str:
    path = _copy(good, tmp)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return sqlite_url(path)


def _truncated_mid_page(good: Path, tmp: Path) -> str:
    path = _copy(good, tmp)
    path.write_bytes(path.read_bytes()[:30_000])
    return sqlite_url(path)


def _from_a_newer_studybot(good: Path, tmp: Path) -> str:
    path = _copy(good, tmp)
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE alembic_version SET version_num = 'ffff'")
    return sqlite_url(path)


def _another_applications(good: Path, tmp: Path) -> str:
    path = tmp / "wiki.db"
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE pages (id INTEGER PRIMARY KEY, title TEXT)")
        db.execute("INSERT INTO pages (title) VALUES ('Home')")
    return sqlite_url(path)


def _another_applications_in_wal_mode(good: Path, tmp: Path) -> str:
    url = _another_applications(good, tmp)
    with contextlib.closing(sqlite3.connect(tmp / "wiki.db")) as db:
        db.execute("PRAGMA journal_mode=WAL")
    return url


def _url(url: str) -> Callable[[Path, Path], str]:
    return lambda good, tmp: url.format(tmp=tmp)


# (id, the DATABASE_URL it makes from a good database and a fresh folder, what the line says)
BAD_DATABASES = [
    ("empty", _url(""), "empty: unset it to use the default"),
    ("not-a-url", _url("data/studybot.db"), "not a database URL"),
    ("unknown-driver", _url(f"mysql+foo://bot:{PASSWORD}@localhost/studybot"), "unknown database driver"),
    ("unknown-dialect", _url(f"postgres://bot:{PASSWORD}@localhost/studybot"), "unknown database driver"),
    (
        "synchronous-driver",
        _url(f"postgresql+psycopg2://bot:{PASSWORD}@localhost/studybot"),
        "synchronous driver",
    ),
    ("synchronous-sqlite", _url("sqlite:///{tmp}/studybot.db"), "write sqlite+aiosqlite:///"),
    ("parent-is-a-file", _file_for_parent, "is a file, not a folder"),
    ("path-is-a-folder", _folder, "is a folder, not a database file"),
    ("random-bytes", _random_bytes, "is not a SQLite database"),
    ("damaged-pages", _damaged_pages, "the database is damaged"),
    ("damaged-header", _damaged_header, "has a damaged header"),
    ("truncated", _truncated, "is truncated"),
    ("truncated-mid-page", _truncated_mid_page, "is truncated"),
    ("newer-studybot", _from_a_newer_studybot, "at migration ffff, which this studybot does not have"),
    ("another-application", _another_applications, "holds another application's tables (pages)"),
    ("another-application-wal", _another_applications_in_wal_mode, "holds another application's tables"),
]
COMMANDS = [("run",), ("db", "upgrade")]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(("make", "says"), [c[1:] for c in BAD_DATABASES], ids=[c[0] for c in BAD_DATABASES])
def test_a_database_the_bot_cannot_use_is_named_in_one_line(
    tmp_path: Path,
    studybot_database: Path,
    command: tuple[str, ...],
    make: Callable[[Path, Path], str],
    says: str,
) -> None:
    url = make(studybot_database, tmp_path)
    before = _snapshot(tmp_path)
    result = studybot(*command, cwd=tmp_path, DATABASE_URL=url)
    assert_one_line_naming(result, "DATABASE_URL", says)
    assert PASSWORD not in result.stderr
    assert _snapshot(tmp_path) == before, "a database the bot refused is left exactly as it was"


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


@pytest.mark.skipif(importlib.util.find_spec("aiomysql") is not None, reason="aiomysql is installed here")
def test_an_async_driver_that_is_not_installed_is_named(tmp_path: Path) -> None:
    url = f"mysql+aiomysql://bot:{PASSWORD}@localhost/studybot"
    for command in COMMANDS:
        result = studybot(*command, cwd=tmp_path, DATABASE_URL=url)
        line = assert_one_line_naming(result, "DATABASE_URL", "'aiomysql' is not installed")
        assert line.startswith("studybot: DATABASE_URL=mysql+aiomysql://bot:***@localhost/studybot: ")


def test_a_postgresql_server_that_does_not_answer_is_named(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://bot:{PASSWORD}@127.0.0.1:9/studybot"
    for command in COMMANDS:
        result = studybot(*command, cwd=tmp_path, DATABASE_URL=url)
        line = assert_one_line_naming(result, "DATABASE_URL", "cannot open or read the database")
        assert "bot:***@127.0.0.1:9/studybot" in line


def test_a_database_url_in_a_env_file_is_checked_the_same(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///studybot.db\n", encoding="utf-8")
    for command in COMMANDS:
        result = studybot(*command, cwd=tmp_path, DATABASE_URL=None)
        assert_one_line_naming(result, "DATABASE_URL", "write sqlite+aiosqlite:///studybot.db")


# --- Files this user may not write. Root writes anywhere, so as root the bot runs without the
# capabilities that let it (as a container's root would not have them on a read-only volume).

CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, PR_CAPBSET_DROP = 1, 2, 24


def _without_root_file_access() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def as_ordinary_user() -> Callable[[], None] | None:
    """What to run in the child before the bot: take root's file access away, or nothing for others."""
    return _without_root_file_access if os.geteuid() == 0 else None


def _read_only_file(good: Path, tmp: Path) -> str:
    path = _copy(good, tmp)
    path.chmod(0o444)
    return sqlite_url(path)


def _read_only_folder(good: Path, tmp: Path) -> str:
    (tmp / "db").mkdir(mode=0o555)
    return sqlite_url(tmp / "db" / "studybot.db")


def _under_a_read_only_folder(good: Path, tmp: Path) -> str:
    (tmp / "db").mkdir(mode=0o555)
    return sqlite_url(tmp / "db" / "new" / "studybot.db")


NOT_WRITABLE = [
    ("read-only-file", _read_only_file, "is read-only for this user"),
    ("read-only-folder", _read_only_folder, "is not writable by this user"),
    ("folder-under-a-read-only-one", _under_a_read_only_folder, "does not exist and"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(("make", "says"), [c[1:] for c in NOT_WRITABLE], ids=[c[0] for c in NOT_WRITABLE])
def test_a_database_this_user_cannot_write_is_named_in_one_line(
    tmp_path: Path,
    studybot_database: Path,
    as_ordinary_user: Callable[[], None] | None,
    command: tuple[str, ...],
    make: Callable[[Path, Path], str],
    says: str,
) -> None:
    url = make(studybot_database, tmp_path)
    try:
        result = studybot(*command, cwd=tmp_path, preexec_fn=as_ordinary_user, DATABASE_URL=url)
    except subprocess.SubprocessError as exc:  # the capabilities could not be dropped
        pytest.skip(f"cannot run without root's file access here: {exc}")
    assert_one_line_naming(result, "DATABASE_URL", says)


# --- The order of checks, and a good configuration.


def test_the_token_is_checked_before_the_database(tmp_path: Path) -> None:
    result = studybot("run", cwd=tmp_path, DISCORD_TOKEN="", DATABASE_URL="sqlite:///studybot.db")
    assert result.returncode == 2
    assert result.stderr.startswith("studybot: DISCORD_TOKEN is not set")


def test_db_upgrade_creates_a_fresh_database(tmp_path: Path) -> None:
    result = studybot("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "studybot:" not in result.stderr
    assert (tmp_path / "data" / "studybot.db").is_file()


def test_a_good_configuration_gets_as_far_as_connecting(tmp_path: Path) -> None:
    # Discord is a closed port on loopback here: the bot gets past every check, migrates, and fails
    # only when it connects (it may keep trying, so it is stopped once it has tried).
    command = [sys.executable, "-m", "bot", "run"]
    lines: list[str] = []
    with subprocess.Popen(
        command, cwd=tmp_path, env=studybot_env(tmp_path), stderr=subprocess.PIPE, text=True
    ) as bot:
        try:
            for line in bot.stderr or ():
                lines.append(line)
                if "127.0.0.1:9" in line:
                    break
        finally:
            bot.kill()
    assert "127.0.0.1:9" in "".join(lines), "".join(lines)
    assert not [line for line in lines if line.startswith("studybot:")], "".join(lines)
    assert (tmp_path / "data" / "studybot.db").is_file()


def test_an_empty_file_is_a_new_database(tmp_path: Path) -> None:
    (tmp_path / "studybot.db").touch()
    result = studybot("db", "upgrade", cwd=tmp_path, DATABASE_URL=sqlite_url(tmp_path / "studybot.db"))
    assert result.returncode == 0, result.stderr


def test_a_short_file_with_its_log_beside_it_is_left_to_sqlite(
    tmp_path: Path, studybot_database: Path
) -> None:
    # Pages a checkpoint has not copied into the file yet are in the write-ahead log, and SQLite
    # recovers them on open: a file shorter than its header says is then not truncated.
    path = _copy(studybot_database, tmp_path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    log = path.with_name(path.name + "-wal")
    log.write_bytes(b"\0" * 32)
    check_url(sqlite_url(path))
    log.unlink()
    with pytest.raises(ConfigurationError, match="is truncated"):
        check_url(sqlite_url(path))
