"""What replicas share: chats' conversations in progress and the outgoing budget (issue 14).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply; conversations held in memory before the upgrade are simply forgotten."""
    op.create_table(
        "chat_states",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("chat_id", "key", name=op.f("pk_chat_states")),
    )
    op.create_table(
        "send_slots",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_send_slots")),
    )


def downgrade() -> None:
    """Revert."""
    op.drop_table("send_slots")
    op.drop_table("chat_states")
