"""Settings from environment variables and an optional `.env` file."""

from __future__ import annotations

import zoneinfo
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigurationError

SHIPPED_QUESTIONS = Path(__file__).resolve().parents[1] / "questions"
DISCORD_API_BASE = "https://discord.com/api/v10"
BOT_SETUP_HELP = (
    "DISCORD_TOKEN is not set. Create an application at https://discord.com/developers/applications, "
    "open Bot > Reset Token, and put the token in the environment or in a .env file: DISCORD_TOKEN=..."
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///data/studybot.db"
    questions_dir: Path = SHIPPED_QUESTIONS
    default_pack: str = "mls-c01"
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    dev_guild_id: int | None = None
    discord_api_base: str = DISCORD_API_BASE
    discord_gateway_url: str | None = Field(default=None)
    # Discord's global limit is 50 requests/s; it raises it for large bots on request.
    discord_global_rate_limit: int = Field(default=50, ge=1)

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}, e.g. Europe/London or UTC") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL is one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    def token(self) -> str:
        """The bot token, or a ConfigurationError that says where to get one."""
        if self.discord_token is None or not self.discord_token.get_secret_value().strip():
            raise ConfigurationError(BOT_SETUP_HELP)
        return self.discord_token.get_secret_value().strip()
