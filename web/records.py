"""Minutes, evidence, action plan, agenda and attendance pages (R19 a, b)."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
