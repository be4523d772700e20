"""The domain core must not import discord or SQLAlchemy: it is tested without either."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import bot.domain


def test_domain_imports_no_discord_and_no_database() -> None:
    modules = [f"bot.domain.{m.name}" for m in pkgutil.iter_modules(bot.domain.__path__)]
    assert modules, "the domain package has modules"
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "banned = {'discord', 'sqlalchemy', 'aiosqlite', 'apscheduler'}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in banned)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
