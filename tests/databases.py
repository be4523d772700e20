"""The databases the database-facing tests run on: a SQLite file, and a PostgreSQL server.

A PostgreSQL server is found from ``TEST_POSTGRES_URL``, else one listening on 127.0.0.1:5432, else a
throwaway cluster is started (``initdb`` + ``pg_ctl`` in a temporary folder, removed afterwards) when the
PostgreSQL binaries are installed. With none of these the PostgreSQL tests are skipped, with one line in
the summary, and under ``CI=true`` that is a failure: CI always runs them.

Each test run works in databases of its own: the migrations run once, through Alembic's whole history,
into a template database, and every test gets a fresh copy of it (``CREATE DATABASE ... TEMPLATE``),
dropped when the test ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

from bot.db import migrate
from bot.db.engine import create_engine

BACKENDS = ("sqlite", "postgresql")
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class PostgresServer:
    """A server the tests may create databases on, and the template every test database copies."""

    admin_url: URL  # a database to connect to while creating and dropping others
    template: str = ""
    run_id: str = ""
    created: int = 0

    def url_of(self, database: str) -> str:
        return self.admin_url.set(drivername="postgresql+asyncpg", database=database).render_as_string(
            hide_password=False
        )

    async def admin(self) -> asyncpg.Connection:
        url = self.admin_url.set(drivername="postgresql")
        return await asyncpg.connect(url.render_as_string(hide_password=False))

    async def create_database(self, template: str | None = None) -> str:
        self.created += 1
        name = f"{self.run_id}_{self.created}"
        connection = await self.admin()
        try:
            clause = f' TEMPLATE "{template}"' if template else ""
            await connection.execute(f'CREATE DATABASE "{name}"{clause}')
        finally:
            await connection.close()
        return name

    async def drop_database(self, name: str) -> None:
        connection = await self.admin()
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


async def _answers(url: str) -> bool:
    try:
        connection = await asyncpg.connect(url, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _postgres_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, or where Debian installs them."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").exists() and Path(folder, "pg_ctl").exists():
            return Path(folder)
    return None


@contextlib.contextmanager
def throwaway_cluster(binaries: Path) -> Iterator[str]:
    """A PostgreSQL cluster in a temporary folder, trusting local connections; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="studybot-pg-"))
    data, port = folder / "data", _free_port()
    # initdb refuses to run as root; the cluster then belongs to a user that may run it.
    as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "nobody")

    def run(tool: str, *args: str, check: bool = True) -> None:
        command = [*as_user, str(binaries / tool), "-D", str(data), *args]
        subprocess.run(command, check=check, capture_output=True)

    try:
        run("initdb", "-A", "trust", "-U", "postgres")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
        run("pg_ctl", "-o", options, "-w", "-l", str(folder / "log"), "start")
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            run("pg_ctl", "-m", "immediate", "stop", check=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "databases(*names): run this test on these databases only")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--databases",
        default="sqlite,postgresql",
        help="which databases the database-facing tests run on (comma-separated: sqlite, postgresql)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_backend" in metafunc.fixturenames:
        chosen = [b.strip() for b in metafunc.config.getoption("--databases").split(",") if b.strip()]
        unknown = set(chosen) - set(BACKENDS)
        if unknown:
            known = ", ".join(BACKENDS)
            raise pytest.UsageError(f"--databases: unknown {sorted(unknown)}; choose from {known}")
        only = metafunc.definition.get_closest_marker("databases")
        if only is not None:  # a test about one database's own behaviour
            chosen = [b for b in chosen if b in only.args]
        metafunc.parametrize("database_backend", chosen, scope="function")


@contextlib.contextmanager
def find_postgres() -> Iterator[PostgresServer | None]:
    """A PostgreSQL server to create databases on (see the module's docstring), or None."""
    with contextlib.ExitStack() as stack:
        url = os.environ.get("TEST_POSTGRES_URL")
        if url is not None and not asyncio.run(_answers(url)):
            global _unanswered
            _unanswered = url
            yield None
            return
        if url is None and asyncio.run(_answers(LOCAL_SERVER)):
            url = LOCAL_SERVER
        if url is None:
            binaries = _postgres_binaries()
            if binaries is not None:
                url = stack.enter_context(throwaway_cluster(binaries))
        yield (
            None
            if url is None
            else PostgresServer(make_url(url), run_id=f"studybot_test_{uuid.uuid4().hex[:10]}")
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    """A PostgreSQL server and this run's template database, or None if none can be had."""
    with find_postgres() as server:
        if server is None:
            yield None
            return

        async def prepare() -> None:
            server.template = await server.create_database()
            engine = create_engine(server.url_of(server.template))
            try:
                await migrate.upgrade(engine)  # Alembic's whole history: the path every upgrade takes
            finally:
                await engine.dispose()

        asyncio.run(prepare())
        try:
            yield server
        finally:
            asyncio.run(server.drop_database(server.template))


NO_POSTGRES = (
    "no PostgreSQL server: set TEST_POSTGRES_URL, run one on 127.0.0.1:5432, or install the PostgreSQL "
    "binaries (initdb, pg_ctl) so the tests start their own"
)
_skipped: list[str] = []
_unanswered: str | None = None  # TEST_POSTGRES_URL, when it was set but no server answered there


def no_postgres() -> None:
    reason = f"TEST_POSTGRES_URL={_unanswered} does not answer" if _unanswered else NO_POSTGRES
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    _skipped.append(reason)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped:  # one line, however many tests it concerns
        line = f"PostgreSQL: {len(_skipped)} test run(s) skipped, {_skipped[0]}"
        terminalreporter.write_line(line, yellow=True)


@pytest.fixture
async def database_url(
    database_backend: str, tmp_path: Path, postgres_server: PostgresServer | None
) -> AsyncIterator[str]:
    """A new, migrated database of the backend under test: a SQLite file, or a PostgreSQL database."""
    if database_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'studybot.db'}"
        return
    if postgres_server is None:
        no_postgres()
    assert postgres_server is not None
    name = await postgres_server.create_database(template=postgres_server.template)
    try:
        yield postgres_server.url_of(name)
    finally:
        await postgres_server.drop_database(name)
