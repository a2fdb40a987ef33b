# stm-bot: the same defaults as `make run` (SQLite under /app/data, polling, the microsite).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango + HarfBuzz-subset + a serif font: WeasyPrint renders the minutes' PDFs (issue 11).
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
RUN pip install . \
    && useradd --create-home --uid 10001 stm \
    && mkdir -p /app/data \
    && chown stm:stm /app/data

USER stm
VOLUME ["/app/data"]
# The microsite (R19) listens on every interface inside the container; publish the port
# behind the reverse proxy that serves PUBLIC_URL.
ENV DATABASE_URL=sqlite+aiosqlite:////app/data/stm.sqlite3 \
    DATA_DIR=/app/data \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080
EXPOSE 8080
CMD ["python", "-m", "bot"]
