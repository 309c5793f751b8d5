# Peer Circles as a container: the bot with the PostgreSQL driver, run as a user without privileges.
# compose.yaml runs two of these (shard ranges 0-1 and 2-3 of 4) over one PostgreSQL; see the README,
# "Running for many servers". Secrets (DISCORD_TOKEN, the database password, the anonymity key) are
# never in the image: they come from the environment and a volume at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# An editable install, as in the README: the migrations are read from the checkout (migrations/).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY emulator ./emulator
COPY migrations ./migrations
RUN pip install -e ".[postgres]" \
    && useradd --system --uid 10001 --home-dir /var/lib/peer-circles --create-home peer \
    && mkdir -p /var/lib/peer-circles/key \
    && chown -R peer /var/lib/peer-circles/key \
    && chmod 700 /var/lib/peer-circles/key

# The anonymity key's folder: a volume shared by every bot process (written once by `init-key`).
VOLUME ["/var/lib/peer-circles/key"]
USER peer

ENTRYPOINT ["python", "-m", "bot"]
CMD ["run", "--config", "/etc/peer-circles/config.toml"]
