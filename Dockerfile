# The image runs the same install script as the README, so the tested path is the shipped path: every
# package comes from requirements.lock, at its pinned version and checked against its hash.
#
# The base image is pinned by digest: the multi-platform index of python:3.11-slim (Python 3.11.16 on
# Debian trixie; its linux/amd64 image is sha256:d1053354624536b044162aaab1e418bd000ea35184fb1ae098ab3166b1072e72).
# To move it on: `docker buildx imagetools inspect python:3.11-slim` prints the index digest ("Digest:").
FROM python:3.11-slim@sha256:9534e5a8e315485d4061ed659af0fd78a284c015f9b73661b41d6bab25604534

# The bot runs as this user, not root (numeric below, so a runtime can tell without looking it up); /app
# is its own, so the install can create .venv and data/ there.
RUN groupadd --gid 10001 studybot \
    && useradd --create-home --uid 10001 --gid 10001 studybot \
    && install -d -o studybot -g studybot /app
WORKDIR /app
COPY --chown=studybot:studybot pyproject.toml README.md alembic.ini requirements.lock ./
COPY --chown=studybot:studybot scripts ./scripts
COPY --chown=studybot:studybot bot ./bot
COPY --chown=studybot:studybot migrations ./migrations
COPY --chown=studybot:studybot questions ./questions

USER 10001:10001
RUN PIP_NO_CACHE_DIR=1 scripts/install && mkdir -p /app/data

# The SQLite database (and its WAL files) and the heartbeat file live on the volume.
ENV DATABASE_URL=sqlite+aiosqlite:////app/data/studybot.db
VOLUME ["/app/data"]

# The bot touches data/heartbeat every 30 s while it is connected to Discord; `studybot health` fails
# once that is older than 120 s (a hung process, or a gateway that has stayed down). Failures during
# the start period (loading the bank, migrating, connecting) do not count.
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 \
    CMD ["/app/.venv/bin/studybot", "health"]
STOPSIGNAL SIGTERM
CMD ["/app/.venv/bin/studybot", "run"]
