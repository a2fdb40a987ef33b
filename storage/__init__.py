"""Persistence and use cases: SQLAlchemy 2 models, Alembic migrations, services.

Never imports Telegram: services take an ``AsyncSession`` plus plain values and return
view dataclasses, so the same use case serves a handler, a scheduled job or a test.
"""
