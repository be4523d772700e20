"""The `studybot` command line: run the bot, check and count questions, migrate the database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot import logs
from bot.bank import InvalidQuestionBank, check_path, load_packs, near_duplicates
from bot.bank.stats import format_stats
from bot.config import Settings
from bot.errors import ConfigurationError

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studybot", description="Discord study bot for AWS ML certifications"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="migrate the database, load the question bank and connect to Discord")
    questions = commands.add_parser("questions", help="work with question packs").add_subparsers(
        dest="action", required=True
    )
    check = questions.add_parser("check", help="validate a pack folder or one question file")
    check.add_argument("path", nargs="?", type=Path, help="default: every pack in QUESTIONS_DIR")
    check.add_argument(
        "--database",
        metavar="URL",
        help="also report questions this database still refers to that are no longer in the bank",
    )
    stats = questions.add_parser("stats", help="counts by domain, task, type, difficulty and key letter")
    stats.add_argument("pack", nargs="?", help="pack name (folder under QUESTIONS_DIR) or path")
    db = commands.add_parser("db", help="database maintenance").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply pending migrations")
    return parser


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ConfigurationError(f"invalid configuration:\n{exc}") from exc


def _check(settings: Settings, path: Path | None, database: str | None = None) -> int:
    targets = (
        [path] if path is not None else sorted(p.parent for p in settings.questions_dir.glob("*/pack.yaml"))
    )
    if not targets:
        print(f"no exam packs under {settings.questions_dir}", file=sys.stderr)
        return 1
    failed = 0
    for target in targets:
        try:
            pack = check_path(target)
            similar = near_duplicates(target) if target.name != "pack.yaml" else []
        except InvalidQuestionBank as exc:
            failed += len(exc.problems)
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            continue
        failed += len(similar)
        for problem in similar:
            print(problem, file=sys.stderr)
        if not similar:
            print(f"{target}: OK, {len(pack.questions)} questions ({pack.blueprint.code})")
    if database is not None:
        failed += asyncio.run(_check_in_use(database, settings.questions_dir))
    if failed:
        print(f"{failed} problem(s) found", file=sys.stderr)
        return 1
    return 0


async def _check_in_use(url: str, questions_dir: Path) -> int:
    """Questions a database refers to (statistics, posts, mocks) that the bank no longer holds: they
    should have been retired (``retired: true``), not deleted. Returns how many."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.db import repo
    from bot.db.engine import create_engine

    packs = load_packs(questions_dir)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection, AsyncSession(bind=connection) as session:
            uses = await repo.questions_in_use(session)
    finally:
        await engine.dispose()
    missing = sorted(k for k in uses if k[0] not in packs or packs[k[0]].question(k[1]) is None)
    for pack, question_id in missing:
        counts = ", ".join(f"{n} {what}" for what, n in sorted(uses[(pack, question_id)].items()))
        print(
            f"{questions_dir / pack}: question {question_id} is gone from the bank but the database still "
            f"refers to it ({counts}): put it back marked `retired: true` instead of deleting it",
            file=sys.stderr,
        )
    return len(missing)


def _stats(settings: Settings, name: str | None) -> int:
    folder = settings.questions_dir / (name or settings.default_pack)
    if name and Path(name).is_dir():
        folder = Path(name)
    try:
        pack = check_path(folder)
    except InvalidQuestionBank as exc:
        print(exc, file=sys.stderr)
        return 1
    print(format_stats(pack))
    return 0


async def _upgrade(settings: Settings) -> None:
    from bot.db import migrate
    from bot.db.engine import create_engine

    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings()
        if args.command == "questions":
            if args.action == "check":
                return _check(settings, args.path, args.database)
            return _stats(settings, args.pack)
        logs.configure(
            settings.log_level, [settings.discord_token.get_secret_value()] if settings.discord_token else []
        )
        if args.command == "db":
            asyncio.run(_upgrade(settings))
            log.info("database is at the latest migration")
            return 0
        from bot.runner import run

        settings.token()  # fail fast, before touching the database, with where to get one
        asyncio.run(run(settings))
        return 0
    except ConfigurationError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    except InvalidQuestionBank as exc:
        print(f"studybot: the question bank is invalid:\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
