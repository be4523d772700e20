"""The benchmark side of ``bench.botproc``: start the bot in a child process, talk to it, measure it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.world import SHIPPED_PACK
from tests.emulator import DiscordEmulator

REPO = Path(__file__).resolve().parents[1]
#: ``python -m bench --profile DIR`` sets this: each bot process then runs under py-spy (the ``dev``
#: extra), which writes a flame graph of where the bot's time went to DIR when the process ends.
PROFILE_ENV = "BENCH_PROFILE"
#: ``module:function`` the bot process calls before starting (see bench.botproc.apply_patch).
PATCH_ENV = "BENCH_PATCH"
#: ``python -m bench --logs DIR``: each bot process's log (stderr) is kept in DIR.
LOGS_ENV = "BENCH_LOGS"


@dataclass(frozen=True)
class Memory:
    rss_mb: float
    peak_mb: float


def memory_of(pid: int) -> Memory:
    """Resident and peak resident memory of a process, from /proc (Linux)."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return Memory(fields["VmRSS"], fields["VmHWM"])


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BotProcess:
    """``python -m bench.botproc MODE`` pointed at an emulator, with a database in ``workdir``.

    ``await start()`` returns once the bot is serving; ``startup_seconds`` is the time from spawning
    the process to that moment, and ``steps`` when each start-up step finished (seconds from spawn).
    """

    def __init__(
        self,
        emulator: DiscordEmulator,
        workdir: Path,
        *,
        mode: str = "studybot",
        env: dict[str, str] | None = None,
        max_seconds: float = 600.0,
        database_url: str | None = None,
    ) -> None:
        self.emulator = emulator
        self.workdir = workdir
        self.mode = mode
        self.database = workdir / f"{mode}.db"
        self._database_url = database_url  # None: a SQLite file in workdir
        self.log_path = workdir / f"{mode}.log"
        self.extra_env = env or {}
        self.max_seconds = max_seconds
        self.process: asyncio.subprocess.Process | None = None
        self.startup_seconds = 0.0
        self.steps: dict[str, float] = {}
        self.ready: dict[str, Any] = {}
        self._log: Any = None
        self._replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    @property
    def database_url(self) -> str:
        return self._database_url or f"sqlite+aiosqlite:///{self.database}"

    def environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TMPDIR")
        }
        env.update(
            {
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
                "DISCORD_TOKEN": self.emulator.token,
                "DISCORD_API_BASE": self.emulator.api_base,
                "DISCORD_GATEWAY_URL": self.emulator.gateway_url,
                "DATABASE_URL": self.database_url,
                "LOG_LEVEL": "WARNING",
                # The benchmarks' worlds and expectations are built from this pack (see bench.world).
                "DEFAULT_PACK": SHIPPED_PACK,
                "BENCH_MAX_SECONDS": str(self.max_seconds),
            }
        )
        if os.environ.get(PATCH_ENV):
            env[PATCH_ENV] = os.environ[PATCH_ENV]
        env.update(self.extra_env)
        return env

    async def start(self, timeout: float = 60.0) -> float:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        command = [sys.executable, "-m", "bench.botproc", self.mode]
        profile_dir = os.environ.get(PROFILE_ENV)
        if profile_dir:
            spy = Path(sys.executable).with_name("py-spy")
            out = Path(profile_dir).resolve() / f"{self.workdir.name}-{self.mode}.txt"
            out.parent.mkdir(parents=True, exist_ok=True)
            record = [
                str(spy),
                "record",
                "--format",
                "raw",
                "--rate",
                "250",
                "--nonblocking",
                "--threads",
                "--idle",
                "-o",
                str(out),
            ]
            command = [*record, "--", *command]
        spawned = time.monotonic()
        self.process = await asyncio.create_subprocess_exec(
            *command,
            cwd=self.workdir,  # no stray .env from the checkout
            env=self.environment(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._log,
        )
        self._reader = asyncio.create_task(self._read())
        try:
            ready = await asyncio.wait_for(self._next("ready"), timeout)
        except (TimeoutError, EOFError) as exc:
            await self.stop()
            raise RuntimeError(f"the {self.mode} process did not become ready:\n{self.log_tail()}") from exc
        self.startup_seconds = time.monotonic() - spawned
        self.ready = ready
        self.steps = {name: at - spawned for name, at in ready.get("steps", {}).items()}
        return self.startup_seconds

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stdout = self.process.stdout
        while line := await stdout.readline():
            with contextlib.suppress(ValueError):
                await self._replies.put(json.loads(line))
        await self._replies.put({"event": "exit"})

    async def _next(self, kind: str) -> dict[str, Any]:
        while True:
            message = await self._replies.get()
            if message.get("event") == "exit":
                raise EOFError(f"the {self.mode} process exited")
            if message.get("event") == kind or message.get("reply") == kind:
                return message

    async def command(self, name: str, timeout: float = 30.0, **args: Any) -> dict[str, Any]:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write((json.dumps({"cmd": name, **args}) + "\n").encode())
        await self.process.stdin.drain()
        reply = await asyncio.wait_for(self._next(name), timeout)
        if not reply.get("ok"):
            raise RuntimeError(f"{name} failed in the bot process: {reply.get('error')}")
        return reply

    def memory(self) -> Memory:
        """The bot process's memory (the Python process itself, also when py-spy wraps it)."""
        return memory_of(int(self.ready["pid"]))

    def cpu_seconds(self) -> float:
        """CPU time the bot process has used so far (the Python process itself, also under py-spy)."""
        return cpu_seconds_of(int(self.ready["pid"]))

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self, timeout: float = 15.0) -> None:
        process, self.process = self.process, None
        if process is not None and process.returncode is None:
            if process.stdin is not None:
                with contextlib.suppress(Exception):
                    process.stdin.write(b'{"cmd": "stop"}\n')
                    await process.stdin.drain()
                    process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), timeout)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        if self._log is not None:
            self._log.close()
            self._log = None
            keep = os.environ.get(LOGS_ENV)
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.log_path, Path(keep) / f"{self.workdir.name}-{self.mode}.log")

    async def __aenter__(self) -> BotProcess:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
