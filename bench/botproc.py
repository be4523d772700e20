"""A bot in its own process, for benchmarks: ``python -m bench.botproc [studybot|noop]``.

``studybot`` runs the real bot exactly as ``studybot run`` does (settings from the environment,
``bot.runner.runtime``, ``Runtime.build_bot()`` with its defaults, ``bot.start``); ``noop`` runs a
plain discord.py client with one slash command that answers at once (the latency reference).

Beside the bot there is a control channel: JSON lines in on stdin, JSON lines out on stdout (logs go to
stderr). Out: ``{"event": "ready", ...}`` once the bot is serving, with the monotonic time of each
start-up step. In: ``{"cmd": "fire", "prefix": "daily:"}`` makes the bot's real APScheduler run every
job whose id starts with the prefix now; ``{"cmd": "ping"}``; ``{"cmd": "stop"}``. The process stops
when stdin closes, on ``stop``, or after ``BENCH_MAX_SECONDS`` (default 900), whichever comes first.

It refuses to start unless both Discord endpoints are on the loopback interface.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()  # before the heavy imports: what they cost is part of start-up

import asyncio  # noqa: E402
import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from typing import Any, ClassVar  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import discord  # noqa: E402
from discord import app_commands  # noqa: E402

from bot import logs  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.discord.endpoints import use_endpoints  # noqa: E402
from bot.runner import runtime  # noqa: E402

IMPORTED = time.monotonic()
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
log = logging.getLogger("bench.botproc")


def emit(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def require_loopback(settings: Settings) -> None:
    for url in (settings.discord_api_base, settings.discord_gateway_url or ""):
        host = urlsplit(url).hostname
        if host not in LOOPBACK:
            raise SystemExit(f"bench.botproc only talks to a local emulator, not {url!r}")


class Steps(logging.Handler):
    """Timestamps start-up steps from the bot's own log lines (the bank is loaded, READY arrived)."""

    MARKS: ClassVar[dict[str, str]] = {"loaded ": "bank_loaded", "ready as ": "servers_arrived"}

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.at: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        for prefix, step in self.MARKS.items():
            if message.startswith(prefix) and step not in self.at:
                self.at[step] = time.monotonic()


async def control(client: discord.Client, handlers: dict[str, Any]) -> None:
    """Serve commands from stdin until it closes or ``stop`` arrives; then close the client."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            request = json.loads(line)
            name = request.pop("cmd")
            if name == "stop":
                break
            try:
                reply = await handlers[name](**request)
                emit({"reply": name, "ok": True, **reply})
            except Exception as exc:
                log.exception("control command %s failed", name)
                emit({"reply": name, "ok": False, "error": repr(exc)})
    finally:
        # Shielded: serve() cancels this task once the client stops, which must not cut the close short.
        await asyncio.shield(client.close())


async def run_studybot(settings: Settings, deadline: float) -> None:
    steps = Steps()
    for name in ("bot.runner", "bot.app"):
        logging.getLogger(name).addHandler(steps)
        logging.getLogger(name).setLevel(logging.INFO)
    async with runtime(settings) as rt, rt.build_bot() as bot:
        built = time.monotonic()

        async def on_connect() -> None:
            steps.at.setdefault("gateway_connected", time.monotonic())

        async def on_studybot_ready() -> None:
            emit(
                {
                    "event": "ready",
                    "guilds": len(bot.guilds),
                    "pid": os.getpid(),
                    "steps": {
                        "process_started": STARTED,
                        "imported": IMPORTED,
                        **{k: v for k, v in steps.at.items() if k == "bank_loaded"},
                        "migrated": built,
                        **{k: v for k, v in steps.at.items() if k != "bank_loaded"},
                        "serving": time.monotonic(),
                    },
                }
            )

        async def fire(prefix: str) -> dict[str, Any]:
            now = dt.datetime.now(dt.UTC)
            ids = [job.id for job in bot.jobs.scheduler.get_jobs() if job.id.startswith(prefix)]
            for job_id in ids:
                bot.jobs.scheduler.modify_job(job_id, next_run_time=now)
            return {"fired": len(ids)}

        async def ping() -> dict[str, Any]:
            return {"guilds": len(bot.guilds)}

        bot.add_listener(on_connect, "on_connect")
        bot.add_listener(on_studybot_ready, "on_studybot_ready")
        await serve(bot, settings.token(), deadline, {"fire": fire, "ping": ping})


async def serve(client: discord.Client, token: str, deadline: float, handlers: dict[str, Any]) -> None:
    """Run the client with the control channel beside it, and close it at the deadline at the latest."""
    watchdog = asyncio.get_running_loop().call_at(deadline, lambda: asyncio.ensure_future(client.close()))
    controller = asyncio.create_task(control(client, handlers))
    try:
        await client.start(token)
    finally:
        watchdog.cancel()
        controller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await controller


async def run_noop(settings: Settings, deadline: float) -> None:
    """A plain discord.py client whose one command answers at once: the transport's own round trip."""
    use_endpoints(settings.discord_api_base, settings.discord_gateway_url)
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)

    @tree.command(name="noop", description="Answers at once")
    async def noop(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    async def on_ready() -> None:
        await tree.sync()
        emit({"event": "ready", "guilds": len(client.guilds), "pid": os.getpid(), "steps": {}})

    async def ping() -> dict[str, Any]:
        return {"guilds": len(client.guilds)}

    client.event(on_ready)
    async with client:
        await serve(client, settings.token(), deadline, {"ping": ping})


def apply_patch() -> None:
    """``BENCH_PATCH=module:function``: call it before the bot starts, to try a change before making it."""
    target = os.environ.get("BENCH_PATCH")
    if target:
        module, _, function = target.partition(":")
        getattr(importlib.import_module(module), function)()


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "studybot"
    apply_patch()
    settings = Settings()
    require_loopback(settings)
    logs.configure(settings.log_level, [settings.token()])
    limit = float(os.environ.get("BENCH_MAX_SECONDS", "900"))

    async def go() -> None:
        deadline = asyncio.get_running_loop().time() + limit
        await (run_noop if mode == "noop" else run_studybot)(settings, deadline)

    asyncio.run(go())
    return 0


if __name__ == "__main__":
    sys.exit(main())
