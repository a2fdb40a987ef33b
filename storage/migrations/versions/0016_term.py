"""End of term: reports and handover packages (R5, issue 15).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply (placeholder until the tables land)."""
    _add_secretariat_state()


def downgrade() -> None:
    """Revert."""
    _drop_secretariat_state()


# --- The `compliance` part of issue 15: the setting `estado` (R1, R19), the entidad
# federativa that groups the public compliance pages (/<slug-of-state>/cumplimiento).
# Existing secretariats get the default, Michoacán (the founding act is Zamora's).


def _add_secretariat_state() -> None:
    with op.batch_alter_table("secretariats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=40), nullable=False, server_default="Michoacán")
        )


def _drop_secretariat_state() -> None:
    with op.batch_alter_table("secretariats", schema=None) as batch_op:
        batch_op.drop_column("state")
