"""Settings from environment variables and an optional `.env` file.

A bad setting is reported as one line per setting, named as it is set (`DEFAULT_TIMEZONE=Mars/Olympus:
...`), with what to set instead: see `load_settings`.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.bank.loader import PACK_FILE
from bot.domain.shards import ShardSet, ShardSpecError, parse_shard_ids
from bot.errors import ConfigurationError

SHIPPED_QUESTIONS = Path(__file__).resolve().parents[1] / "questions"
DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_EXAMPLE = "wss://gateway.discord.gg"
# Discord's global limit is 50 requests/s; it grants large bots more on request, in the hundreds.
DISCORD_RATE_LIMIT = 50
MAX_GLOBAL_RATE_LIMIT = 1000
MAX_SHARDS = 10_000
BOT_SETUP_HELP = (
    "DISCORD_TOKEN is not set. Create an application at https://discord.com/developers/applications, "
    "open Bot > Reset Token, and put the token in the environment or in a .env file: DISCORD_TOKEN=..."
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///data/studybot.db"
    # Connections each bot process keeps open to PostgreSQL (SQLite always uses one: it has one writer).
    database_pool_size: int = Field(default=10, ge=1, le=200)
    questions_dir: Path = SHIPPED_QUESTIONS
    default_pack: str = "aip-c01"  # a live exam: a group that forms today cannot sit a retired one
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    dev_guild_id: int | None = Field(default=None, gt=0)
    discord_api_base: str = DISCORD_API_BASE
    discord_gateway_url: str | None = Field(default=None)
    discord_global_rate_limit: int = Field(default=DISCORD_RATE_LIMIT, ge=1, le=MAX_GLOBAL_RATE_LIMIT)
    # Connection attempts in a row that may fail before `run` exits with code 75 (0: never give up).
    discord_retry_limit: int = Field(default=0, ge=0, le=1_000_000)
    # Several processes: the shards this one connects ("0-3", "0,2") out of SHARD_COUNT.
    shard_ids: str | None = None
    shard_count: int | None = Field(default=None, ge=1, le=MAX_SHARDS)
    # Discord user ids of the bot's owners ("123,456"): they see every server's question reports.
    owner_ids: str = ""
    # First answers a question needs before item analysis judges it.
    item_analysis_min_answers: int = Field(default=30, ge=2, le=1_000_000)

    @field_validator("owner_ids")
    @classmethod
    def _user_ids(cls, value: str) -> str:
        for part in value.replace(" ", "").split(","):
            if part and not (part.isdigit() and 0 < int(part) < 2**64):
                raise ValueError(
                    f"{part!r} is not a Discord user id: list owners' ids separated by commas "
                    "(Developer Mode > right-click a user > Copy User ID), or leave it empty"
                )
        return value

    def owners(self) -> frozenset[int]:
        return frozenset(int(p) for p in self.owner_ids.replace(" ", "").split(",") if p)

    @field_validator("dev_guild_id", "discord_gateway_url", "shard_ids", "shard_count", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `DEV_GUILD_ID=` in a .env (or Docker's env_file) means "not set", as leaving the line out does.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown IANA timezone {value!r}: use a name from the tz database, e.g. Europe/London or UTC"
            ) from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("not a log level: use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("discord_api_base")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not _is_url(value, {"http", "https"}):
            raise ValueError(
                f"not an http(s) URL: unset it to use Discord's ({DISCORD_API_BASE}), "
                "or give the full address of a Discord-compatible proxy"
            )
        return value

    @field_validator("discord_gateway_url")
    @classmethod
    def _gateway_url(cls, value: str | None) -> str | None:
        # aiohttp opens a WebSocket from an http(s) address too, so the emulator's may be either.
        if value is not None and not _is_url(value, {"wss", "ws", "https", "http"}):
            raise ValueError(
                f"not a WebSocket URL: unset it to use Discord's, or give one like {DISCORD_GATEWAY_EXAMPLE}"
            )
        return value

    def shards(self) -> ShardSet:
        """The shards this process connects; a ConfigurationError naming the setting if they cannot be.
        (Settings give SHARD_IDS and SHARD_COUNT; `studybot run --shards --shard-count` sets the same.)"""
        if self.shard_count is not None and not 1 <= self.shard_count <= MAX_SHARDS:
            raise ConfigurationError(f"SHARD_COUNT={self.shard_count}: {SETTING_HINTS['shard_count']}")
        if self.shard_ids is None:
            return ShardSet(None, self.shard_count)
        if self.shard_count is None:
            raise ConfigurationError(
                f"SHARD_IDS={self.shard_ids}: set SHARD_COUNT too (the bot's shards in all processes)"
            )
        try:
            ids = parse_shard_ids(self.shard_ids, self.shard_count)
        except ShardSpecError as exc:
            raise ConfigurationError(f"SHARD_IDS={self.shard_ids}: {exc}") from None
        shards = ShardSet(ids, self.shard_count)
        if not shards.whole and _backend(self.database_url) == "sqlite":
            raise ConfigurationError(
                f"SHARD_IDS={self.shard_ids}: this process runs {len(ids)} of {self.shard_count} shards, so "
                "other processes run the rest, and they cannot share a SQLite file: set DATABASE_URL to a "
                "PostgreSQL database (README: Moving to PostgreSQL), or run every shard in one process"
            )
        return shards

    def check_packs(self) -> None:
        """QUESTIONS_DIR holds packs and DEFAULT_PACK is one of them. Checked by `studybot run`, which
        needs both, and not on load: `questions check` and `stats` work on any folder given."""
        folder = self.questions_dir
        if not folder.is_dir():
            raise ConfigurationError(
                f"QUESTIONS_DIR={folder}: not a folder: point it at a folder of exam packs "
                f"(a folder each, with a {PACK_FILE}), or unset it to use the shipped ones"
            )
        packs = sorted(p.parent.name for p in folder.glob(f"*/{PACK_FILE}"))
        if not packs:
            raise ConfigurationError(
                f"QUESTIONS_DIR={folder}: no exam packs in it (no folder with a {PACK_FILE}): point it at "
                "a folder of exam packs, or unset it to use the shipped ones"
            )
        if self.default_pack not in packs:
            raise ConfigurationError(
                f"DEFAULT_PACK={self.default_pack}: no such pack in {folder}: use one of {', '.join(packs)}"
            )

    def token(self) -> str:
        """The bot token, or a ConfigurationError that says where to get one."""
        if self.discord_token is None or not self.discord_token.get_secret_value().strip():
            raise ConfigurationError(BOT_SETUP_HELP)
        return self.discord_token.get_secret_value().strip()


def _backend(url: str) -> str:
    return url.partition(":")[0].partition("+")[0]


def _is_url(value: str, schemes: set[str]) -> bool:
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0  # .port raises ValueError for "host:abc"
    except ValueError:
        return False
    return (
        parts.scheme in schemes and bool(parts.hostname) and port_ok and not any(c.isspace() for c in value)
    )


#: What to set, for values pydantic itself rejects (not a number, out of bounds); the validators above
#: say it in their own words.
SETTING_HINTS = {
    "shard_count": f"a whole number of shards from 1 to {MAX_SHARDS}: the bot's shards in all processes",
    "database_pool_size": (
        "must be a whole number of connections from 1 to 200 (the default is 10); PostgreSQL's own limit "
        "(max_connections, 100 by default) is shared by every bot process"
    ),
    "discord_retry_limit": (
        "must be a whole number of connection attempts, 0 (the default) to keep trying while Discord is "
        "unreachable"
    ),
    "item_analysis_min_answers": (
        "must be a whole number of first answers from 2 to 1000000 (the default is 30): fewer answers than "
        "that say little about a question"
    ),
    "dev_guild_id": (
        "not a server ID: in Discord turn on Developer Mode, right-click the server and Copy Server ID; "
        "or unset it to sync commands globally"
    ),
    "discord_global_rate_limit": (
        f"must be a whole number of requests per second from 1 to {MAX_GLOBAL_RATE_LIMIT}: Discord allows "
        f"every bot {DISCORD_RATE_LIMIT} and grants large bots more on request, so set {DISCORD_RATE_LIMIT} "
        "or what Discord granted yours"
    ),
}


def load_settings() -> Settings:
    """The settings, or a ConfigurationError with one line for each bad one, naming its variable."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigurationError(_explain(exc)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f".env: not UTF-8 text ({exc.reason}): save it as UTF-8") from exc


def _explain(error: ValidationError) -> str:
    lines: dict[str, str] = {}
    for detail in error.errors():
        field = str(detail["loc"][0]) if detail["loc"] else "settings"
        lines.setdefault(field, f"{field.upper()}={_shown(field, detail)}: {_reason(field, detail)}")
    return "\n".join(lines.values())


def _shown(field: str, detail: ErrorDetails) -> str:
    if field == "discord_token":
        return "[hidden]"  # a secret is never printed, even a bad one
    value = detail["input"]
    return value if isinstance(value, str) and value.isprintable() else repr(value)  # keep it one line


def _reason(field: str, detail: ErrorDetails) -> str:
    if detail["type"] == "value_error":  # one of the validators above: it says what to set
        return str(detail.get("ctx", {}).get("error", detail["msg"]))
    return SETTING_HINTS.get(field, detail["msg"])
