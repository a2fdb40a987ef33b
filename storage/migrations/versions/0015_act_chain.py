"""The hash chain of recorded acts (issue 15).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply: acts recorded before the upgrade stay outside the chain (it starts empty)."""
    op.create_table(
        "chain_heads",
        sa.Column("secretariat_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["secretariat_id"],
            ["secretariats.id"],
            name=op.f("fk_chain_heads_secretariat_id_secretariats"),
        ),
        sa.PrimaryKeyConstraint("secretariat_id", name=op.f("pk_chain_heads")),
    )
    op.create_table(
        "chain_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secretariat_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source_table", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["secretariat_id"],
            ["secretariats.id"],
            name=op.f("fk_chain_entries_secretariat_id_secretariats"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_entries")),
        sa.UniqueConstraint("secretariat_id", "position", name="uq_chain_entries_position"),
    )
    op.create_index("ix_chain_entries_hash", "chain_entries", ["hash"], unique=False)


def downgrade() -> None:
    """Revert."""
    op.drop_index("ix_chain_entries_hash", table_name="chain_entries")
    op.drop_table("chain_entries")
    op.drop_table("chain_heads")
