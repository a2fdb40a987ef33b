"""Linking notices owed to the facilitator, grouped (issue 10; commands.md "Roster in bulk").

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply; members linked before were told one by one: nothing is owed for them."""
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("link_noticed_at", sa.DateTime(timezone=True), nullable=True)
        )
    members = sa.table("members", sa.column("linked_at"), sa.column("link_noticed_at"))
    op.execute(
        members.update()
        .where(members.c.linked_at.is_not(None))
        .values(link_noticed_at=members.c.linked_at)
    )


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("link_noticed_at")
