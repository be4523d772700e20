"""The `studybot` command line as a person runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.packs import question, write_pack


def studybot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_URL", "QUESTIONS_DIR"}
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_without_a_token_says_where_to_get_one(tmp_path: Path) -> None:
    result = studybot("run", cwd=tmp_path)
    assert result.returncode != 0
    assert "DISCORD_TOKEN is not set" in result.stderr
    assert "discord.com/developers/applications" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists(), "nothing is created before the configuration is known to be good"


def test_check_on_a_broken_file_exits_1_and_lists_every_error(tmp_path: Path) -> None:
    folder = write_pack(
        tmp_path, [question("tst-1.1-001", key="Z"), question("tst-1.1-002", domain="8", stem="B?")]
    )
    result = studybot("questions", "check", str(folder / "q1.yaml"), cwd=tmp_path)
    assert result.returncode == 1
    assert "question tst-1.1-001 field 'key'" in result.stderr
    assert "question tst-1.1-002 field 'domain'" in result.stderr
    assert "2 problem(s) found" in result.stderr


def test_check_on_a_good_pack_and_stats(tmp_path: Path) -> None:
    folder = write_pack(tmp_path)
    result = studybot("questions", "check", str(folder), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "OK, 2 questions (TST-C01)" in result.stdout
    stats = studybot("questions", "stats", "tst", cwd=tmp_path, QUESTIONS_DIR=str(tmp_path))
    assert stats.returncode == 0, stats.stderr
    assert "TST-C01 (tst): 2 active questions" in stats.stdout
    assert "Key letter (single-answer questions):" in stats.stdout


def test_the_shipped_bank_checks_clean(tmp_path: Path) -> None:
    result = studybot("questions", "check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_db_upgrade_creates_the_default_database(tmp_path: Path) -> None:
    result = studybot("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "studybot.db").is_file()


def test_a_bad_setting_is_explained(tmp_path: Path) -> None:
    result = studybot("run", cwd=tmp_path, DISCORD_TOKEN="x", DEFAULT_TIMEZONE="Mars/Olympus")
    assert result.returncode == 2
    assert "unknown IANA timezone 'Mars/Olympus'" in result.stderr
