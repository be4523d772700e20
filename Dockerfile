# The image runs the same install script as the README, so the tested path is the shipped path.
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 studybot
WORKDIR /app
COPY --chown=studybot:studybot pyproject.toml README.md alembic.ini ./
COPY --chown=studybot:studybot scripts ./scripts
COPY --chown=studybot:studybot bot ./bot
COPY --chown=studybot:studybot migrations ./migrations
COPY --chown=studybot:studybot questions ./questions

USER studybot
RUN scripts/install && mkdir -p /app/data

# The SQLite database (and its WAL files) live on the volume.
ENV DATABASE_URL=sqlite+aiosqlite:////app/data/studybot.db
VOLUME ["/app/data"]
CMD ["/app/.venv/bin/studybot", "run"]
