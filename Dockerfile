# stm-bot: the same defaults as `make run` (SQLite under /app/data, polling, the microsite).
# compose.yaml runs it as replicas on PostgreSQL behind Caddy (README "Deployment").
# The Debian release is named, not left to the tag: the apt names below (and the Pango and
# HarfBuzz that WeasyPrint gets) are those of bookworm, the release the tests run on.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango + HarfBuzz-subset + the DejaVu fonts: WeasyPrint renders the minutes' and the
# report's PDFs (issue 11; the same list as scripts/system-deps.sh, a test compares them).
# Every other dependency comes as a wheel with its libraries inside (asyncpg, lxml, Pillow,
# cryptography, pyHanko's): the slim image has no compiler and needs none.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fontconfig \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduler ./scheduler
COPY storage ./storage
COPY domain ./domain
COPY web ./web
# setuptools leaves its build/ and egg-info in /app: a second copy of every package.
RUN pip install . \
    && rm -rf build stm_bot.egg-info \
    && groupadd --gid 10001 stm \
    && useradd --create-home --uid 10001 --gid stm stm \
    && mkdir -p /app/data \
    && chown stm:stm /app/data

# Numeric, so an orchestrator can tell it is not root without reading /etc/passwd.
USER 10001:10001
VOLUME ["/app/data"]
# The microsite (R19) listens on every interface inside the container; publish the port
# behind the reverse proxy that serves PUBLIC_URL.
ENV DATABASE_URL=sqlite+aiosqlite:////app/data/stm.sqlite3 \
    DATA_DIR=/app/data \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080
EXPOSE 8080
# /healthz: 200 when the database and the Bot API answer (its getMe waits at most 5 s).
# Python, not curl: the slim image has no curl. WEB_PORT=no (no site) needs --no-healthcheck.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEB_PORT', '8080'), timeout=8)"]
CMD ["python", "-m", "bot"]
