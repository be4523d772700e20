"""The `studybot` command line: run the bot, check and count questions, migrate the database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot import logs
from bot.bank import (
    BankProblem,
    InvalidQuestionBank,
    check_path,
    load_packs,
    locate_path,
    near_duplicates,
    pack_folders,
    skipped_entries,
)
from bot.bank.stats import format_stats
from bot.config import Settings, load_settings
from bot.errors import ConfigurationError, DiscordUnreachable
from bot.reporting import FORMATS, analysis_rows, analysis_table, as_csv, as_json, report_rows, reports_table

log = logging.getLogger("bot")

#: A fault that may pass by itself (Discord unreachable): a supervisor may start the bot again later.
#: 2 is a setting to fix, 1 a bad question bank (see the README's "When something goes wrong").
EXIT_TEMPORARY = 75


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studybot", description="Discord study bot for AWS ML certifications"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="migrate the database, load the question bank and connect to Discord"
    )
    run.add_argument(
        "--shards", metavar="IDS", help="the shards this process connects, e.g. 0-3 or 0,2 (SHARD_IDS)"
    )
    run.add_argument(
        "--shard-count", metavar="N", type=int, help="the bot's shards across all its processes (SHARD_COUNT)"
    )
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
    analyse = questions.add_parser(
        "analyse", help="item analysis of the answers stored: difficulty, discrimination, options chosen"
    )
    reports = questions.add_parser("reports", help="problems members reported, most reported first")
    for sub in (analyse, reports):
        sub.add_argument("pack", nargs="?", help="pack name (default: every pack in QUESTIONS_DIR)")
        sub.add_argument("--format", choices=FORMATS, default="table", help="default: a readable table")
        sub.add_argument("--database", metavar="URL", help="default: DATABASE_URL")
        sub.add_argument(
            "--min-answers",
            type=int,
            metavar="N",
            help="first answers a question needs to be judged (default: ITEM_ANALYSIS_MIN_ANSWERS, 30)",
        )
    db = commands.add_parser("db", help="database maintenance").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply pending migrations")
    copy = db.add_parser(
        "copy",
        help="copy every table to another, empty database (e.g. SQLite to PostgreSQL)",
        description="Copy the bot's data from SOURCE to TARGET in one transaction, then compare row counts. "
        "SOURCE must be at the newest migration; TARGET must hold no data.",
    )
    copy.add_argument("source", metavar="SOURCE_URL", help="e.g. sqlite+aiosqlite:///data/studybot.db")
    copy.add_argument("target", metavar="TARGET_URL", help="e.g. postgresql+asyncpg://bot:secret@db/studybot")
    health = commands.add_parser(
        "health", help="exit 0 while the running bot is connected to Discord (its heartbeat file is fresh)"
    )
    health.add_argument(
        "--max-age", type=float, metavar="SECONDS", help="how old the heartbeat may be (default: 120)"
    )
    return parser


def _settings() -> Settings:
    return load_settings()  # a bad setting raises a ConfigurationError naming its variable


def _check_targets(settings: Settings, path: Path | None) -> list[Path]:
    """What `questions check` validates: every pack in QUESTIONS_DIR, the packs at or under a folder (a
    folder that holds none is checked as a pack, so its missing pack.yaml is reported), or one file."""
    if path is None:
        return sorted(p.parent for p in settings.questions_dir.glob("*/pack.yaml"))
    if path.is_dir():
        return pack_folders(path) or [path]
    return [path]


def _check_target(target: Path) -> tuple[list[BankProblem], str | None]:
    """Every problem of one pack folder or file, and its OK line when there is none."""
    for skipped in skipped_entries(target):
        print(f"warning: {skipped}", file=sys.stderr)
    try:
        located = locate_path(target)
        similar = near_duplicates(target) if target.name != "pack.yaml" else []
    except InvalidQuestionBank as exc:
        return exc.problems, None
    from bot.discord.embed_check import embed_problems  # discord.py loads only once a pack is valid

    whole_pack = target.is_dir() or target.name == "pack.yaml"
    problems = [*similar, *embed_problems(located, with_blueprint=whole_pack)]
    pack = located.pack
    return problems, f"{target}: OK, {len(pack.questions)} questions ({pack.blueprint.code})"


def _check(settings: Settings, path: Path | None, database: str | None = None) -> int:
    targets = _check_targets(settings, path)
    if not targets:
        print(f"no exam packs under {settings.questions_dir}", file=sys.stderr)
        return 1
    failed = 0
    for target in targets:
        problems, ok = _check_target(target)
        failed += len(problems)
        for problem in problems:
            print(problem, file=sys.stderr)
        if ok is not None and not problems:
            print(ok)
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


async def _feedback(settings: Settings, args: argparse.Namespace) -> int:
    """`questions analyse` and `questions reports`, read from the database the bot uses."""
    from bot.db import migrate
    from bot.db.engine import check_url, create_engine, session_factory
    from bot.domain.item_analysis import ItemStats, Thresholds
    from bot.services.feedback import FeedbackService
    from bot.services.server_packs import stored_packs

    min_answers = settings.item_analysis_min_answers if args.min_answers is None else args.min_answers
    if min_answers < 2:
        raise ConfigurationError(f"--min-answers {min_answers}: a question needs at least 2 answers to judge")
    packs = load_packs(settings.questions_dir)
    url = args.database or settings.database_url
    check_url(url)
    engine = create_engine(url)
    try:
        state = await migrate.check_database(engine)
        if state != "head":
            from bot.db.engine import database_fault

            raise database_fault(
                url,
                "holds no answers yet (a new database)"
                if state == "empty"
                else "is not at the newest migration: run `studybot db upgrade` (or start the bot) first",
            )
        sessions = session_factory(engine)
        packs.update({pack.slug: pack for _, pack in await stored_packs(sessions)})  # servers' own
        if args.pack is not None and args.pack not in packs:
            known = ", ".join(packs)
            print(
                f"studybot: no pack {args.pack!r} in {settings.questions_dir}; packs: {known}",
                file=sys.stderr,
            )
            return 2
        chosen = [packs[args.pack]] if args.pack else list(packs.values())
        service = FeedbackService(sessions)
        thresholds = Thresholds(min_answers=min_answers)
        analysed = {pack.slug: await service.analyse(pack, thresholds) for pack in chosen}
        reported = await service.reports(pack=args.pack) if args.action == "reports" else []
    finally:
        await engine.dispose()
    if args.action == "analyse":
        rows = [row for slug, stats in analysed.items() for row in analysis_rows(slug, stats)]
        tables = [analysis_table(slug, stats, min_answers) for slug, stats in analysed.items()]
    else:
        by_id: dict[tuple[str, str], ItemStats] = {
            (slug, s.question_id): s for slug, stats in analysed.items() for s in stats
        }
        rows = report_rows(reported, by_id)
        tables = [reports_table(reported, by_id)]
    output = {"table": "\n\n".join(tables), "csv": as_csv(rows), "json": as_json(rows)}[args.format]
    print(output.rstrip("\n"))
    return 0


async def _upgrade(settings: Settings) -> None:
    from bot.db import migrate
    from bot.db.engine import create_engine

    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def _copy(source: str, target: str) -> int:
    from bot.db.copy import CopiedTable, copy_database

    def report(table: CopiedTable) -> None:
        print(f"{table.name}: {table.rows} rows")

    copied = await copy_database(source, target, report)
    print(f"copied {len(copied)} tables, {sum(t.rows for t in copied)} rows; row counts match")
    return 0


def _check_before_start(settings: Settings) -> None:
    """Every setting `run` needs, checked before the bank loads or anything connects: what can be seen
    without opening anything first, then the database itself (readable, the bot's, not newer)."""
    from bot.db.engine import check_url

    check_url(settings.database_url)
    settings.shards()
    settings.check_packs()
    asyncio.run(_check_database(settings.database_url))


async def _check_database(url: str) -> None:
    from bot.db import migrate
    from bot.db.engine import create_engine

    engine = create_engine(url)
    try:
        await migrate.check_database(engine)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings()
        if args.command == "health":
            from bot.heartbeat import health

            return health(settings, args.max_age)
        if args.command == "questions":
            if args.action == "check":
                return _check(settings, args.path, args.database)
            if args.action in {"analyse", "reports"}:
                return asyncio.run(_feedback(settings, args))
            return _stats(settings, args.pack)
        logs.configure(
            settings.log_level, [settings.discord_token.get_secret_value()] if settings.discord_token else []
        )
        if args.command == "db" and args.action == "copy":
            return asyncio.run(_copy(args.source, args.target))
        if args.command == "db":
            asyncio.run(_upgrade(settings))
            log.info("database is at the latest migration")
            return 0
        if args.shards is not None or args.shard_count is not None:
            sharding = {"shard_ids": args.shards, "shard_count": args.shard_count}
            settings = settings.model_copy(update={k: v for k, v in sharding.items() if v is not None})
        settings.token()  # fail fast, before touching the database, with where to get one
        _check_before_start(settings)
        from bot.runner import run  # discord.py and the rest: only once the settings are known to be good

        asyncio.run(run(settings))
        return 0
    except DiscordUnreachable as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return EXIT_TEMPORARY
    except ConfigurationError as exc:
        for line in str(exc).splitlines():  # one line for each fault, each saying what to fix
            print(f"studybot: {line}", file=sys.stderr)
        return 2
    except InvalidQuestionBank as exc:
        print(f"studybot: the question bank is invalid:\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
